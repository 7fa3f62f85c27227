import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, refused, run, type StackRun } from "./harness";
import { planSubnets } from "../Ecomm.Pulumi/network/subnets";
import { regionZones, type MockZone } from "../tools/offline/mocks";
import { runStack, StackRunError } from "../tools/offline/run";
import { chooseAvailabilityZones, isZoneOfRegion } from "../Ecomm.Pulumi/network/availability-zones";

for (const [stack, azs, nat] of [
    ["dev", 2, "Single"],
    ["prod", 3, "OnePerAz"],
] as const) {
    describe(`NetworkComponent (${stack})`, () => {
        let r: StackRun;
        before(async () => {
            r = await run(stack);
        });

        it(`spreads the VPC over ${azs} AZs with ${nat} NAT`, () => {
            const vpc = one(r, "awsx:ec2:Vpc");
            // prod pins its AZs (so an AZ list change never replaces subnets); dev takes the region's first
            // N available ones. Either way awsx gets the names, never a count it would resolve its own way.
            assert.deepEqual(input(vpc, "availabilityZoneNames"), ["us-east-1a", "us-east-1b", "us-east-1c"].slice(0, azs));
            assert.equal(input(vpc, "numberOfAvailabilityZones"), undefined);
            assert.deepEqual(input(vpc, "natGateways"), { strategy: nat });
            assert.equal(input(vpc, "enableDnsHostnames"), true);
            assert.equal(input(vpc, "enableDnsSupport"), true);
            assert.deepEqual(input(vpc, "vpcEndpointSpecs"), [{ serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" }]);
            assert.equal(input(vpc, "vpcEndpointStrategy"), "Auto");
            assert.equal((vpc.state.natGateways as unknown[]).length, nat === "Single" ? 1 : azs);
        });

        it("has public, private and isolated subnets with the planned CIDR blocks", () => {
            const vpc = one(r, "awsx:ec2:Vpc");
            const cidr = input<string>(vpc, "cidrBlock");
            const plan = planSubnets(cidr, azs);
            assert.deepEqual(input(vpc, "subnetSpecs"), [
                { type: "Public", name: "public", cidrBlocks: plan.public },
                { type: "Private", name: "private", cidrBlocks: plan.private },
                { type: "Isolated", name: "isolated", cidrBlocks: plan.isolated },
            ]);
        });

        it("exports one subnet per AZ per tier and the AZ names", () => {
            for (const key of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]) {
                const ids = r.outputs[key] as string[];
                assert.equal(ids.length, azs, key);
                assert.ok(ids.every((id) => /^subnet-[0-9a-f]{17}$/.test(id)), key);
            }
            assert.deepEqual(r.outputs.availabilityZones, ["us-east-1a", "us-east-1b", "us-east-1c"].slice(0, azs));
            assert.match(String(r.outputs.vpcId), /^vpc-[0-9a-f]{17}$/);
        });

        it("closes the default security group (no ingress, no egress)", () => {
            const sg = one(r, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.deepEqual(input(sg, "ingress"), []);
            assert.deepEqual(input(sg, "egress"), []);
            assert.equal(input(sg, "vpcId"), r.outputs.vpcId);
        });

        it("sends ALL flow logs to a log group with retention through a role that may only write there", () => {
            const group = one(r, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
            const role = one(r, "aws:iam/role:Role", "network-flow-logs-role");
            const flow = one(r, "aws:ec2/flowLog:FlowLog");
            assert.equal(input(group, "retentionInDays"), stack === "prod" ? 90 : 14);
            assert.equal(input(flow, "trafficType"), "ALL");
            assert.equal(input(flow, "logDestinationType"), "cloud-watch-logs");
            assert.equal(input(flow, "logDestination"), group.state.arn);
            assert.equal(input(flow, "iamRoleArn"), role.state.arn);
            assert.equal(input(flow, "vpcId"), r.outputs.vpcId);
            const trust = jsonInput<{ Statement: { Principal: { Service: string } }[] }>(role, "assumeRolePolicy");
            assert.deepEqual(trust.Statement.map((s) => s.Principal.Service), ["vpc-flow-logs.amazonaws.com"]);
            const policy = jsonInput<{ Statement: { Action: string[]; Resource: string[] }[] }>(one(r, "aws:iam/rolePolicy:RolePolicy", "network-flow-logs-policy"), "policy");
            assert.deepEqual(policy.Statement[0].Resource, [group.state.arn, `${String(group.state.arn)}:*`]);
            assert.ok(policy.Statement[0].Action.every((a) => a.startsWith("logs:")));
        });

        it("parents every network resource under the component with a network- prefix", () => {
            const children = r.resources.filter((x) => x.parentUrn.includes("ecomm:network:NetworkComponent"));
            assert.ok(children.length >= 6);
            for (const c of children) assert.ok(c.name.startsWith("network-"), c.name);
            assert.equal(ofType(r, "ecomm:network:NetworkComponent").length, 1);
        });
    });
}

describe("NetworkComponent with pinned AZs and flow logs off", () => {
    it("passes the pinned names to awsx and registers no flow log", async () => {
        const r = await run("dev", {
            "ecomm:network": { cidrBlock: "10.30.0.0/18", availabilityZones: 3, availabilityZoneNames: ["us-east-1b", "us-east-1c", "us-east-1d"], natGateways: "none", flowLogs: { enabled: false, retentionDays: 7 } },
        });
        const vpc = one(r, "awsx:ec2:Vpc");
        assert.deepEqual(input(vpc, "availabilityZoneNames"), ["us-east-1b", "us-east-1c", "us-east-1d"]);
        assert.equal(input(vpc, "numberOfAvailabilityZones"), undefined);
        assert.deepEqual(input(vpc, "natGateways"), { strategy: "None" });
        assert.deepEqual(r.outputs.availabilityZones, ["us-east-1b", "us-east-1c", "us-east-1d"]);
        assert.equal(ofType(r, "aws:ec2/flowLog:FlowLog").length, 0);
    });
});

/**
 * A region whose unfiltered AZ list differs from its usable one: an opted-in Local Zone (sorts first:
 * "us-east-1-bos-1a" < "us-east-1a") and an impaired us-east-1a. awsx, given only a count, would take
 * the first N of that unfiltered list.
 */
const ZONES: MockZone[] = [
    { name: "us-east-1-bos-1a", zoneId: "use1-bos1-az1", state: "available", optInStatus: "opted-in", zoneType: "local-zone", groupName: "us-east-1-bos-1" },
    { name: "us-east-1-mia-1a", zoneId: "use1-mia1-az1", state: "available", optInStatus: "not-opted-in", zoneType: "local-zone", groupName: "us-east-1-mia-1" },
    ...regionZones("us-east-1").map((z) => (z.name === "us-east-1a" ? { ...z, state: "impaired" } : z)),
];

describe("one AZ list for the subnets, the output and the FIS experiments", () => {
    it("picks the first available AZs that need no opt-in, and gives awsx exactly those names", async () => {
        const r = await runStack({ stack: "dev", zones: ZONES });
        const expected = ["us-east-1b", "us-east-1c"];
        const vpc = one(r, "awsx:ec2:Vpc");
        assert.deepEqual(input(vpc, "availabilityZoneNames"), expected);
        assert.deepEqual(r.outputs.availabilityZones, expected);
        // The subnets awsx reports, in the order of the subnet-id outputs, are in exactly those AZs.
        const subnets = vpc.state.subnets as { id: string; availabilityZone: string }[];
        const azOf = (id: string) => subnets.find((s) => s.id === id)?.availabilityZone;
        for (const key of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]) {
            assert.deepEqual((r.outputs[key] as string[]).map(azOf), expected, key);
        }
        // The FIS experiments hit the first of them: az-power's instances there, az-network its private subnet.
        const power = one(r, "aws:fis/experimentTemplate:ExperimentTemplate", "resilience-az-power");
        const filters = (power.inputs.targets as { filters?: { path: string; values: string[] }[] }[]).flatMap((t) => t.filters ?? []);
        assert.deepEqual([...new Set(filters.filter((f) => f.path === "Placement.AvailabilityZone").flatMap((f) => f.values))], [expected[0]]);
        const network = one(r, "aws:fis/experimentTemplate:ExperimentTemplate", "resilience-az-network");
        const arns = (network.inputs.targets as { resourceArns?: string[] }[]).flatMap((t) => t.resourceArns ?? []);
        assert.deepEqual(arns.map((a) => azOf(a.split("/")[1])), [expected[0]]);
        // The only zone lookup is the filtered one.
        assert.deepEqual(
            r.invokes.filter((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones").map((i) => i.inputs),
            [{ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }],
        );
    });

    it("refuses more AZs than the region offers, naming ecomm:network.availabilityZones, before any resource", async () => {
        const few = regionZones("us-east-1").map((z, i) => (i >= 2 ? { ...z, state: "unavailable" } : z));
        try {
            await runStack({ stack: "prod", zones: few, config: { "ecomm:network": { availabilityZones: 3, natGateways: "perAz" } } });
            assert.fail("should have been refused");
        } catch (err) {
            assert.ok(err instanceof StackRunError, String(err));
            assert.deepEqual(err.resources.map((x) => x.type), []);
            assert.match(err.message, /ecomm:network\.availabilityZones = 3: is more than the Availability Zones aws:region \(us-east-1\) offers/);
        }
    });

    it("chooses AZs of the region only, in name order", () => {
        assert.deepEqual(chooseAvailabilityZones(["us-east-1c", "us-east-1-bos-1a", "us-east-1a", "us-east-1b"], "us-east-1", 2), ["us-east-1a", "us-east-1b"]);
        assert.equal(chooseAvailabilityZones(["us-east-1a", "us-east-1-bos-1a"], "us-east-1", 2), undefined);
        assert.equal(isZoneOfRegion("us-east-1-wl1-bos-wlz-1", "us-east-1"), false);
        assert.equal(isZoneOfRegion("us-east-11", "us-east-1"), false);
        assert.equal(isZoneOfRegion("eu-west-1a", "us-east-1"), false);
        assert.equal(isZoneOfRegion("us-gov-west-1a", "us-gov-west-1"), true);
    });

    it("refuses a pinned AZ outside aws:region before any resource", async () => {
        const err = await refused("dev", { "ecomm:network": { availabilityZones: 2, availabilityZoneNames: ["us-east-1a", "us-west-2b"] } });
        assert.match(err.message, /ecomm:network\.availabilityZoneNames\[1\] = "us-west-2b": must be an Availability Zone of aws:region \(us-east-1\)/);
    });
});
