import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, run, type StackRun } from "./harness";
import { planSubnets } from "../Ecomm.Pulumi/network-plan";

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
            // prod pins its AZs (so an AZ list change never replaces subnets); dev takes the first N.
            if (stack === "prod") {
                assert.deepEqual(input(vpc, "availabilityZoneNames"), ["us-east-1a", "us-east-1b", "us-east-1c"]);
                assert.equal(input(vpc, "numberOfAvailabilityZones"), undefined);
            } else {
                assert.equal(input(vpc, "numberOfAvailabilityZones"), azs);
                assert.equal(input(vpc, "availabilityZoneNames"), undefined);
            }
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
