/** What `npm run plan` prints, as text or as its stable JSON document. */
import type { StackRun } from "../offline/run";
import type { StandIn } from "../../Ecomm.Pulumi/config/placeholders";
import { countByType, renderCounts, renderOutputs, renderTree } from "./render";
import { buildScorecard, renderScorecard, type Scorecard } from "../report/scorecard";
import { estimateCost, loadPriceTable, renderCost, unpricedRegion, type CostEstimate, type Usage } from "../report/cost";

/** Bump when a field is removed or changes meaning; adding fields keeps the version. */
export const PLAN_JSON_VERSION = 1;

/** The stable `--json` document (documented in README, frozen by a test). */
export interface PlanJson {
    readonly version: typeof PLAN_JSON_VERSION;
    readonly stack: string;
    readonly resourceCount: number;
    readonly countsByType: Record<string, number>;
    readonly resources: { type: string; name: string; urn: string; parentUrn: string; protect: boolean }[];
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
        resources: run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parentUrn: r.parentUrn, protect: r.protect })),
        outputs: run.outputs,
        scorecard,
        cost,
        standIns: run.standIns,
    };
}

/** The stand-ins section: what the plan assumed, and why a real `pulumi up` needs each value set. */
export function renderStandIns(standIns: readonly StandIn[]): string {
    if (standIns.length === 0) return "Stand-ins: none (every required value is set)";
    return [
        `Stand-ins (${standIns.length}): required values the stack file lacks; this plan assumed these placeholders, a real \`pulumi up\` refuses until you set them`,
        ...standIns.map((s) => `  ${s.key} = ${s.value}\n      why: ${s.why}\n      set: ${s.fix}`),
    ].join("\n");
}

export function planText({ run, scorecard, cost }: PlanReport): string {
    return [
        `Plan for stack "${run.stack}" (offline, mock engine): ${run.resources.length} resources`,
        "",
        renderStandIns(run.standIns),
        "",
        "Resources",
        renderTree(run.resources),
        "",
        "Count by type",
        renderCounts(run.resources),
        "",
        "Stack outputs",
        renderOutputs(run.outputs),
        "",
        renderScorecard(scorecard),
        "",
        renderCost(cost),
    ].join("\n");
}
