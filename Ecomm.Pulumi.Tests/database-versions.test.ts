/**
 * Engine versions AWS creates today and keeps accepting (issue 14, point 1), through the real stack
 * program under the mock engine: with automatic minor upgrades on (the default) the version names the
 * major only, so the provider's prefix match (`17` matches `17.9`) never turns RDS's own minor upgrade
 * into a downgrade; a pinned minor needs automatic upgrades off; and a major upgrade is a sequence with
 * its switch (allowMajorVersionUpgrade + applyImmediately) that cannot stop halfway.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, one, ofType, patched, refused, run, type RecordedResource, OWN_APP, type StackRun } from "./harness";
import { defaultEngineVersion, engineVersionProblem, isMajorOnly } from "../Ecomm.Pulumi/database/rules";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

describe("engine versions: the committed stacks name a major RDS creates and upgrade its minor", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: engineVersion is the major only, automatic minor upgrades on, family of that major`, async () => {
            const r = await run(stack);
            const db = one(r, INSTANCE);
            assert.equal(input(db, "engineVersion"), "17");
            assert.equal(input(db, "autoMinorVersionUpgrade"), true);
            assert.equal(input(one(r, PARAMS), "family"), "postgres17");
            assert.equal(input(db, "allowMajorVersionUpgrade"), false, "no major upgrade without the switch");
        });
    }
});

describe("engine versions: defaults per engine and mode when engineVersion is not set", () => {
    const cases: [string, "dev" | "prod", Parameters<typeof patched>[2], string, string, string][] = [
        ["postgres instance", "dev", {}, INSTANCE, "17", "postgres17"],
        ["mysql instance", "dev", { engine: "mysql" }, INSTANCE, "8.4", "mysql8.4"],
        ["aurora postgres", "dev", { mode: "aurora", instanceClass: "db.t4g.medium" }, CLUSTER, "17", "aurora-postgresql17"],
        ["aurora mysql", "dev", { mode: "aurora", engine: "mysql", instanceClass: "db.t4g.medium" }, CLUSTER, "8.0", "aurora-mysql8.0"],
    ];
    for (const [title, stack, patch, type, version, family] of cases) {
        it(`${title}: ${version}, family ${family}`, async () => {
            const db = patched(stack, "ecomm:database", patch)["ecomm:database"] as Record<string, unknown>;
            delete db.engineVersion;
            const r = await run(stack, { "ecomm:database": db, ...(db.engine === "mysql" ? OWN_APP : {}) });
            assert.equal(input(one(r, type), "engineVersion"), version);
            assert.equal(input(one(r, type === INSTANCE ? PARAMS : CLUSTER_PARAMS), "family"), family);
        });
    }

    it("the pure default is a major for every mode and engine", () => {
        for (const mode of ["single-az", "multi-az-instance", "multi-az-cluster", "aurora"] as const) {
            for (const engine of ["postgres", "mysql"] as const) {
                const v = defaultEngineVersion(mode, engine);
                assert.ok(isMajorOnly(mode, engine, v), `${mode} ${engine} ${v}`);
                assert.equal(engineVersionProblem(mode, engine, v, true), undefined);
            }
        }
    });
});

describe("engine versions: a pinned minor needs automatic minor upgrades off", () => {
    it("refuses 17.7 with automatic upgrades on, naming the key, the value and what is allowed", async () => {
        const err = await refused("prod", patched("prod", "ecomm:database", { engineVersion: "17.7" }));
        assert.match(err.message, /ecomm:database\.engineVersion/);
        assert.match(err.message, /17\.7/);
        assert.match(err.message, /major version only, e\.g\. 17/);
        assert.match(err.message, /autoMinorVersionUpgrade/);
    });

    it("accepts 17.7 with autoMinorVersionUpgrade false and sends both to RDS", async () => {
        const r = await run("prod", patched("prod", "ecomm:database", { engineVersion: "17.7", autoMinorVersionUpgrade: false }));
        const db = one(r, INSTANCE);
        assert.equal(input(db, "engineVersion"), "17.7");
        assert.equal(input(db, "autoMinorVersionUpgrade"), false);
        assert.equal(input(one(r, PARAMS), "family"), "postgres17");
    });

    it("refuses a deprecated minor (16.8) even with automatic upgrades off", async () => {
        const err = await refused("dev", patched("dev", "ecomm:database", { engineVersion: "16.8", autoMinorVersionUpgrade: false }));
        assert.match(err.message, /ecomm:database\.engineVersion/);
        assert.match(err.message, /16\.8 is deprecated: RDS stopped creating 16\.5–16\.8 on 2026-05-01/);
    });

    it("refuses a MySQL minor with automatic upgrades on, and accepts it with them off", async () => {
        const err = await refused("dev", { ...patched("dev", "ecomm:database", { engine: "mysql", engineVersion: "8.4.7" }), ...OWN_APP });
        assert.match(err.message, /ecomm:database\.engineVersion = "8\.4\.7"/);
        const r = await run("dev", { ...patched("dev", "ecomm:database", { engine: "mysql", engineVersion: "8.4.7", autoMinorVersionUpgrade: false }), ...OWN_APP });
        assert.equal(input(one(r, INSTANCE), "engineVersion"), "8.4.7");
    });
});

describe("engine versions: Aurora and Multi-AZ DB clusters follow the same rule", () => {
    it("aurora postgres: the major on the cluster, automatic upgrades on the cluster and every instance", async () => {
        const r = await run("dev", patched("dev", "ecomm:database", { mode: "aurora", engineVersion: "17", instanceClass: "db.t4g.medium" }));
        const cluster = one(r, CLUSTER);
        assert.equal(input(cluster, "engineVersion"), "17");
        assert.equal(input(cluster, "autoMinorVersionUpgrade"), true);
        const members = ofType(r, CLUSTER_INSTANCE);
        assert.equal(members.length, 2);
        for (const m of members) {
            assert.equal(input(m, "autoMinorVersionUpgrade"), true, m.name);
            // Instances inherit the cluster's version: a version on them would be a second pin to drift.
            assert.equal(input(m, "engineVersion"), undefined, m.name);
        }
    });

    it("aurora mysql: refuses a full Aurora version with automatic upgrades on; pins it with them off", async () => {
        const pinned = { mode: "aurora", engine: "mysql", engineVersion: "8.0.mysql_aurora.3.10.0", instanceClass: "db.t4g.medium" };
        const err = await refused("dev", { ...patched("dev", "ecomm:database", pinned), ...OWN_APP });
        assert.match(err.message, /ecomm:database\.engineVersion = "8\.0\.mysql_aurora\.3\.10\.0": "8\.0\.mysql_aurora\.3\.10\.0" pins a minor version; give the major version only, e\.g\. 8\.0/);
        const r = await run("dev", { ...patched("dev", "ecomm:database", { ...pinned, autoMinorVersionUpgrade: false }), ...OWN_APP });
        assert.equal(input(one(r, CLUSTER), "engineVersion"), "8.0.mysql_aurora.3.10.0");
        assert.equal(input(one(r, CLUSTER), "autoMinorVersionUpgrade"), false);
        for (const m of ofType(r, CLUSTER_INSTANCE)) assert.equal(input(m, "autoMinorVersionUpgrade"), false, m.name);
    });

    it("aurora mysql: refuses a community MySQL version, which is not an Aurora version", async () => {
        const err = await refused("dev", { ...patched("dev", "ecomm:database", { mode: "aurora", engine: "mysql", engineVersion: "8.0.40", instanceClass: "db.t4g.medium", autoMinorVersionUpgrade: false }), ...OWN_APP });
        assert.match(err.message, /"8\.0\.40" is not a version of aurora-mysql/);
    });

    it("multi-az-cluster: the major on the cluster, a pinned minor refused with automatic upgrades on", async () => {
        const cluster = { mode: "multi-az-cluster", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 };
        const r = await run("prod", patched("prod", "ecomm:database", cluster));
        assert.equal(input(one(r, CLUSTER), "engineVersion"), "17");
        assert.equal(input(one(r, CLUSTER_PARAMS), "family"), "postgres17");
        const err = await refused("prod", patched("prod", "ecomm:database", { ...cluster, engineVersion: "17.7" }));
        assert.match(err.message, /ecomm:database\.engineVersion = "17\.7"/);
    });
});

describe("a major upgrade of prod: 16 → 17 with the switch", () => {
    let before16: StackRun;
    let after17: StackRun;
    let db16: RecordedResource;
    let db17: RecordedResource;
    before(async () => {
        before16 = await run("prod", patched("prod", "ecomm:database", { engineVersion: "16" }));
        after17 = await run("prod", patched("prod", "ecomm:database", { engineVersion: "17", allowMajorVersionUpgrade: true, applyImmediately: true }));
        db16 = one(before16, INSTANCE);
        db17 = one(after17, INSTANCE);
    });

    it("puts the database on a new parameter group of the new family, auto-named so both can exist at once", () => {
        const g16 = one(before16, PARAMS, "database-params");
        const g17 = one(after17, PARAMS, "database-params");
        assert.equal(input(g16, "family"), "postgres16");
        assert.equal(input(g17, "family"), "postgres17");
        // No fixed name: the provider replaces on `family`, Pulumi creates the new group first (an
        // auto-name differs from the old one), moves the database, and deletes the old group last.
        assert.equal(input(g16, "name"), undefined);
        assert.equal(input(g17, "name"), undefined);
        assert.equal(input(db16, "parameterGroupName"), g16.state.name);
        assert.equal(input(db17, "parameterGroupName"), g17.state.name);
    });

    it("sends the version, allowMajorVersionUpgrade and applyImmediately in the same update", () => {
        assert.equal(input(db16, "engineVersion"), "16");
        assert.equal(input(db17, "engineVersion"), "17");
        assert.equal(input(db16, "allowMajorVersionUpgrade"), false);
        assert.equal(input(db16, "applyImmediately"), false);
        assert.equal(input(db17, "allowMajorVersionUpgrade"), true);
        assert.equal(input(db17, "applyImmediately"), true);
    });

    it("is an update of the same database: same final snapshot lifetime, nothing else in prod changes", () => {
        assert.equal(input(db17, "finalSnapshotIdentifier"), input(db16, "finalSnapshotIdentifier"));
        const shape = (r: StackRun) => r.resources.map((x) => `${x.type} ${x.name}`).sort();
        assert.deepEqual(shape(after17), shape(before16));
    });

    it("without the switch, RDS is told not to move the major (it refuses the modification before anything changes)", async () => {
        const r = await run("prod", patched("prod", "ecomm:database", { engineVersion: "17" }));
        assert.equal(input(one(r, INSTANCE), "allowMajorVersionUpgrade"), false);
        assert.equal(input(one(r, INSTANCE), "applyImmediately"), false);
    });

    it("refuses the switch without applyImmediately in prod, naming the key (the deferred move is what fails halfway)", async () => {
        const err = await refused("prod", patched("prod", "ecomm:database", { engineVersion: "17", allowMajorVersionUpgrade: true }));
        assert.match(err.message, /ecomm:database\.applyImmediately = false: must be true while allowMajorVersionUpgrade is true/);
        assert.match(err.message, /InvalidDBParameterGroupState/);
    });
});
