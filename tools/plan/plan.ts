/** What `npm run plan` prints, as text or as its stable JSON document. */
import type { StackRun } from "../offline/run";
import type { StandIn } from "../../Ecomm.Pulumi/config/placeholders";
import { countByType, renderCounts, renderOutputs, renderTree } from "./render";
import { paint, PLAIN, type Style } from "./style";
import { maskSecrets } from "../report/secrets";
import { buildScorecard, renderScorecard, type Scorecard } from "../report/scorecard";
import { estimateCost, loadPriceTable, renderCost, unpricedRegion, type CostEstimate, type Usage } from "../report/cost";

/** Bump when a field is removed or changes meaning; adding fields keeps the version. */
export const PLAN_JSON_VERSION = 2;

/** The stable `--json` document (documented in README, frozen by a test). */
export interface PlanJson {
    readonly version: typeof PLAN_JSON_VERSION;
    readonly stack: string;
    readonly resourceCount: number;
    readonly countsByType: Record<string, number>;
    /** Each resource with the inputs it would be created with; secret-looking values read `[secret]`. */
    readonly resources: { type: string; name: string; urn: string; parentUrn: string; protect: boolean; inputs: Record<string, unknown> }[];
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly scorecard: Scorecard;
    readonly cost: CostEstimate;
    /** Labelled stand-ins for required values the stack file lacks; a real `pulumi up` refuses until they are set. */
    readonly standIns: readonly StandIn[];
}

export interface PlanReport {
    readonly run: StackRun;
    readonly scorecard: Scorecard;
    readonly cost: CostEstimate;
}

export function buildReport(run: StackRun, usage: Usage = {}): PlanReport {
    const environment = String(run.outputs.environment ?? "dev");
    const region = String(run.outputs.region ?? run.config["aws:region"] ?? "us-east-1");
    const table = loadPriceTable(region);
    return {
        run,
        scorecard: buildScorecard(run.resources, environment),
        cost: table ? estimateCost(run.resources, table, usage) : unpricedRegion(region),
    };
}

export function planJson({ run, scorecard, cost }: PlanReport): PlanJson {
    return {
        version: PLAN_JSON_VERSION,
        stack: run.stack,
        resourceCount: run.resources.length,
        countsByType: Object.fromEntries(countByType(run.resources)),
        resources: run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parentUrn: r.parentUrn, protect: r.protect, inputs: maskSecrets(r.inputs) as Record<string, unknown> })),
        outputs: run.outputs,
        scorecard,
        cost,
        standIns: run.standIns,
    };
}

/** The stand-ins section: what the plan assumed, and why a real `pulumi up` needs each value set. */
export function renderStandIns(standIns: readonly StandIn[], style: Style = PLAIN): string {
    if (standIns.length === 0) return "Stand-ins: none (every required value is set)";
    return [
        paint(style, "yellow", `Stand-ins (${standIns.length}): required values the stack file lacks; this plan assumed these placeholders, a real \`pulumi up\` refuses until you set them`),
        ...standIns.map((s) => `  ${s.key} = ${s.value}\n      why: ${s.why}\n      set: ${s.fix}`),
    ].join("\n");
}

const dollars = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The first lines of the plan: what a reader needs before any detail. */
export function renderHeadline({ run, scorecard, cost }: PlanReport, style: Style = PLAIN): string {
    const a = scorecard.availability;
    const types = countByType(run.resources).length;
    const azLoss = scorecard.azLoss.map((f) => `${f.label.split(":")[0]} ${f.value} of ${f.minSize}`).join(", ");
    const costText =
        cost.totalAtMin === null || cost.totalAtMax === null
            ? paint(style, "red", `unknown: no price for ${cost.unpriced.join(", ")}, so no total`)
            : `${dollars(cost.totalAtMin)}/month at min size, ${dollars(cost.totalAtMax)} at max (${cost.region} list prices of ${cost.asOf})`;
    const warnings = scorecard.warnings.length === 0 ? "none" : paint(style, "yellow", `${scorecard.warnings.length} (listed below)`);
    const standIns = run.standIns.length === 0 ? "none (every required value is set)" : paint(style, "yellow", `${run.standIns.length}: placeholders for values only you can set; a real \`pulumi up\` refuses until you set them (below)`);
    const rows = [
        ["  resources", `${run.resources.length} (${types} types)`],
        ["  availability", `${a.percent} % modeled (${a.components.map((c) => c.name.split(" (")[0]).join(" × ")} SLAs): ${a.downtimeMinutesPerMonth} min/month of downtime, ${a.downtimeReductionPercent} % less than a single-AZ, single-instance baseline`],
        ["  one AZ lost", `${azLoss} instances left (min)`],
        ["  database", `${scorecard.database.mode}, failover ${scorecard.database.rtoSeconds.length ? `${scorecard.database.rtoSeconds[0]}–${scorecard.database.rtoSeconds[1]} s` : "n/a"}`],
        ["  cost", costText],
        ["  warnings", warnings],
        ["  stand-ins", standIns],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    return [paint(style, "bold", `Plan for stack "${run.stack}" (offline, mock engine)`), ...rows.map(([k, v]) => (style.align ? `${k.padEnd(width)}  ${v}` : `${k}: ${v}`))].join("\n");
}

/**
 * The plan as text: the headline, the stand-ins and warnings, the scorecard and the cost, the outputs and
 * counts, then the resource tree (the longest part) last.
 */
export function planText(report: PlanReport, style: Style = PLAIN): string {
    const { run, scorecard, cost } = report;
    return [
        renderHeadline(report, style),
        ...(run.standIns.length ? ["", renderStandIns(run.standIns, style)] : []),
        ...(scorecard.warnings.length ? ["", paint(style, "yellow", `Warnings (${scorecard.warnings.length})`), ...scorecard.warnings.map((w) => `  ! ${w}`)] : []),
        "",
        renderScorecard(scorecard),
        "",
        renderCost(cost, style),
        "",
        paint(style, "bold", "Stack outputs"),
        renderOutputs(run.outputs, style),
        "",
        paint(style, "bold", "Count by type"),
        renderCounts(run.resources, style),
        "",
        paint(style, "bold", "Resources (by parent)"),
        renderTree(run.resources),
    ].join("\n");
}
