/**
 * Lists and contracts with one source: the database modes (the output contract's list, which the
 * database rules, monitoring, resilience and the report call), and gameday's output schema (picked from
 * the output contract and checked against what real offline stacks export), and the stack's AZ list (the
 * network module's rule, which stack.ts calls).
 */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { CLUSTER_MODES, ECOMM_DATABASE_MODES, OUTPUT_NAMES, outputNamesFor, type EcommDatabaseMode } from "../Ecomm.Pulumi/outputs";
import { DATABASE_MODES, hasStandby, instanceCount, isClusterMode, isInstanceMode, requiredAvailabilityZones, STANDBY_MODES } from "../Ecomm.Pulumi/database/modes";
import { hasReplicaLag } from "../Ecomm.Pulumi/monitoring/alarms";
import { dbFailoverRefusal } from "../Ecomm.Pulumi/resilience/experiments";
import { GAMEDAY_OUTPUTS, parseStackOutputs, stackOutputsSchema } from "../tools/gameday/outputs";
import { runGolden } from "../tools/offline/urn-freeze";
import { availabilityZoneCount, resolveAvailabilityZoneNames } from "../Ecomm.Pulumi/network/availability-zones";

describe("database modes: one list", () => {
    it("the rules' list is the contract's list, and the mode families partition it", () => {
        assert.equal(DATABASE_MODES, ECOMM_DATABASE_MODES);
        assert.deepEqual(DATABASE_MODES.filter(isClusterMode), [...CLUSTER_MODES]);
        assert.deepEqual(DATABASE_MODES.filter(isInstanceMode), ["single-az", "multi-az-instance"]);
        assert.deepEqual([...STANDBY_MODES], ["multi-az-instance", "multi-az-cluster", "aurora"]);
        assert.deepEqual(DATABASE_MODES.filter(hasStandby), [...STANDBY_MODES]);
    });

    it("monitoring's replica-lag modes are the cluster modes", () => {
        assert.deepEqual(DATABASE_MODES.filter(hasReplicaLag), [...CLUSTER_MODES]);
    });

    it("db-failover is refused exactly where there is no standby, naming the modes that have one", () => {
        assert.deepEqual(
            DATABASE_MODES.filter((m) => dbFailoverRefusal(m) !== undefined),
            ["single-az"],
        );
        assert.equal(
            dbFailoverRefusal("single-az"),
            "db-failover needs a standby: ecomm:database.mode is single-az, which has none (a forced failover would be refused by RDS). Use multi-az-instance, multi-az-cluster or aurora.",
        );
    });

    it("instance count per mode: one, three for a Multi-AZ DB cluster, writer + readers for Aurora; AZs follow", () => {
        const counts = Object.fromEntries(DATABASE_MODES.map((m) => [m, [instanceCount(m, 2), requiredAvailabilityZones(m, 2)]]));
        assert.deepEqual(counts, { "single-az": [1, 1], "multi-az-instance": [1, 2], "multi-az-cluster": [3, 3], aurora: [3, 3] });
        assert.equal(instanceCount("aurora", 1), 2);
        assert.equal(instanceCount("aurora", 15), 16);
    });
});

describe("gameday's output schema is the output contract's", () => {
    it("reads only outputs the contract defines, exactly the names GAMEDAY_OUTPUTS lists", () => {
        assert.deepEqual(Object.keys(stackOutputsSchema.shape).sort(), [...GAMEDAY_OUTPUTS].sort());
        const unknown = GAMEDAY_OUTPUTS.filter((n) => !(OUTPUT_NAMES as readonly string[]).includes(n));
        assert.deepEqual(unknown, []);
    });

    for (const golden of ["dev", "prod-aurora"]) {
        it(`every output gameday reads is one the ${golden} stack exports (or one its database mode leaves out), with the same value`, async () => {
            const run = await runGolden(golden);
            const mode = run.outputs.dbMode as EcommDatabaseMode;
            const exported = new Set(outputNamesFor(mode));
            const missing = GAMEDAY_OUTPUTS.filter((n) => !(n in run.outputs) && exported.has(n));
            assert.deepEqual(missing, [], `gameday reads outputs the ${golden} stack does not export`);
            const notInMode = GAMEDAY_OUTPUTS.filter((n) => !exported.has(n));
            assert.deepEqual(notInMode, mode === "aurora" ? [] : ["dbClusterIdentifier"]);

            const parsed = parseStackOutputs(run.outputs);
            for (const name of GAMEDAY_OUTPUTS) assert.deepEqual(parsed[name], run.outputs[name], name);
            assert.ok(Object.keys(parsed.experimentTemplateIds).length > 0 || golden !== "dev", "dev has experiment templates");
        });
    }

    it("an output the contract has in some database modes only is optional; the others are required", () => {
        assert.throws(
            () => parseStackOutputs({ environment: "staging", region: "us-east-1", experimentTemplateIds: {}, dbInstanceIdentifiers: "ecomm-db" }),
            (e: Error) =>
                / {2}- environment: must be the stack's environment \("dev" \| "prod"; Ecomm\.Pulumi\/outputs\.ts\)/.test(e.message) &&
                / {2}- dbInstanceIdentifiers: must be DB instance identifiers/.test(e.message) &&
                e.message.includes("  - albArnSuffix: must be") &&
                !e.message.includes("dbClusterIdentifier"),
        );
    });
});

describe("the stack's AZs: one rule (network/availability-zones.ts)", () => {
    const REGION_ZONES = ["us-east-1c", "us-east-1a", "us-east-1-bos-1a", "us-east-1b", "us-east-1d"];

    it("pinned names win and the region is not asked", async () => {
        let asked = 0;
        const lookUp = async () => {
            asked++;
            return REGION_ZONES;
        };
        const pinned = { availabilityZones: 2, availabilityZoneNames: ["us-east-1d", "us-east-1b"] };
        assert.deepEqual(await resolveAvailabilityZoneNames(pinned, "us-east-1", lookUp), ["us-east-1d", "us-east-1b"]);
        assert.equal(asked, 0);
        assert.equal(availabilityZoneCount(pinned), 2);
    });

    it("else the first N AZs of the region by name, Local Zones left out; undefined when the region has fewer", async () => {
        const lookUp = async () => REGION_ZONES;
        assert.deepEqual(await resolveAvailabilityZoneNames({ availabilityZones: 3 }, "us-east-1", lookUp), ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert.deepEqual(await resolveAvailabilityZoneNames({ availabilityZones: 4 }, "us-east-1", lookUp), ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]);
        assert.equal(await resolveAvailabilityZoneNames({ availabilityZones: 5 }, "us-east-1", lookUp), undefined);
    });
});
