import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ofType, run } from "./harness";

// EC2 refuses user data over 16 KB before base64 encoding (EC2 User Guide, "Run commands on your Linux
// instance at launch"); the backend's grows with the CloudWatch agent and DB-environment service.
describe("launch template user data fits EC2's 16 KB limit", () => {
    for (const stack of ["dev", "prod"]) {
        it(stack, async () => {
            const r = await run(stack);
            const templates = ofType(r, "aws:ec2/launchTemplate:LaunchTemplate");
            assert.equal(templates.length, 2);
            for (const lt of templates) {
                const raw = Buffer.from(String(lt.inputs.userData), "base64");
                assert.ok(raw.length > 1000 && raw.length <= 16 * 1024, `${lt.name}: ${raw.length} bytes`);
                assert.match(raw.toString("utf8"), /^#!\/bin\/bash/);
            }
        });
    }
});
