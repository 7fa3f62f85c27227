/**
 * How `npm test` shares work: spec files dealt to a few processes (./groups/plan.ts), and stack runs
 * kept per process by everything that decides them, frozen so no test changes what another sees.
 */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { patched, run } from "./harness";
import { assignGroups, GROUPS, SPEC_ROOT, specFiles, weightOf } from "./groups/plan";
import { PROJECT_ROOT } from "../tools/offline/run";

describe("spec files dealt to groups", () => {
    it("every spec file on disk is in exactly one group, and nothing else is", () => {
        const files = specFiles();
        const onDisk = fs.readdirSync(SPEC_ROOT).filter((f) => f.endsWith(".test.ts")).sort();
        for (const f of onDisk) assert.ok(files.includes(f), `${f} is not dealt to any group`);
        assert.ok(files.includes("runner.test.ts"));
        assert.ok(!files.some((f) => f.startsWith("groups/")), "the group entry files are not spec files");
        const dealt = [...assignGroups(files, GROUPS, weightOf).values()].flat().sort();
        assert.deepEqual(dealt, files);
    });

    it("deals heaviest first to the least-loaded group, ties to the earlier group and by name", () => {
        const weights: Record<string, number> = { "a.test.ts": 1, "b.test.ts": 5, "c.test.ts": 3, "d.test.ts": 3, "e.test.ts": 1 };
        const groups = assignGroups(Object.keys(weights), ["x", "y"], (f) => weights[f]);
        // b(5) -> x; c(3) -> y; d(3) -> y (3 < 5); a(1) -> x (5 < 6); e(1) -> x (6 = 6, earlier group)
        assert.deepEqual(Object.fromEntries(groups), { x: ["a.test.ts", "b.test.ts", "e.test.ts"], y: ["c.test.ts", "d.test.ts"] });
    });

    it("npm test runs one entry file per group, and the storefront's files", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
        assert.match(pkg.scripts.test, /^node --import tsx --test --test-concurrency=3 Ecomm\.Pulumi\.Tests\/groups\/\*\.test\.ts storefront\/test\/\*\.test\.ts$/);
        const entries = fs.readdirSync(path.join(SPEC_ROOT, "groups")).filter((f) => f.endsWith(".test.ts")).sort();
        assert.deepEqual(entries, GROUPS.map((g) => `${g}.test.ts`));
        for (const g of GROUPS) assert.match(fs.readFileSync(path.join(SPEC_ROOT, "groups", `${g}.test.ts`), "utf8"), new RegExp(`runGroup\\("${g}"\\)`));
    });
});

describe("stack runs shared within a process", () => {
    it("the same stack and config give the same run, frozen down to each input", async () => {
        const first = await run("dev");
        const again = await run("dev", {});
        assert.equal(again, first);
        assert.ok(Object.isFrozen(first) && Object.isFrozen(first.resources) && Object.isFrozen(first.outputs));
        const alb = first.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
        assert.ok(alb);
        assert.ok(Object.isFrozen(alb.inputs));
        assert.throws(() => {
            (alb.inputs as Record<string, unknown>).idleTimeout = 1;
        }, TypeError);
        assert.throws(() => (first.resources as unknown[]).push(alb), TypeError);
    });

    it("a changed config, or a key removed, is a run of its own", async () => {
        const base = await run("dev");
        const patchedRun = await run("dev", patched("dev", "ecomm:loadBalancer", { idleTimeoutSeconds: 300 }));
        assert.notEqual(patchedRun, base);
        const albOf = (r: typeof base) => r.resources.find((x) => x.type === "aws:lb/loadBalancer:LoadBalancer")?.inputs.idleTimeout;
        assert.equal(albOf(patchedRun), 300);
        assert.notEqual(albOf(base), 300);
        const removed = await run("dev", { "ecomm:loadBalancer": undefined });
        assert.notEqual(removed, base);
        assert.equal(removed.config["ecomm:loadBalancer"], undefined);
    });

    it("a run leaves the process's stack-trace limit as it found it", async () => {
        const before = Error.stackTraceLimit;
        await run("dev", { "ecomm:loadBalancer": undefined });
        assert.equal(Error.stackTraceLimit, before);
        assert.ok(before > 0);
    });
});
