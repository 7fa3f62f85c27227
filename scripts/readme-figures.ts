/**
 * `npm run docs:figures`: rewrites README's figures (between `<!-- figures:start -->` and `<!-- figures:end -->`)
 * from offline runs of every stack file: the scorecard, the cost, the resource count, and the counts README
 * cites (bad-input cases, policy rules, alarms); and the storefront's measured figures (between
 * `<!-- storefront:start -->` and `<!-- storefront:end -->`) from storefront/measured.json, which
 * `npm run bench:app -- --write` records. `-- --check` writes nothing and exits 1 when README is stale;
 * a test fails when README's copy differs from what this renders.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, PROJECT_ROOT, runStack, withProgramLogOnStderr } from "../tools/offline/run";
import { buildReport, type PlanReport } from "../tools/plan/plan";
import { CASES } from "../Ecomm.Pulumi.Tests/bad-config-cases";
import { allPolicies } from "../Ecomm.Policy/policies";
import { MEASURED_FILE, parseMeasured, renderStorefrontFigures } from "../storefront/figures";
import { runAsScript } from "../tools/exit";

export const README_FILE = path.join(PROJECT_ROOT, "README.md");
export const START = "<!-- figures:start -->";
export const END = "<!-- figures:end -->";
export const STOREFRONT_START = "<!-- storefront:start -->";
export const STOREFRONT_END = "<!-- storefront:end -->";

/** The order stacks appear in: dev, then the others, prod last. */
export function stackOrder(stacks: readonly string[]): string[] {
    const rank = (s: string) => (s === "dev" ? 0 : s === "prod" ? 2 : 1);
    return [...stacks].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const dollars = (n: number | null) => (n === null ? "no total (unpriced items)" : `$${Math.round(n).toLocaleString("en-US")}`);

/** One value per service, or `frontend X / backend Y` when the services differ. */
function perService(figures: readonly { label: string; value: number }[], unit: string, pick: (vs: number[]) => number = (vs) => vs[0]): string {
    const services = [...new Set(figures.map((f) => f.label.split(":")[0]))];
    const values = services.map((s) => pick(figures.filter((f) => f.label.startsWith(`${s}:`)).map((f) => f.value)));
    if (values.length === 0) return "n/a";
    return new Set(values).size === 1 ? `${values[0]}${unit}` : services.map((s, i) => `${s} ${values[i]}${unit}`).join(" / ");
}

/** The figures table and the counts line, as README carries them. */
export function renderFigures(reports: Readonly<Record<string, PlanReport>>): string {
    const stacks = stackOrder(Object.keys(reports));
    const row = (label: string, value: (r: PlanReport) => string) => `| ${label} | ${stacks.map((s) => value(reports[s])).join(" | ")} |`;
    const prod = reports.prod;
    const alarms = prod ? prod.run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").length : 0;
    return [
        `| figure | ${stacks.join(" | ")} |`,
        `|---|${stacks.map(() => "---").join("|")}|`,
        row("resources", (r) => String(r.run.resources.length)),
        row("dead instance out of rotation (interval × unhealthy threshold)", (r) => perService(r.scorecard.rotation, " s")),
        row("failed instance replaced (detection + launch + boot + grace)", (r) => perService(r.scorecard.replacement, " s")),
        row("scale-out reaction (fastest policy)", (r) => perService(r.scorecard.scaleOut, " s", (vs) => Math.min(...vs))),
        row("bad rollout rolled back after", (r) => perService(r.scorecard.rollback, " s")),
        row("instances left after losing the fullest AZ", (r) => r.scorecard.azLoss.map((f) => `${f.value} of ${f.minSize}`).filter((v, i, a) => a.indexOf(v) === i).join(" / ")),
        row("database failover RTO", (r) => (r.scorecard.database.rtoSeconds.length ? `${r.scorecard.database.rtoSeconds.join("–")} s (${r.scorecard.database.mode})` : "n/a")),
        row("modeled availability (ALB × EC2 × DB SLAs)", (r) => `${r.scorecard.availability.percent} %`),
        row("modeled downtime per month", (r) => `${r.scorecard.availability.downtimeMinutesPerMonth} min`),
        row("less downtime than one instance and a single-AZ DB", (r) => `${r.scorecard.availability.downtimeReductionPercent} %`),
        row("monthly cost at min / at max size", (r) => `${dollars(r.cost.totalAtMin)} / ${dollars(r.cost.totalAtMax)}`),
        "",
        `Guardrails today: ${CASES.length} bad-input cases, ${allPolicies.length} policy rules, ${alarms} metric alarms in prod.`,
        "Generated from the stack files by `npm run docs:figures`; a test fails when this copy is stale.",
    ].join("\n");
}

/** Offline runs of every stack file (one at a time: each run resets the mock engine). */
export async function currentReports(): Promise<Record<string, PlanReport>> {
    const reports: Record<string, PlanReport> = {};
    for (const stack of listStacks()) reports[stack] = buildReport(await runStack({ stack }));
    return reports;
}

/** `readme` with the block between `start` and `end` replaced; throws when the markers are missing. */
export function withBlock(readme: string, block: string, start: string, end: string): string {
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md must contain ${start} followed by ${end}`);
    return `${readme.slice(0, from + start.length)}\n${block}\n${readme.slice(to)}`;
}

/** `readme` with the stack figures' block replaced. */
export const withFigures = (readme: string, figures: string): string => withBlock(readme, figures, START, END);

/** `readme` with the storefront's measured figures rendered from `measuredJson` (measured.json's text). */
export const withStorefrontFigures = (readme: string, measuredJson: string): string =>
    withBlock(readme, renderStorefrontFigures(parseMeasured(measuredJson)), STOREFRONT_START, STOREFRONT_END);

async function main(argv: readonly string[]): Promise<number> {
    const reports = await withProgramLogOnStderr(currentReports);
    const before = fs.readFileSync(README_FILE, "utf8");
    const after = withStorefrontFigures(withFigures(before, renderFigures(reports)), fs.readFileSync(MEASURED_FILE, "utf8"));
    if (after === before) {
        console.log("README.md figures are up to date");
        return 0;
    }
    if (argv.includes("--check")) {
        console.log("README.md figures are stale: run npm run docs:figures");
        return 1;
    }
    fs.writeFileSync(README_FILE, after);
    console.log("README.md figures rewritten from the stack files and storefront/measured.json");
    return 0;
}

runAsScript(__filename, main);
