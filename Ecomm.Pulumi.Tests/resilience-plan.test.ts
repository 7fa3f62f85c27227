/** Which experiments a stack's config gets, and the plain values the templates are built from. */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { offlineStackConfig } from "./harness";
import {
    cpuStressDocumentParameters, databaseFailoverAction, dbFailoverRefusal, isoMinutes, planExperiments,
} from "../Ecomm.Pulumi/resilience/experiments";

const configOf = (stack: string, resilience?: unknown) => {
    const raw = offlineStackConfig(stack);
    return parseStackConfig(resilience === undefined ? raw : { ...raw, "ecomm:resilience": JSON.stringify(resilience) });
};

describe("planExperiments: templates exist only when enabled", () => {
    it("dev (enabled by default, single-AZ database) gets three, and is told why not db-failover", () => {
        const c = configOf("dev");
        const plan = planExperiments(c.resilience, c.database.mode);
        assert.deepEqual(plan.experiments, ["azPower", "azNetwork", "cpu"]);
        assert.equal(plan.skipped.length, 1);
        assert.equal(plan.skipped[0].experiment, "dbFailover");
        assert.match(plan.skipped[0].reason, /^db-failover needs a standby: ecomm:database\.mode is single-az/);
    });

    it("prod gets none until it opts in, then all four", () => {
        const off = configOf("prod");
        assert.deepEqual(planExperiments(off.resilience, off.database.mode), {
            experiments: [],
            skipped: ["azPower", "azNetwork", "dbFailover", "cpu"].map((experiment) => ({ experiment, reason: "ecomm:resilience.enabled is false" })),
        });
        const on = configOf("prod", { enabled: true });
        assert.deepEqual(planExperiments(on.resilience, on.database.mode), { experiments: ["azPower", "azNetwork", "dbFailover", "cpu"], skipped: [] });
    });

    it("dev can turn them off", () => {
        const c = configOf("dev", { enabled: false });
        assert.deepEqual(planExperiments(c.resilience, c.database.mode).experiments, []);
    });
});

describe("values FIS accepts", () => {
    it("durations are ISO-8601 minutes", () => {
        assert.equal(isoMinutes(5), "PT5M");
        assert.equal(isoMinutes(60), "PT60M");
        assert.throws(() => isoMinutes(0), /whole number of minutes >= 1, not 0/);
        assert.throws(() => isoMinutes(1.5), /not 1.5/);
    });

    it("the stress document gets string parameters, duration in seconds", () => {
        assert.equal(cpuStressDocumentParameters(5, 90), '{"DurationSeconds":"300","CPU":"0","LoadPercent":"90","InstallDependencies":"True"}');
        assert.throws(() => cpuStressDocumentParameters(5, 101), /1–100 %, not 101/);
    });

    it("the failover action follows the database mode", () => {
        assert.deepEqual(databaseFailoverAction("multi-az-instance"), { actionId: "aws:rds:reboot-db-instances", resourceType: "aws:rds:db", targetKey: "DBInstances", parameters: { forceFailover: "true" } });
        for (const mode of ["multi-az-cluster", "aurora"] as const) {
            assert.deepEqual(databaseFailoverAction(mode), { actionId: "aws:rds:failover-db-cluster", resourceType: "aws:rds:cluster", targetKey: "Clusters", parameters: {} });
        }
        assert.equal(dbFailoverRefusal("aurora"), undefined);
        assert.throws(() => databaseFailoverAction("single-az"), /single-az, which has none/);
    });
});
