/**
 * Destroy and recreate work (issue 14, point 4): the final snapshot identifier is unique for each
 * database's lifetime and stable across `up`s. A constant identifier made the second deletion (destroy →
 * up → destroy, or a change of mode) fail with DBSnapshotAlreadyExists.
 *
 * The suffix is a `random.RandomId` whose keepers are the database's replace-on-change inputs. The mock
 * derives its bytes from its name and keepers, which is what state does for the real one: the same
 * inputs on the same state give the same value (no diff on a later `up`), changed keepers replace it.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, one, ofType, patched, run, runFresh, OWN_APP, type StackRun } from "./harness";
import { finalSnapshotIdentifier, snapshotIdentifierProblem } from "../Ecomm.Pulumi/database/rules";

const RANDOM_ID = "random:index/randomId:RandomId";
const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";

function snapshotIdOf(r: StackRun): string {
    const db = ofType(r, INSTANCE).concat(ofType(r, CLUSTER));
    assert.equal(db.length, 1);
    assert.equal(input(db[0], "skipFinalSnapshot"), false);
    return input<string>(db[0], "finalSnapshotIdentifier");
}

describe("final snapshot identifier: one per database lifetime", () => {
    let first: StackRun;
    let second: StackRun;
    before(async () => {
        first = await run("prod");
        // A second run of the program, not the shared one: the same state must give the same identifier.
        second = await runFresh("prod");
        assert.notEqual(second, first);
    });

    it("is the prefix and the lifetime's random suffix, a valid RDS snapshot identifier", () => {
        const id = snapshotIdOf(first);
        const suffix = one(first, RANDOM_ID, "database-final-snapshot-suffix");
        assert.equal(input(suffix, "byteLength"), 4);
        assert.match(String(suffix.state.hex), /^[0-9a-f]{8}$/);
        assert.equal(id, finalSnapshotIdentifier("ecomm-prod-database-final", String(suffix.state.hex)));
        assert.match(id, /^ecomm-prod-database-final-[0-9a-f]{8}$/);
        assert.equal(snapshotIdentifierProblem(id), undefined);
        assert.ok(suffix.parentUrn.includes("ecomm:database:DatabaseComponent"), "the suffix belongs to the database component");
    });

    it("is stable across runs on the same state (no diff on every up)", () => {
        assert.equal(snapshotIdOf(second), snapshotIdOf(first));
        assert.deepEqual(one(second, RANDOM_ID).inputs, one(first, RANDOM_ID).inputs);
    });

    it("keeps the suffix tied to what replaces the database: resource kind, engine, names, key", () => {
        const keepers = input<Record<string, string>>(one(first, RANDOM_ID), "keepers");
        const key = one(first, "aws:kms/key:Key", "database-key");
        assert.deepEqual(keepers, {
            resource: INSTANCE,
            engine: "postgres",
            dbName: "shop",
            masterUsername: "ecomm_admin",
            kmsKeyId: key.state.arn,
            storageEncrypted: "true",
        });
    });

    it("stays the same over changes that update the database in place (class, storage, version, windows)", async () => {
        const r = await run("prod", patched("prod", "ecomm:database", { instanceClass: "db.r7g.large", allocatedStorageGb: 200, engineVersion: "17", maintenanceWindow: "sat:05:00-sat:06:00" }));
        assert.equal(snapshotIdOf(r), snapshotIdOf(first));
    });

    const replacements: [string, Parameters<typeof patched>[2]][] = [
        ["a change of mode to a Multi-AZ DB cluster", { mode: "multi-az-cluster", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 }],
        ["a change of mode to Aurora", { mode: "aurora", instanceClass: "db.r7g.large" }],
        ["a change of engine", { engine: "mysql", engineVersion: "8.4" }],
        ["a change of the database name", { dbName: "store" }],
    ];
    for (const [title, patch] of replacements) {
        it(`gets a new identifier on ${title} (a new database lifetime)`, async () => {
            const r = await run("prod", { ...patched("prod", "ecomm:database", patch), ...(title === "a change of engine" ? OWN_APP : {}) });
            const id = snapshotIdOf(r);
            assert.notEqual(id, snapshotIdOf(first));
            assert.match(id, /^ecomm-prod-database-final-[0-9a-f]{8}$/);
        });
    }

    it("takes no final snapshot and creates no suffix in dev", async () => {
        const r = await run("dev");
        assert.equal(ofType(r, RANDOM_ID).length, 0);
        assert.equal(input(one(r, INSTANCE), "skipFinalSnapshot"), true);
        assert.equal(input(one(r, INSTANCE), "finalSnapshotIdentifier"), undefined);
    });
});

describe("snapshot identifier rules (CreateDBSnapshot / FinalDBSnapshotIdentifier)", () => {
    for (const ok of ["a", "ecomm-prod-database-final-0a1b2c3d", `a${"b".repeat(254)}`]) {
        it(`accepts ${ok.length > 40 ? `${ok.length} characters` : ok}`, () => assert.equal(snapshotIdentifierProblem(ok), undefined));
    }
    for (const [bad, why] of [
        ["", /1–255/],
        [`a${"b".repeat(255)}`, /1–255/],
        ["1final", /start with a lowercase letter/],
        ["final_snapshot", /only lowercase letters, digits and hyphens/],
        ["final--snapshot", /two consecutive hyphens/],
        ["final-", /end with a hyphen/],
    ] as const) {
        it(`refuses ${JSON.stringify(bad.length > 40 ? `${bad.length} characters` : bad)}`, () => assert.match(snapshotIdentifierProblem(bad) ?? "", why));
    }
});
