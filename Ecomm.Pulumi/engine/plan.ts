/** What `npm run plan` prints, as text or as its stable JSON document. */
import type { StackRun } from "./run";
import { countByType, renderCounts, renderOutputs, renderTree } from "./render";

/** The stable `--json` document. */
export interface PlanJson {
    readonly stack: string;
    readonly resourceCount: number;
    readonly countsByType: Record<string, number>;
    readonly resources: { type: string; name: string; urn: string; parentUrn: string; protect: boolean }[];
    readonly outputs: Readonly<Record<string, unknown>>;
}

export function planJson(run: StackRun): PlanJson {
    return {
        stack: run.stack,
        resourceCount: run.resources.length,
        countsByType: Object.fromEntries(countByType(run.resources)),
        resources: run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parentUrn: r.parentUrn, protect: r.protect })),
        outputs: run.outputs,
    };
}

export function planText(run: StackRun): string {
    return [
        `Plan for stack "${run.stack}" (offline, mock engine): ${run.resources.length} resources`,
        "",
        "Resources",
        renderTree(run.resources),
        "",
        "Count by type",
        renderCounts(run.resources),
        "",
        "Stack outputs",
        renderOutputs(run.outputs),
    ].join("\n");
}

