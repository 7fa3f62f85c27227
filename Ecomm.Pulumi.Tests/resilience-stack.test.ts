import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { one, ofType, patched, run, type StackRun } from "./harness";

const FIS = "aws:fis/experimentTemplate:ExperimentTemplate";
type Target = { resourceType: string; resourceArns?: string[]; resourceTags?: { key: string; value: string }[]; filters?: { path: string; values: string[] }[] };

describe("resilience experiments wired into the stack", () => {
    let dev: StackRun;
    before(async () => {
        dev = await run("dev");
    });

    it("dev (enabled by default) has az-power, az-network and cpu; no db-failover on a single-AZ database", () => {
        assert.deepEqual(ofType(dev, FIS).map((t) => t.name).sort(), ["resilience-az-network", "resilience-az-power", "resilience-cpu"]);
        assert.deepEqual(Object.keys(dev.outputs.experimentTemplateIds as object).sort(), ["azNetwork", "azPower", "cpu"]);
    });

    it("every template stops on the composite site-down alarm the monitoring component created", () => {
        const siteDown = ofType(dev, "aws:cloudwatch/compositeAlarm:CompositeAlarm")[0];
        for (const t of ofType(dev, FIS)) {
            assert.deepEqual(t.inputs.stopConditions, [{ source: "aws:cloudwatch:alarm", value: siteDown.state.arn }], t.name);
        }
        assert.equal(dev.outputs.siteDownAlarmArn, siteDown.state.arn);
    });

    it("az-power targets both real ASGs' instances in the chosen AZ; az-network that AZ's private subnet", () => {
        const power = one(dev, FIS, "resilience-az-power");
        const targets = power.inputs.targets as Target[];
        const asgNames = targets.map((t) => t.resourceTags?.[0]?.value).filter(Boolean);
        assert.deepEqual(asgNames.sort(), [dev.outputs.backendAsgName, dev.outputs.frontendAsgName].sort());
        for (const t of targets.filter((x) => x.resourceType === "aws:ec2:instance")) {
            assert.deepEqual(t.filters?.find((f) => f.path === "Placement.AvailabilityZone")?.values, ["us-east-1a"]);
        }
        const net = one(dev, FIS, "resilience-az-network");
        const subnet = (dev.outputs.privateSubnetIds as string[])[0];
        assert.deepEqual((net.inputs.targets as Target[])[0].resourceArns, [`arn:aws:ec2:us-east-1:123456789012:subnet/${subnet}`]);

    });

    it("prod has no experiment unless opted in; opted in, db-failover reboots the Multi-AZ instance by ARN", async () => {
        const prod = await run("prod");
        assert.equal(ofType(prod, FIS).length, 0);
        assert.deepEqual(prod.outputs.experimentTemplateIds, {});
        const opted = await run("prod", patched("prod", "ecomm:resilience", { enabled: true }));
        const failover = one(opted, FIS, "resilience-db-failover");
        const db = one(opted, "aws:rds/instance:Instance");
        assert.deepEqual((failover.inputs.targets as Target[]).map((t) => [t.resourceType, t.resourceArns]), [["aws:rds:db", [db.state.arn]]]);
        assert.equal(ofType(opted, FIS).length, 4);
    });
});
