/** `npm run snapshot:update`: rewrites the frozen URNs of stateful resources, for a deliberate change. */
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, PROJECT_ROOT, runStack } from "../Ecomm.Pulumi/engine/run";
import { statefulUrns } from "../Ecomm.Pulumi/engine/stateful";

export const SNAPSHOT = path.join(PROJECT_ROOT, "Ecomm.Pulumi.Tests", "__snapshots__", "stateful-urns.json");

async function main(): Promise<void> {
    const snapshot: Record<string, string[]> = {};
    for (const stack of listStacks()) snapshot[stack] = statefulUrns((await runStack({ stack })).resources);
    fs.writeFileSync(SNAPSHOT, `${JSON.stringify(snapshot, null, 2)}\n`);
    console.log(`wrote ${SNAPSHOT}: ${Object.entries(snapshot).map(([s, u]) => `${s} ${u.length}`).join(", ")} URNs`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
