import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "./harness";
import { statefulUrns, STATEFUL_TYPES } from "../Ecomm.Pulumi/engine/stateful";

const snapshot = JSON.parse(fs.readFileSync(path.join(__dirname, "__snapshots__", "stateful-urns.json"), "utf8")) as Record<string, string[]>;

describe("frozen URNs of stateful and expensive-to-replace resources", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every stateful URN is unchanged`, async () => {
            const r = await run(stack);
            const now = statefulUrns(r.resources);
            const gone = snapshot[stack].filter((u) => !now.includes(u));
            const added = now.filter((u) => !snapshot[stack].includes(u));
            assert.deepEqual(
                { gone, added },
                { gone: [], added: [] },
                `The URN of a stateful resource changed in ${stack}. On the next \`pulumi up\` Pulumi would DELETE the resource ` +
                    "under the old URN and create a new one (a new database, a new load balancer DNS name). If you renamed or " +
                    "moved it, add `aliases: [{ name: <old name>, parent: <old parent> }]` to its options so state moves instead. " +
                    "If the change is deliberate (a new stateful resource, or a replacement you intend), run `npm run snapshot:update` and commit the snapshot.",
            );
        });
    }

    it("prod protects the database and its key from accidental deletion", async () => {
        const r = await run("prod");
        const protectedTypes = r.resources.filter((x) => x.protect).map((x) => x.type);
        assert.ok(protectedTypes.includes("aws:rds/instance:Instance"));
        assert.ok(protectedTypes.includes("aws:kms/key:Key"));
    });

    it("the frozen set covers the database, keys, load balancer, log bucket, alert topic and VPC", () => {
        const types = new Set(snapshot.prod.map((u) => u.split("::")[2].split("$").pop()));
        assert.deepEqual([...types].sort(), STATEFUL_TYPES.filter((t) => types.has(t)).sort());
        for (const t of ["aws:rds/instance:Instance", "aws:kms/key:Key", "aws:lb/loadBalancer:LoadBalancer", "aws:s3/bucket:Bucket", "aws:sns/topic:Topic", "awsx:ec2:Vpc"]) {
            assert.ok(types.has(t), t);
        }
    });
});
