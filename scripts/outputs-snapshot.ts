/**
 * The frozen list of output names and types per stack (`Ecomm.Pulumi.Tests/__snapshots__/outputs.json`),
 * what changed against it, and what each change means for consumers. The test `outputs.test.ts` fails on
 * any difference; `npm run snapshot:outputs` records the current outputs after an addition, and refuses a
 * removal, rename or type change unless given `--accept-breaking`. `--check` writes nothing: it prints what
 * changed and exits 1 when the snapshot is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeOutput, isContractOutput, typeText } from "../Ecomm.Pulumi/outputs";
import { listStacks, PROJECT_ROOT, runStack, withProgramLogOnStderr } from "../tools/offline/run";
import { runAsScript } from "../tools/exit";

export const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "Ecomm.Pulumi.Tests", "__snapshots__", "outputs.json");

/** Stack name → output name → type text (`string`, `string[]`, `"dev" | "prod"`), names sorted. */
export type OutputSnapshot = Record<string, Record<string, string>>;

/** An output's type as recorded: the contract's type, or the value's own shape when it is not in the contract. */
function recordedType(name: string, value: unknown): string {
    if (isContractOutput(name)) return typeText(describeOutput(name).type);
    const shape = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    return `${shape} (not in the contract)`;
}

/** The names and types of one stack's resolved outputs. */
export function snapshotOf(outputs: Readonly<Record<string, unknown>>): Record<string, string> {
    return Object.fromEntries(
        Object.keys(outputs)
            .sort()
            .map((name) => [name, recordedType(name, outputs[name])]),
    );
}

export function readSnapshot(file = SNAPSHOT_FILE): OutputSnapshot {
    return JSON.parse(fs.readFileSync(file, "utf8")) as OutputSnapshot;
}

export function formatSnapshot(snapshot: OutputSnapshot): string {
    const sorted = Object.fromEntries(Object.keys(snapshot).sort().map((stack) => [stack, snapshot[stack]]));
    return `${JSON.stringify(sorted, null, 2)}\n`;
}

export interface SnapshotDiff {
    readonly stack: string;
    readonly added: readonly { readonly name: string; readonly type: string }[];
    readonly removed: readonly { readonly name: string; readonly type: string }[];
    readonly retyped: readonly { readonly name: string; readonly from: string; readonly to: string }[];
}

/** What changed per stack between the frozen snapshot and the current outputs (stacks in either). */
export function diffSnapshots(frozen: OutputSnapshot, current: OutputSnapshot): SnapshotDiff[] {
    const stacks = [...new Set([...Object.keys(frozen), ...Object.keys(current)])].sort();
    return stacks.map((stack) => {
        const before = frozen[stack] ?? {};
        const after = current[stack] ?? {};
        return {
            stack,
            added: Object.keys(after)
                .filter((name) => !(name in before))
                .map((name) => ({ name, type: after[name] })),
            removed: Object.keys(before)
                .filter((name) => !(name in after))
                .map((name) => ({ name, type: before[name] })),
            retyped: Object.keys(after)
                .filter((name) => name in before && before[name] !== after[name])
                .map((name) => ({ name, from: before[name], to: after[name] })),
        };
    });
}

/** The removals and type changes, each explained for the teams that read the output; "" when none. */
export function explainBreaks(diffs: readonly SnapshotDiff[]): string {
    const lines: string[] = [];
    for (const d of diffs) {
        for (const r of d.removed) {
            const renamedTo = d.added.filter((a) => a.type === r.type).map((a) => `"${a.name}"`);
            lines.push(
                `- ${d.stack}: output "${r.name}" (${r.type}) is gone` +
                    (renamedTo.length > 0 ? ` — renamed to ${renamedTo.join(" or ")}?` : "") +
                    `. Consumers reading it with contractOutput()/requireOutput() fail at their next \`pulumi up\`; ` +
                    `getOutput() readers silently get undefined.`,
            );
        }
        for (const t of d.retyped) {
            lines.push(`- ${d.stack}: output "${t.name}" changed type ${t.from} → ${t.to}. Consumers typed against the contract break or misread the value.`);
        }
    }
    if (lines.length === 0) return "";
    return [
        "Breaking change to the stack outputs other teams consume:",
        ...lines,
        "Renaming or removing an output breaks consumers (docs/outputs.md, \"Breaking changes\"). Keep the old output",
        "exported next to the new one and mark it `deprecated` in OUTPUT_CONTRACT (Ecomm.Pulumi/outputs.ts); remove it",
        "only once consumers have moved, then record it with `npm run snapshot:outputs -- --accept-breaking`.",
    ].join("\n");
}

/** The additions, with what to do about them; "" when none. */
export function explainAdditions(diffs: readonly SnapshotDiff[]): string {
    const lines = diffs.flatMap((d) => d.added.map((a) => `- ${d.stack}: new output "${a.name}" (${a.type})`));
    if (lines.length === 0) return "";
    return [
        "New stack outputs (adding is fine, but deliberate):",
        ...lines,
        "Describe each in OUTPUT_CONTRACT (Ecomm.Pulumi/outputs.ts: type, meaning, stability), record it in",
        "Ecomm.Pulumi.Tests/__snapshots__/outputs.json with `npm run snapshot:outputs`, then `npm run docs:outputs`.",
    ].join("\n");
}

/** Runs every stack offline and returns its output names and types. */
export async function currentSnapshot(): Promise<OutputSnapshot> {
    const snapshot: OutputSnapshot = {};
    for (const stack of listStacks()) snapshot[stack] = snapshotOf((await runStack({ stack })).outputs);
    return snapshot;
}

async function main(argv: readonly string[]): Promise<number> {
    const acceptBreaking = argv.includes("--accept-breaking");
    const current = await withProgramLogOnStderr(currentSnapshot);
    const frozen = fs.existsSync(SNAPSHOT_FILE) ? readSnapshot() : {};
    const diffs = diffSnapshots(frozen, current);
    const breaks = explainBreaks(diffs);
    if (argv.includes("--check")) {
        const changes = [breaks, explainAdditions(diffs)].filter(Boolean).join("\n\n");
        console.log(changes ? `${changes}\n\n${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)} is stale: run npm run snapshot:outputs` : `${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)} is up to date`);
        return changes ? 1 : 0;
    }
    if (breaks && !acceptBreaking) {
        console.error(`${breaks}\n\nNothing written.`);
        return 1;
    }
    const notInContract = Object.entries(current).flatMap(([stack, names]) =>
        Object.keys(names)
            .filter((name) => !isContractOutput(name))
            .map((name) => `${stack}: ${name}`),
    );
    if (notInContract.length > 0) {
        console.error(`Outputs missing from OUTPUT_CONTRACT (Ecomm.Pulumi/outputs.ts): ${notInContract.join(", ")}. Describe them there first. Nothing written.`);
        return 1;
    }
    fs.mkdirSync(path.dirname(SNAPSHOT_FILE), { recursive: true });
    fs.writeFileSync(SNAPSHOT_FILE, formatSnapshot(current));
    const changes = [breaks, explainAdditions(diffs)].filter(Boolean).join("\n\n");
    console.log(`${changes || "No change."}\n\nWrote ${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)}.`);
    return 0;
}

runAsScript(__filename, main);
