import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, one, ofType, run, type StackRun } from "./harness";

const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const PROVIDER = "pulumi:providers:aws";
const EXTRA = { CostCenter: "shop", Team: "platform" };

for (const stack of ["dev", "prod"] as const) {
    describe(`tags (${stack}, with ecomm:tags)`, () => {
        let r: StackRun;
        const expected = { ...EXTRA, Project: "ecomm", Environment: stack, ManagedBy: "pulumi", Stack: stack };
        before(async () => {
            r = await run(stack, { "ecomm:tags": EXTRA });
        });

        it("configures the AWS provider's default tags: Project, Environment, ManagedBy, Stack and ecomm:tags", () => {
            const provider = one(r, PROVIDER, "aws");
            const defaultTags = JSON.parse(input<string>(provider, "defaultTags")) as { tags: Record<string, string> };
            assert.deepEqual(defaultTags.tags, expected);
        });

        it("creates every AWS resource through that provider (so every taggable one carries the default tags)", () => {
            const provider = one(r, PROVIDER, "aws");
            const awsResources = r.resources.filter((x) => x.type.startsWith("aws:"));
            assert.ok(awsResources.length > 60, String(awsResources.length));
            for (const x of awsResources) assert.equal(x.provider, `${provider.urn}::${provider.id}`, `${x.type} ${x.name}`);
        });

        it("never overrides a default tag with a resource's own tags (they only add Name and the like)", () => {
            for (const x of r.resources.filter((y) => y.type.startsWith("aws:"))) {
                const own = x.inputs.tags;
                if (!own || typeof own !== "object") continue;
                for (const [key, value] of Object.entries(own as Record<string, string>)) {
                    if (key in expected) assert.equal(value, expected[key as keyof typeof expected], `${x.name}.tags.${key}`);
                }
            }
        });

        for (const role of ["frontend", "backend"] as const) {
            it(`tags ${role} instances and volumes at launch: template tag specifications and ASG tags propagated at launch`, () => {
                const lt = one(r, LT, `web-${role}-lt`);
                for (const spec of input<{ resourceType: string; tags: Record<string, string> }[]>(lt, "tagSpecifications")) {
                    assert.deepEqual(spec.tags, { ...expected, Name: `web-${role}`, Service: role }, spec.resourceType);
                }
                const tags = input<{ key: string; value: string; propagateAtLaunch: boolean }[]>(one(r, ASG, `web-${role}-asg`), "tags");
                const propagated = Object.fromEntries(tags.filter((t) => t.propagateAtLaunch).map((t) => [t.key, t.value]));
                assert.deepEqual(propagated, { ...expected, Service: role });
                assert.deepEqual(tags.find((t) => t.key === "Name"), { key: "Name", value: `web-${role}`, propagateAtLaunch: false });
            });
        }
    });
}

describe("tags on the DR-region provider", () => {
    it("the backup-replication provider carries the same default tags", async () => {
        const r = await run("prod", { "ecomm:tags": EXTRA, "ecomm:database": { mode: "multi-az-instance", backupRetentionDays: 14, deletionProtection: true, backupReplicationRegion: "us-west-2" } });
        const [main, replica] = [one(r, PROVIDER, "aws"), one(r, PROVIDER, "aws-backup-replica")];
        assert.deepEqual(JSON.parse(input<string>(replica, "defaultTags")), JSON.parse(input<string>(main, "defaultTags")));
        const replicated = ofType(r, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
        assert.equal(replicated.length, 1);
        assert.equal(replicated[0].provider, `${replica.urn}::${replica.id}`);
    });
});
