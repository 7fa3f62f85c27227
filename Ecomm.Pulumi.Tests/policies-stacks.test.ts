import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { run, type StackRun } from "./harness";
import { enforcementFor, evaluatePolicies } from "../Ecomm.Policy/evaluate";

/** The recorded resources as the policy engine sees them: inputs overlaid with known outputs. */
function asPolicyResources(r: StackRun): PolicyResource[] {
    return r.resources.map((x) => ({ type: x.type, name: x.name, urn: x.urn, props: { ...x.inputs, ...x.state }, opts: {}, isComponent: !x.custom }) as unknown as PolicyResource);
}

describe("the policy pack over the real stacks", () => {
    it("prod has zero mandatory violations", async () => {
        const r = await run("prod");
        const violations = await evaluatePolicies(asPolicyResources(r), enforcementFor("prod"));
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("dev only triggers advisories, and they are the deliberate dev trade-offs", async () => {
        const r = await run("dev");
        const violations = await evaluatePolicies(asPolicyResources(r), enforcementFor("dev"));
        for (const v of violations) console.log(`advisory (dev): ${v.policy} on ${v.resource}: ${v.message}`);
        assert.ok(violations.every((v) => v.enforcementLevel === "advisory"));
        assert.deepEqual([...new Set(violations.map((v) => v.policy))].sort(), [
            "elb-5-alb-access-logging",
            "elb-6-alb-deletion-protection",
            "rds-11-backups-7-days",
            "rds-5-multi-az",
            "rds-8-deletion-protection",
        ]);
    });
});
