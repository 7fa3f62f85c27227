/**
 * `npm run snapshot:update`: rewrites the frozen real URNs of the golden stacks, for a deliberate change.
 * `-- --check` writes nothing: it says whether the snapshot is current and exits 1 when it is not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT, withProgramLogOnStderr } from "../tools/offline/run";
import { frozenUrns, GOLDEN_STACKS, runGolden } from "../tools/offline/urn-freeze";

export const SNAPSHOT = path.join(PROJECT_ROOT, "Ecomm.Pulumi.Tests", "__snapshots__", "urns.json");

async function main(): Promise<void> {
    const snapshot: Record<string, string[]> = {};
    // One stack at a time: each run resets the mock engine's global state.
    for (const name of Object.keys(GOLDEN_STACKS)) snapshot[name] = frozenUrns(await withProgramLogOnStderr(() => runGolden(name)));
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (process.argv.includes("--check")) {
        const current = fs.existsSync(SNAPSHOT) ? fs.readFileSync(SNAPSHOT, "utf8") : "";
        console.log(current === text ? `${path.relative(PROJECT_ROOT, SNAPSHOT)} is up to date` : `${path.relative(PROJECT_ROOT, SNAPSHOT)} is stale: run npm run snapshot:update`);
        process.exitCode = current === text ? 0 : 1;
        return;
    }
    fs.writeFileSync(SNAPSHOT, text);
    console.log(`wrote ${path.relative(PROJECT_ROOT, SNAPSHOT)}: ${Object.entries(snapshot).map(([s, u]) => `${s} ${u.length}`).join(", ")} URNs`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
