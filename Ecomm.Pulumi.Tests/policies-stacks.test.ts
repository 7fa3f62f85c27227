import { before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { run, type StackRun } from "./harness";
import { blocks, evaluatePolicies, type AnyPolicyPackConfig } from "../Ecomm.Policy/evaluate";
import { DEV_ADVISORY_POLICIES, POLICY_PACK_NAME } from "../Ecomm.Policy/pack";
import { configsEachPathPasses, type PathConfig } from "./policy-paths";

/** The recorded resources as the policy engine sees them: inputs overlaid with known outputs. */
function asPolicyResources(r: StackRun): PolicyResource[] {
    return r.resources.map((x) => ({ type: x.type, name: x.name, urn: x.urn, props: { ...x.inputs, ...x.state }, opts: {}, isComponent: !x.custom }) as unknown as PolicyResource);
}

const RDS = "aws:rds/instance:Instance";
const LB = "aws:lb/loadBalancer:LoadBalancer";

/** The stack's resources with one resource of `type` changed by `patch` (a violation injected). */
function withPatch(resources: readonly PolicyResource[], type: string, patch: Record<string, unknown>): PolicyResource[] {
    let done = false;
    const out = resources.map((r) => {
        if (done || r.type !== type) return r;
        done = true;
        return { ...r, props: { ...r.props, ...patch } } as PolicyResource;
    });
    assert.ok(done, `the stack has no ${type} to patch`);
    return out;
}

const render = (vs: readonly { policy: string; resource: string; message: string; enforcementLevel: string }[]) =>
    vs.map((v) => `${v.enforcementLevel} ${v.policy} ${v.resource}: ${v.message}`);

describe("the policy pack over the real stacks, with the config each path passes", () => {
    const resources: Partial<Record<"dev" | "prod", PolicyResource[]>> = {};
    let paths: PathConfig[] = [];
    before(async () => {
        resources.dev = asPolicyResources(await run("dev"));
        resources.prod = asPolicyResources(await run("prod"));
        paths = await configsEachPathPasses();
    });
    const of = (stack: "dev" | "prod") => resources[stack] ?? assert.fail(`no ${stack} run`);
    /** Every config `path` passes for `stack` (the docs run the pack in several commands); at least one. */
    const configsFor = (path: PathConfig["path"], stack: "dev" | "prod"): { where: string; config: AnyPolicyPackConfig }[] => {
        const found = paths.filter((p) => p.path === path && p.stack === stack);
        assert.ok(found.length > 0, `${path} passes no config for ${stack}`);
        return found;
    };

    it("every path (CLI in the docs, GitHub Actions, Pulumi Cloud policy groups) passes a config for both stacks, and runs this pack", () => {
        assert.deepEqual(
            [...new Set(paths.map((p) => `${p.path} ${p.stack}`))].sort(),
            ["actions dev", "actions prod", "cli dev", "cli prod", "cloud dev", "cloud prod"],
        );
        for (const p of paths) assert.equal(p.pack, p.path === "cloud" ? POLICY_PACK_NAME : "Ecomm.Policy", p.where);
        assert.equal(paths.filter((p) => p.path === "actions").length, 2, "one preview per stack");
        assert.equal(paths.filter((p) => p.path === "cloud").length, 2, "one policy group entry per stack");
    });

    for (const path of ["cli", "actions", "cloud"] as const) {
        describe(`path: ${path}`, () => {
            it("dev passes: its only violations are the five deliberate trade-offs, all advisory", async () => {
                for (const { where, config } of configsFor(path, "dev")) {
                    const violations = await evaluatePolicies(of("dev"), config);
                    assert.equal(blocks(violations), false, `${where}:\n${render(violations).join("\n")}`);
                    assert.deepEqual([...new Set(violations.map((v) => v.policy))].sort(), [...DEV_ADVISORY_POLICIES].sort(), where);
                    assert.ok(violations.every((v) => v.enforcementLevel === "advisory"), where);
                }
            });

            it("dev is still blocked by a rule it does not relax (a publicly accessible database)", async () => {
                for (const { where, config } of configsFor(path, "dev")) {
                    const violations = await evaluatePolicies(withPatch(of("dev"), RDS, { publiclyAccessible: true }), config);
                    assert.equal(blocks(violations), true, where);
                    assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy), ["rds-2-not-publicly-accessible"], where);
                }
            });

            it("prod passes as it is: zero violations", async () => {
                for (const { where, config } of configsFor(path, "prod")) assert.deepEqual(render(await evaluatePolicies(of("prod"), config)), [], where);
            });

            it("prod is blocked by a rule dev relaxes (single-AZ database)", async () => {
                for (const { where, config } of configsFor(path, "prod")) {
                    const violations = await evaluatePolicies(withPatch(of("prod"), RDS, { multiAz: false }), config);
                    assert.equal(blocks(violations), true, where);
                    assert.deepEqual(render(violations), [`mandatory rds-5-multi-az ${violations[0]?.resource}: multiAz must be true`], where);
                }
            });

            it("prod is blocked by a load balancer without deletion protection", async () => {
                for (const { where, config } of configsFor(path, "prod")) {
                    const violations = await evaluatePolicies(withPatch(of("prod"), LB, { enableDeletionProtection: false }), config);
                    assert.equal(blocks(violations), true, where);
                    assert.deepEqual(violations.map((v) => `${v.enforcementLevel} ${v.policy}`), ["mandatory elb-6-alb-deletion-protection"], where);
                }
            });
        });
    }

    it("without any config (the pack's own levels), dev is blocked: the config is what lets dev through", async () => {
        const violations = await evaluatePolicies(of("dev"), {});
        assert.equal(blocks(violations), true);
    });
});
