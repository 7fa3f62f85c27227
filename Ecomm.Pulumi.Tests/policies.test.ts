import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as P from "../Ecomm.Policy/policies";

function res(type: string, props: Record<string, unknown>, name = "r"): PolicyResource {
    return { type, props, urn: `urn:pulumi:s::ecomm::${type}::${name}`, name, opts: {} as PolicyResource["opts"], isComponent: false } as unknown as PolicyResource;
}

function violationsOf(policy: ResourceValidationPolicy, r: PolicyResource): string[] {
    const out: string[] = [];
    const v = policy.validateResource;
    for (const f of Array.isArray(v) ? v : [v!]) void f(r as unknown as ResourceValidationArgs, (m) => out.push(m));
    return out;
}

function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[]): string[] {
    const out: string[] = [];
    void policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => { throw new Error(); } }, (m) => out.push(m));
    return out;
}

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";
const DB = "aws:rds/instance:Instance";
const CL = "aws:rds/cluster:Cluster";

const goodLt = { metadataOptions: { httpTokens: "required" }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }] };
const goodAsg = { vpcZoneIdentifiers: ["subnet-a", "subnet-b"], targetGroupArns: ["arn:tg"], healthCheckType: "ELB", launchTemplate: { id: "lt-1", version: "3" } };
const goodDb = { storageEncrypted: true, publiclyAccessible: false, multiAz: true, backupRetentionPeriod: 14, deletionProtection: true, iamDatabaseAuthenticationEnabled: true, enabledCloudwatchLogsExports: ["postgresql"] };

/** [policy, type, compliant props, violating props, fragment of the violation]. */
const RESOURCE_CASES: [ResourceValidationPolicy, string, Record<string, unknown>, Record<string, unknown>, string][] = [
    [P.albDropsInvalidHeaders, LB, { loadBalancerType: "application", dropInvalidHeaderFields: true }, { loadBalancerType: "application", dropInvalidHeaderFields: false }, "dropInvalidHeaderFields"],
    [P.albDeletionProtection, LB, { enableDeletionProtection: true }, { enableDeletionProtection: false }, "enableDeletionProtection"],
    [P.albAccessLogs, LB, { accessLogs: { enabled: true, bucket: "logs" } }, {}, "accessLogs.enabled"],
    [P.launchTemplateImdsv2, LT, goodLt, { ...goodLt, metadataOptions: { httpTokens: "optional" } }, "httpTokens"],
    [P.launchTemplateEncryptedVolumes, LT, goodLt, { ...goodLt, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }, "/dev/xvda"],
    [P.launchTemplateNoPublicIp, LT, { ...goodLt, networkInterfaces: [{ associatePublicIpAddress: "false" }] }, { ...goodLt, networkInterfaces: [{ associatePublicIpAddress: "true" }] }, "public IP"],
    [P.launchTemplateNoKeyPair, LT, goodLt, { ...goodLt, keyName: "ops" }, "keyName ops"],
    [P.asgMultipleAzs, ASG, goodAsg, { ...goodAsg, vpcZoneIdentifiers: ["subnet-a"] }, "two AZs"],
    [P.asgElbHealthChecks, ASG, goodAsg, { ...goodAsg, healthCheckType: "EC2" }, "ELB"],
    [P.asgLaunchTemplatePinned, ASG, goodAsg, { ...goodAsg, launchTemplate: { id: "lt-1", version: "$Latest" } }, "$Latest"],
    [P.rdsEncrypted, DB, goodDb, { ...goodDb, storageEncrypted: false }, "storageEncrypted"],
    [P.rdsEncrypted, CL, goodDb, { ...goodDb, storageEncrypted: undefined }, "storageEncrypted"],
    [P.rdsNotPublic, DB, goodDb, { ...goodDb, publiclyAccessible: true }, "publiclyAccessible"],
    [P.rdsMultiAz, DB, goodDb, { ...goodDb, multiAz: false }, "multiAz"],
    [P.rdsBackups, DB, goodDb, { ...goodDb, backupRetentionPeriod: 1 }, "is 1"],
    [P.rdsDeletionProtection, CL, goodDb, { ...goodDb, deletionProtection: false }, "deletionProtection"],
    [P.rdsIamAuth, DB, goodDb, { ...goodDb, iamDatabaseAuthenticationEnabled: false }, "iamDatabaseAuthenticationEnabled"],
    [P.rdsLogExports, DB, goodDb, { ...goodDb, enabledCloudwatchLogsExports: [] }, "enabledCloudwatchLogsExports"],
    [P.noWorldIngressButWeb, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443, ipProtocol: "tcp" }, { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }, "tcp 22-22"],
    [P.noWorldIngressButWeb, "aws:ec2/securityGroup:SecurityGroup", { ingress: [{ cidrBlocks: ["10.0.0.0/16"], fromPort: 5432, toPort: 5432, protocol: "tcp" }] }, { ingress: [{ ipv6CidrBlocks: ["::/0"], fromPort: 0, toPort: 65535, protocol: "tcp" }] }, "0-65535"],
    [P.noWorldIngressButWeb, "aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", cidrBlocks: ["0.0.0.0/0"], fromPort: 0, toPort: 0, protocol: "-1" }, { type: "ingress", cidrBlocks: ["0.0.0.0/0"], fromPort: 0, toPort: 0, protocol: "-1" }, "open to the internet"],
];

describe("resource policies: one compliant and one violating resource each", () => {
    for (const [policy, type, good, bad, fragment] of RESOURCE_CASES) {
        it(`${policy.name} on ${type.split(":").pop()}`, () => {
            assert.deepEqual(violationsOf(policy, res(type, good)), []);
            const found = violationsOf(policy, res(type, bad));
            assert.equal(found.length, 1, JSON.stringify(found));
            assert.ok(found[0].includes(fragment), found[0]);
        });
    }

    it("ignores other resource types", () => {
        assert.deepEqual(violationsOf(P.rdsMultiAz, res(LB, { multiAz: false })), []);
    });

    it("every resource policy has a case above", () => {
        const tested = new Set(RESOURCE_CASES.map(([p]) => p.name));
        assert.deepEqual(P.resourcePolicies.map((p) => p.name).filter((n) => !tested.has(n)), []);
    });
});

describe("stack policies", () => {
    const listener = (name: string, protocol: string, actions: unknown[]) => res("aws:lb/listener:Listener", { loadBalancerArn: "arn:lb", protocol, defaultActions: actions }, name);
    const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
    const forward = { type: "forward", targetGroupArn: "arn:tg" };

    it("elb-1: HTTP must redirect when the same ALB serves HTTPS; plain HTTP alone is fine", () => {
        assert.deepEqual(stackViolations(P.httpRedirectsWhenTls, [listener("https", "HTTPS", [forward]), listener("http", "HTTP", [redirect])]), []);
        assert.deepEqual(stackViolations(P.httpRedirectsWhenTls, [listener("http", "HTTP", [forward])]), []);
        assert.deepEqual(stackViolations(P.httpRedirectsWhenTls, [listener("https", "HTTPS", [forward]), listener("http", "HTTP", [forward])]), ["HTTP listener http must redirect to HTTPS"]);
    });

    it("every ASG has a scaling policy", () => {
        const asg = res(ASG, { ...goodAsg, name: "web-frontend-asg-1" }, "web-frontend-asg");
        const policy = res("aws:autoscaling/policy:Policy", { autoscalingGroupName: "web-frontend-asg-1" });
        assert.deepEqual(stackViolations(P.everyAsgScales, [asg, policy]), []);
        assert.deepEqual(stackViolations(P.everyAsgScales, [asg]), ["Auto Scaling group web-frontend-asg has no scaling policy"]);
    });

    it("every target group has an alarm (plain or metric-math dimensions)", () => {
        const tg = res("aws:lb/targetGroup:TargetGroup", { arnSuffix: "targetgroup/tg/1" }, "web-frontend-tg");
        const plain = res("aws:cloudwatch/metricAlarm:MetricAlarm", { dimensions: { TargetGroup: "targetgroup/tg/1", LoadBalancer: "app/lb/1" } });
        const math = res("aws:cloudwatch/metricAlarm:MetricAlarm", { metricQueries: [{ id: "m", metric: { dimensions: { TargetGroup: "targetgroup/tg/1" } } }] });
        assert.deepEqual(stackViolations(P.everyTargetGroupAlarmed, [tg, plain]), []);
        assert.deepEqual(stackViolations(P.everyTargetGroupAlarmed, [tg, math]), []);
        assert.deepEqual(stackViolations(P.everyTargetGroupAlarmed, [tg]), ["target group web-frontend-tg has no alarm on its health"]);
    });

    it("policy names are unique and the pack has them all", () => {
        const names = P.allPolicies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        assert.equal(names.length, 22);
    });
});
