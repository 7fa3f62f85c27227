/**
 * The stack passes no client security group until the web tier lands, so this file builds the
 * component on its own under the mocks, with given client groups, and checks the ingress rules.
 */
import { databaseArgs } from "./fixtures";
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcommMocks, type RecordedResource } from "../tools/offline/mocks";
import { settle } from "../tools/offline/run";
import { DatabaseComponent, type DatabaseComponentArgs } from "../Ecomm.Pulumi/database/database-component";

const BACKEND_SG = "sg-0b4c6e5d0000000a1";
const WORKER_SG = "sg-0b4c6e5d0000000b2";

const args: DatabaseComponentArgs = databaseArgs({ engine: "mysql", engineVersion: "8.0", clientSecurityGroupIds: [BACKEND_SG, pulumi.output(WORKER_SG)], deletionProtection: true });

describe("DatabaseComponent with given client security groups", () => {
    let mocks: EcommMocks;
    before(async () => {
        mocks = new EcommMocks("us-east-1");
        pulumi.runtime.setAllConfig({ "aws:region": "us-east-1" }, []);
        await pulumi.runtime.setMocks(mocks, "ecomm", "unit", false);
        await pulumi.runtime.runInPulumiStack(async () => {
            const db = new DatabaseComponent("database", args);
            return { sg: db.securityGroupId };
        });
        await settle(mocks);
    });

    const rules = (): RecordedResource[] => mocks.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");

    it("admits each client group, and exactly it, on the engine's port over TCP", () => {
        const sg = mocks.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "database-sg");
        assert.ok(sg);
        assert.deepEqual(
            rules().map((r) => ({
                securityGroupId: r.inputs.securityGroupId,
                referencedSecurityGroupId: r.inputs.referencedSecurityGroupId,
                ipProtocol: r.inputs.ipProtocol,
                fromPort: r.inputs.fromPort,
                toPort: r.inputs.toPort,
            })),
            [
                { securityGroupId: sg.id, referencedSecurityGroupId: BACKEND_SG, ipProtocol: "tcp", fromPort: 3306, toPort: 3306 },
                { securityGroupId: sg.id, referencedSecurityGroupId: WORKER_SG, ipProtocol: "tcp", fromPort: 3306, toPort: 3306 },
            ],
        );
    });

    it("opens nothing to CIDR ranges or prefix lists, and adds no egress", () => {
        for (const r of rules()) {
            for (const key of ["cidrIpv4", "cidrIpv6", "prefixListId"]) assert.equal(r.inputs[key], undefined, `${r.name}.${key}`);
        }
        assert.equal(mocks.resources.filter((r) => r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length, 0);
        const sg = mocks.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
        assert.equal(sg?.inputs.ingress, undefined);
        assert.equal(sg?.inputs.egress, undefined);
    });

    it("protects nothing when protect is not asked for, and takes no final snapshot without an identifier", () => {
        const db = mocks.resources.find((r) => r.type === "aws:rds/instance:Instance");
        assert.ok(db);
        assert.equal(db.protect, false);
        assert.equal(db.inputs.skipFinalSnapshot, true);
        assert.equal(db.inputs.deletionProtection, true);
    });

    it("refuses, naming every problem, a bad final snapshot identifier and too few AZs", async () => {
        assert.throws(
            () => new DatabaseComponent("database-bad", { ...args, mode: "aurora", readerCount: 2, engineVersion: "8.0", finalSnapshotPrefix: "Final_Snapshot" }),
            (err: Error) =>
                /finalSnapshotPrefix "Final_Snapshot" with its suffix must start with a lowercase letter/.test(err.message) &&
                /aurora needs 3 availability zones but the subnets span 2/.test(err.message),
        );
        // The refused component's own registration is still in flight: let it finish under these mocks,
        // or it reaches the next file's mock monitor (one process runs many files) and fails there.
        await settle(mocks);
    });
});
