/**
 * `npm test` runs the program's spec files in a few processes instead of one each: every process pays
 * for loading the Pulumi SDK and the program once, and a golden stack run (`run("prod")`) is made once per
 * process and shared by every file in it (`runStack` keeps finished runs, frozen). Each `<group>.test.ts`
 * here loads its share of the spec files, each inside its own `describe`, so a file's top-level `before`
 * and `after` hooks stay around that file's tests.
 *
 * A spec file still runs alone: `node --import tsx --test Ecomm.Pulumi.Tests/web.test.ts`.
 *
 * The share is decided here, from the spec files on disk, so a new file is picked up without editing
 * anything: files are dealt out largest first to the group with the least work so far (the weights are
 * measured CPU seconds of each file run alone; a file not listed counts as `DEFAULT_WEIGHT`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe } from "node:test";

/** The spec files' folder. */
export const SPEC_ROOT = path.resolve(__dirname, "..");

/** The groups `npm test` runs, one process each (each has a `<name>.test.ts` beside this file). */
export const GROUPS = ["a", "b", "c"] as const;
export type Group = (typeof GROUPS)[number];

/** The default weight of a spec file not in `WEIGHTS`. */
export const DEFAULT_WEIGHT = 1.5;

/**
 * Relative CPU cost of the heavier spec files, by path under Ecomm.Pulumi.Tests: seconds of CPU (user + sys,
 * its spawned processes included) of the file run alone with `/usr/bin/time`, less the ~4.5 s any process pays
 * once to load the SDK and the program and run prod. npm-scripts.test.ts's is almost all its spawns, which
 * run three at a time beside the rest. Only the balance depends on these; a stale figure costs time, never a test.
 */
export const WEIGHTS: Readonly<Record<string, number>> = {
    "npm-scripts.test.ts": 40,
    "database-versions.test.ts": 11,
    "boot.test.ts": 8,
    "database.test.ts": 8,
    "database-final-snapshot.test.ts": 7,
    "web.test.ts": 7,
    "readme.test.ts": 5,
    "urns.test.ts": 5,
    "app.test.ts": 4,
    "domain.test.ts": 4,
    "tools-required.test.ts": 4,
    "rollout.test.ts": 4,
    "network.test.ts": 3,
    "least-privilege.test.ts": 3,
    "plan.test.ts": 3,
    "ami-latest.test.ts": 3,
    "runbook.test.ts": 3,
    "logs.test.ts": 3,
    "report.test.ts": 3,
    "placeholders.test.ts": 3,
    "outputs.test.ts": 3,
    "tags.test.ts": 3,
};

/** Every spec file under `root` (recursively, not this folder), as sorted paths relative to `root`. */
export function specFiles(root: string = SPEC_ROOT): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (full !== __dirname && entry.name !== "__snapshots__" && entry.name !== "node_modules") walk(full);
            } else if (entry.name.endsWith(".test.ts")) {
                out.push(path.relative(root, full).split(path.sep).join("/"));
            }
        }
    };
    walk(root);
    return out.sort();
}

/**
 * Deals `files` to `groups`: heaviest first (ties by name), each to the group with the least weight so far
 * (ties to the earlier group). Deterministic, and every file lands in exactly one group.
 */
export function assignGroups<G extends string>(files: readonly string[], groups: readonly G[], weightOf: (file: string) => number): Map<G, string[]> {
    const load = new Map<G, number>(groups.map((g) => [g, 0]));
    const out = new Map<G, string[]>(groups.map((g) => [g, []]));
    const order = [...files].sort((x, y) => weightOf(y) - weightOf(x) || x.localeCompare(y));
    for (const file of order) {
        let best = groups[0];
        for (const g of groups) if ((load.get(g) ?? 0) < (load.get(best) ?? 0)) best = g;
        load.set(best, (load.get(best) ?? 0) + weightOf(file));
        out.get(best)!.push(file);
    }
    for (const list of out.values()) list.sort();
    return out;
}

export const weightOf = (file: string): number => WEIGHTS[file] ?? DEFAULT_WEIGHT;

/** Loads `group`'s spec files into this process, each wrapped in a `describe` named after the file. */
export function runGroup(group: Group): void {
    const files = assignGroups(specFiles(), GROUPS, weightOf).get(group) ?? [];
    for (const file of files) {
        describe(file, () => {
            // Synchronously, inside the describe: the file's top-level tests and hooks register into it.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(path.join(SPEC_ROOT, file));
        });
    }
}
