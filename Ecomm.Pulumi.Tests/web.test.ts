import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, patched, run, SHELLCHECK, shellcheck, type RecordedResource, type StackRun } from "./harness";
import { TLS_POLICY } from "../Ecomm.Pulumi/web/listeners";
import { renderUserData } from "../Ecomm.Pulumi/userdata/render";
import { serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const TG = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const POLICY = "aws:autoscaling/policy:Policy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SSM_PARAMETER = "aws:ssm/getParameter:getParameter";
/** The offline stand-in for prod's certificate (its stack file leaves the real one to its user). */
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
const ROLES = ["frontend", "backend"] as const;

interface Expected {
    readonly deletionProtection: boolean;
    readonly https: boolean;
    readonly accessLogs: boolean;
    readonly waf: boolean;
    readonly min: number;
    readonly max: number;
    readonly desired: number;
    readonly minHealthy: number;
    /** [interval, timeout, healthy, unhealthy] per service. */
    readonly healthCheck: Readonly<Record<(typeof ROLES)[number], readonly [number, number, number, number]>>;
}

const EXPECTED: Readonly<Record<"dev" | "prod", Expected>> = {
    dev: {
        deletionProtection: false,
        https: false,
        accessLogs: false,
        waf: false,
        min: 1,
        max: 2,
        desired: 1,
        minHealthy: 50,
        healthCheck: { frontend: [10, 5, 2, 3], backend: [10, 5, 2, 3] },
    },
    prod: {
        deletionProtection: true,
        https: true,
        accessLogs: true,
        waf: true,
        min: 3,
        max: 12,
        desired: 3,
        minHealthy: 90,
        healthCheck: { frontend: [5, 3, 2, 2], backend: [5, 3, 2, 2] },
    },
};

const state = <T = string>(r: RecordedResource, key: string): T => r.state[key] as T;

for (const stack of ["dev", "prod"] as const) {
    const want = EXPECTED[stack];

    describe(`WebTierComponent (${stack})`, () => {
        let r: StackRun;
        let alb: RecordedResource;
        let albSg: RecordedResource;
        before(async () => {
            r = await run(stack);
            alb = one(r, LB, "web-alb");
            albSg = one(r, SG, "web-alb-sg");
        });

        it("puts one internet-facing ALB in every public subnet, with invalid headers dropped", () => {
            assert.equal(input(alb, "internal"), false);
            assert.equal(input(alb, "loadBalancerType"), "application");
            assert.deepEqual(input(alb, "subnets"), r.outputs.publicSubnetIds);
            assert.equal((r.outputs.publicSubnetIds as string[]).length, stack === "prod" ? 3 : 2);
            assert.deepEqual(input(alb, "securityGroups"), [albSg.id]);
            assert.equal(input(alb, "dropInvalidHeaderFields"), true);
            assert.equal(input(alb, "enableHttp2"), true);
            assert.equal(input(alb, "enableDeletionProtection"), want.deletionProtection);
            assert.equal(input(alb, "idleTimeout"), 60);
            assert.equal(ofType(r, LB).length, 1);
        });

        it(want.https ? "serves HTTPS with the TLS 1.3 policy and redirects port 80 with a 301" : "serves plain HTTP on port 80", () => {
            const frontendTg = one(r, TG, "web-frontend-tg");
            const listeners = ofType(r, LISTENER);
            for (const l of listeners) assert.equal(input(l, "loadBalancerArn"), alb.state.arn);
            if (want.https) {
                assert.equal(listeners.length, 2);
                const https = one(r, LISTENER, "web-https");
                assert.equal(input(https, "port"), 443);
                assert.equal(input(https, "protocol"), "HTTPS");
                assert.equal(input(https, "sslPolicy"), "ELBSecurityPolicy-TLS13-1-2-2021-06");
                assert.equal(input(https, "certificateArn"), CERT);
                assert.deepEqual(input(https, "defaultActions"), [{ type: "forward", targetGroupArn: frontendTg.state.arn }]);
                const redirect = one(r, LISTENER, "web-http-redirect");
                assert.equal(input(redirect, "port"), 80);
                assert.equal(input(redirect, "protocol"), "HTTP");
                assert.deepEqual(input(redirect, "defaultActions"), [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
                assert.match(String(r.outputs.url), /^https:\/\//);
            } else {
                assert.equal(listeners.length, 1);
                const http = one(r, LISTENER, "web-http");
                assert.equal(input(http, "port"), 80);
                assert.equal(input(http, "protocol"), "HTTP");
                assert.equal(input(http, "sslPolicy"), undefined);
                assert.equal(input(http, "certificateArn"), undefined);
                assert.deepEqual(input(http, "defaultActions"), [{ type: "forward", targetGroupArn: frontendTg.state.arn }]);
                assert.match(String(r.outputs.url), /^http:\/\//);
            }
            assert.equal(r.outputs.url, `${want.https ? "https" : "http"}://${String(alb.state.dnsName)}`);
        });

        it("sends /api/* to the backend from the serving listener", () => {
            const rule = one(r, RULE, "web-backend-rule");
            const serving = one(r, LISTENER, want.https ? "web-https" : "web-http");
            assert.equal(input(rule, "listenerArn"), serving.state.arn);
            assert.deepEqual(input(rule, "conditions"), [{ pathPattern: { values: ["/api/*"] } }]);
            assert.deepEqual(input(rule, "actions"), [{ type: "forward", targetGroupArn: one(r, TG, "web-backend-tg").state.arn }]);
            assert.equal(input(rule, "priority"), 10);
        });

        for (const role of ROLES) {
            it(`health-checks the ${role} instances with the configured timing and drains in 30 s`, () => {
                const tg = one(r, TG, `web-${role}-tg`);
                const [interval, timeout, healthy, unhealthy] = want.healthCheck[role];
                assert.deepEqual(input(tg, "healthCheck"), {
                    enabled: true,
                    protocol: "HTTP",
                    port: "traffic-port",
                    path: role === "frontend" ? "/health" : "/api/health",
                    matcher: "200",
                    interval,
                    timeout,
                    healthyThreshold: healthy,
                    unhealthyThreshold: unhealthy,
                });
                assert.ok(timeout < interval);
                if (stack === "prod") assert.ok(interval * unhealthy <= 10, "prod detects a dead instance within 10 s");
                assert.equal(input(tg, "deregistrationDelay"), 30);
                assert.equal(input(tg, "targetType"), "instance");
                assert.equal(input(tg, "protocol"), "HTTP");
                assert.equal(input(tg, "port"), 80);
                assert.equal(input(tg, "vpcId"), r.outputs.vpcId);
                // Auto-naming adds "-" + 7 characters; AWS allows 32.
                assert.ok(tg.name.length <= 24 && state(tg, "name").length <= 32, tg.name);
            });
        }

        it("opens the internet only to the ALB's listener ports, and instances only to the ALB", () => {
            const ingress = ofType(r, INGRESS);
            const open = ingress.filter((x) => input(x, "cidrIpv4") !== undefined || input(x, "cidrIpv6") !== undefined);
            const openPorts = want.https ? [80, 443] : [80];
            assert.deepEqual(
                open.map((x) => [input(x, "securityGroupId"), input(x, "cidrIpv4"), input(x, "ipProtocol"), input(x, "fromPort"), input(x, "toPort")]),
                openPorts.map((p) => [albSg.id, "0.0.0.0/0", "tcp", p, p]),
            );
            for (const role of ROLES) {
                const sg = one(r, SG, `web-${role}-sg`);
                const rules = ingress.filter((x) => input(x, "securityGroupId") === sg.id);
                assert.deepEqual(
                    rules.map((x) => [input(x, "referencedSecurityGroupId"), input(x, "ipProtocol"), input(x, "fromPort"), input(x, "toPort"), input(x, "cidrIpv4")]),
                    [[albSg.id, "tcp", 80, 80, undefined]],
                    `${role} accepts only the ALB on its port`,
                );
                assert.equal(r.outputs[`${role}SecurityGroupId`], sg.id);
                assert.equal(input(sg, "vpcId"), r.outputs.vpcId);
            }
            for (const sg of ofType(r, SG)) {
                assert.equal(input(sg, "ingress"), undefined, `${sg.name} has no inline rules`);
                assert.equal(input(sg, "egress"), undefined, `${sg.name} has no inline rules`);
            }
            for (const rule of [...ingress, ...ofType(r, EGRESS)]) {
                const from = input<number>(rule, "fromPort");
                const to = input<number>(rule, "toPort");
                assert.ok(!(from <= 22 && 22 <= to), `${rule.name} must not open port 22`);
                assert.notEqual(input(rule, "ipProtocol"), "-1", `${rule.name} must name a protocol`);
            }
        });

        it("lets the ALB reach only the instance SGs on the service port, and instances only HTTPS out", () => {
            const egress = ofType(r, EGRESS);
            const fromAlb = egress.filter((x) => input(x, "securityGroupId") === albSg.id);
            assert.deepEqual(
                fromAlb.map((x) => [input(x, "referencedSecurityGroupId"), input(x, "fromPort"), input(x, "toPort"), input(x, "cidrIpv4")]).sort(),
                ROLES.map((role) => [one(r, SG, `web-${role}-sg`).id, 80, 80, undefined]).sort(),
            );
            const dbSg = one(r, SG, "database-sg");
            for (const role of ROLES) {
                const sg = one(r, SG, `web-${role}-sg`);
                const out = egress.filter((x) => input(x, "securityGroupId") === sg.id);
                assert.deepEqual(
                    out.map((x) => [input(x, "cidrIpv4"), input(x, "referencedSecurityGroupId"), input(x, "ipProtocol"), input(x, "fromPort"), input(x, "toPort")]),
                    [
                        ["0.0.0.0/0", undefined, "tcp", 443, 443],
                        // Only the backend may open connections to the database, on its port, to its group only.
                        ...(role === "backend" ? [[undefined, dbSg.id, "tcp", 5432, 5432]] : []),
                    ],
                );
            }
        });

        for (const role of ROLES) {
            it(`runs the ${role} ASG in the private subnets of every AZ with ELB health checks and ${want.min}-${want.max} instances`, () => {
                const asg = one(r, ASG, `web-${role}-asg`);
                const lt = one(r, LT, `web-${role}-lt`);
                const tg = one(r, TG, `web-${role}-tg`);
                assert.deepEqual(input(asg, "vpcZoneIdentifiers"), r.outputs.privateSubnetIds);
                assert.equal((r.outputs.privateSubnetIds as string[]).length, stack === "prod" ? 3 : 2);
                for (const id of r.outputs.publicSubnetIds as string[]) assert.ok(!input<string[]>(asg, "vpcZoneIdentifiers").includes(id));
                assert.equal(input(asg, "healthCheckType"), "ELB");
                // A cold boot (160 s, web/cold-boot.ts) + interval × healthy threshold, rounded up to 30 s.
                assert.equal(input(asg, "healthCheckGracePeriod"), 180);
                assert.equal(input(asg, "minElbCapacity"), want.min);
                assert.equal(input(asg, "defaultInstanceWarmup"), 120);
                assert.equal(input(asg, "minSize"), want.min);
                assert.equal(input(asg, "maxSize"), want.max);
                assert.equal(input(asg, "desiredCapacity"), want.desired);
                assert.deepEqual(input(asg, "targetGroupArns"), [tg.state.arn]);
                assert.deepEqual(input(asg, "launchTemplate"), { id: lt.id, version: String(lt.state.latestVersion) });
                assert.notEqual(input<{ version: string }>(asg, "launchTemplate").version, "$Latest");
                assert.equal(input(asg, "mixedInstancesPolicy"), undefined);
                assert.equal(input(asg, "warmPool"), undefined);
                assert.deepEqual(input(asg, "instanceRefresh"), {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: want.minHealthy,
                        maxHealthyPercentage: want.minHealthy + 100,
                        instanceWarmup: "120",
                        skipMatching: true,
                        autoRollback: true,
                        alarmSpecification: { alarms: [`ecomm-${stack}-${role}-unhealthy-hosts`, `ecomm-${stack}-${role}-no-healthy-hosts`] },
                        checkpointPercentages: [50, 100],
                        checkpointDelay: "180",
                    },
                });
                assert.equal(input(asg, "capacityRebalance"), true);
                assert.equal(input(asg, "metricsGranularity"), "1Minute");
                assert.ok(input<string[]>(asg, "enabledMetrics").includes("GroupInServiceInstances"));
                assert.deepEqual(asg.ignoreChanges, ["desiredCapacity"]);
                assert.equal(r.outputs[`${role}AsgName`], asg.state.name);
                assert.equal(r.outputs[`${role}TargetGroupArn`], tg.state.arn);
                assert.equal(r.outputs[`${role}TargetGroupArnSuffix`], tg.state.arnSuffix);
            });

            it(`launches ${role} instances with IMDSv2, an encrypted gp3 root, no key pair and the AL2023 arm64 AMI`, () => {
                const lt = one(r, LT, `web-${role}-lt`);
                const profile = one(r, "aws:iam/instanceProfile:InstanceProfile", `web-${role}-profile`);
                assert.deepEqual(input(lt, "metadataOptions"), { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
                assert.deepEqual(input(lt, "blockDeviceMappings"), [
                    { deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 20, encrypted: "true", deleteOnTermination: "true" } },
                ]);
                assert.equal(input(lt, "keyName"), undefined);
                assert.deepEqual(input(lt, "monitoring"), { enabled: true });
                assert.equal(input(lt, "instanceType"), stack === "prod" ? "m7g.large" : "t4g.small");
                assert.deepEqual(input(lt, "iamInstanceProfile"), { arn: profile.state.arn });
                assert.deepEqual(input(lt, "vpcSecurityGroupIds"), [one(r, SG, `web-${role}-sg`).id]);
                const param = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
                const lookup = r.invokes.find((i) => i.token === SSM_PARAMETER && i.inputs.name === param);
                if (stack === "prod") {
                    // Prod pins its AMI (here the offline stand-in, as the committed file has none yet).
                    assert.equal(lookup, undefined, "prod does not read the latest AMI");
                    assert.equal(input<string>(lt, "imageId"), "ami-00000000000000000");
                } else {
                    assert.ok(lookup, "looks the AMI up in the public SSM parameter");
                    assert.match(input<string>(lt, "imageId"), /^ami-0[0-9a-f]{16}$/);
                }
                const specs = input<{ resourceType: string; tags: Record<string, string> }[]>(lt, "tagSpecifications");
                assert.deepEqual(specs.map((s) => s.resourceType), ["instance", "volume"]);
                for (const s of specs) {
                    assert.equal(s.tags.Environment, stack);
                    assert.equal(s.tags.Project, "ecomm");
                    assert.equal(s.tags.Service, role);
                    assert.equal(s.tags.Name, `web-${role}`);
                }
            });

            it(`boots ${role} instances with the rendered user data`, () => {
                const lt = one(r, LT, `web-${role}-lt`);
                const script = Buffer.from(input<string>(lt, "userData"), "base64").toString("utf8");
                assert.equal(
                    script,
                    renderUserData({
                        role,
                        port: 80,
                        healthCheckPath: role === "frontend" ? "/health" : "/api/health",
                        loadBalancerIdleTimeoutSeconds: 60,
                        logGroups: serviceLogGroupNames(`/ecomm/${stack}/${role}`),
                        database: role === "backend" ? { parameterPath: `/ecomm/${stack}/database`, region: "us-east-1" } : undefined,
                        // The storefront's artifact for this service, as uploaded by the stack's ArtifactComponent.
                        artifact: {
                            bucket: String(one(r, "aws:s3/bucket:Bucket", "app-artifacts-bucket").state.bucket),
                            key: input<string>(one(r, "aws:s3/bucketObjectv2:BucketObjectv2", `app-artifacts-${role}`), "key"),
                            sha256: input<Record<string, string>>(one(r, "aws:s3/bucketObjectv2:BucketObjectv2", `app-artifacts-${role}`), "tags").Sha256,
                            region: "us-east-1",
                        },
                    }),
                );
            });

            it(`the ${role} instances' user data passes shellcheck`, { skip: SHELLCHECK.skip }, () => {
                shellcheck(Buffer.from(input<string>(one(r, LT, `web-${role}-lt`), "userData"), "base64").toString("utf8"));
            });

            it(`gives ${role} instances Session Manager, Run Command and their own log groups, no managed policy`, () => {
                const role_ = one(r, "aws:iam/role:Role", `web-${role}-role`);
                const trust = jsonInput<{ Statement: { Principal: { Service: string } }[] }>(role_, "assumeRolePolicy");
                assert.deepEqual(trust.Statement.map((s) => s.Principal.Service), ["ec2.amazonaws.com"]);
                const attached = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => input(a, "role") === role_.state.name);
                assert.deepEqual(attached.map((a) => input(a, "policyArn")), []);
                const policy = one(r, "aws:iam/rolePolicy:RolePolicy", `web-${role}-instance-policy`);
                assert.equal(input(policy, "role"), role_.state.name);
                const doc = jsonInput<{ Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] }>(policy, "policy");
                const groups = ["nginx-access", "nginx-error", "system"].map((k) => `arn:aws:logs:us-east-1:123456789012:log-group:/ecomm/${stack}/${role}/${k}`);
                assert.deepEqual(doc.Statement.map((x) => [x.Sid, x.Resource]), [
                    ["SessionManager", "*"],
                    ["RunCommand", "*"],
                    ["ShipOwnLogs", groups.flatMap((g) => [g, `${g}:*`])],
                ]);
                assert.deepEqual(doc.Statement[0].Action, ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]);
                assert.deepEqual(doc.Statement[2].Action, ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
                assert.equal(input(one(r, "aws:iam/instanceProfile:InstanceProfile", `web-${role}-profile`), "role"), role_.state.name);
            });

            it(`scales ${role} on CPU, on requests per target (label from the ARN suffixes) and on response time`, () => {
                const asg = one(r, ASG, `web-${role}-asg`);
                const tg = one(r, TG, `web-${role}-tg`);
                const cpu = one(r, POLICY, `web-${role}-cpu`);
                const requests = one(r, POLICY, `web-${role}-requests`);
                const latency = one(r, POLICY, `web-${role}-latency`);
                for (const p of [cpu, requests, latency]) assert.equal(input(p, "autoscalingGroupName"), asg.state.name);
                assert.equal(input(cpu, "policyType"), "TargetTrackingScaling");
                assert.deepEqual(input(cpu, "targetTrackingConfiguration"), {
                    predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                    targetValue: 50,
                });
                const label = `${String(alb.state.arnSuffix)}/${String(tg.state.arnSuffix)}`;
                assert.match(label, /^app\/web-alb-[0-9a-f]{7}\/[0-9a-f]{16}\/targetgroup\/web-[a-z]+-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
                assert.deepEqual(input(requests, "targetTrackingConfiguration"), {
                    predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: label },
                    targetValue: 1000,
                });
                assert.equal(input(latency, "policyType"), "StepScaling");
                assert.equal(input(latency, "adjustmentType"), "ChangeInCapacity");
                assert.deepEqual(input(latency, "stepAdjustments"), [
                    { metricIntervalLowerBound: "0", metricIntervalUpperBound: "1", scalingAdjustment: 1 },
                    { metricIntervalLowerBound: "1", scalingAdjustment: 2 },
                ]);
                const alarm = one(r, ALARM, `web-${role}-latency-high`);
                assert.equal(input(alarm, "namespace"), "AWS/ApplicationELB");
                assert.equal(input(alarm, "metricName"), "TargetResponseTime");
                assert.deepEqual(input(alarm, "dimensions"), { LoadBalancer: alb.state.arnSuffix, TargetGroup: tg.state.arnSuffix });
                assert.equal(input(alarm, "threshold"), 1);
                assert.equal(input(alarm, "comparisonOperator"), "GreaterThanThreshold");
                assert.deepEqual(input(alarm, "alarmActions"), [latency.state.arn]);
            });
        }

        it(want.accessLogs ? "writes access logs to an encrypted, private bucket that expires them" : "writes no access logs", () => {
            // The web tier's buckets (the app's artifact buckets are the app area's).
            const buckets = ofType(r, "aws:s3/bucket:Bucket").filter((b) => b.name.startsWith("web-"));
            if (!want.accessLogs) {
                assert.equal(buckets.length, 0);
                assert.equal(input(alb, "accessLogs"), undefined);
                return;
            }
            const bucket = one(r, "aws:s3/bucket:Bucket", "web-alb-logs");
            assert.deepEqual(input(alb, "accessLogs"), { bucket: bucket.state.bucket, prefix: "alb", enabled: true });
            assert.deepEqual(input(one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "web-alb-logs-encryption"), "rules"), [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ]);
            const block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-alb-logs-public-block");
            for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(input(block, key), true, key);
            assert.equal(input(block, "bucket"), bucket.id);
            const lifecycle = input<{ status: string; expiration: { days: number } }[]>(one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "web-alb-logs-lifecycle"), "rules");
            assert.equal(lifecycle[0].status, "Enabled");
            assert.equal(lifecycle[0].expiration.days, 90);
            assert.deepEqual(input(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "web-alb-logs-ownership"), "rule"), { objectOwnership: "BucketOwnerEnforced" });
            const policy = jsonInput<{ Statement: { Sid: string; Effect: string; Principal: unknown; Action: string; Resource: unknown }[] }>(
                one(r, "aws:s3/bucketPolicy:BucketPolicy", "web-alb-logs-policy"),
                "policy",
            );
            const allow = policy.Statement.find((s) => s.Sid === "AllowElbLogDelivery");
            // us-east-1's ELB account (ELB access-log docs).
            assert.deepEqual(allow?.Principal, { AWS: "arn:aws:iam::127311923021:root" });
            assert.equal(allow?.Action, "s3:PutObject");
            assert.equal(allow?.Resource, `${String(bucket.state.arn)}/alb/AWSLogs/123456789012/*`);
            assert.ok(policy.Statement.some((s) => s.Effect === "Deny" && s.Sid === "DenyInsecureTransport"));
        });

        it(want.waf ? "protects the ALB with a REGIONAL WAF of AWS managed rule groups" : "has no WAF", () => {
            const acls = ofType(r, "aws:wafv2/webAcl:WebAcl");
            if (!want.waf) {
                assert.equal(acls.length, 0);
                assert.equal(ofType(r, "aws:wafv2/webAclAssociation:WebAclAssociation").length, 0);
                return;
            }
            const acl = one(r, "aws:wafv2/webAcl:WebAcl", "web-waf");
            assert.equal(input(acl, "scope"), "REGIONAL");
            assert.deepEqual(input(acl, "defaultAction"), { allow: {} });
            const rules = input<{ name: string; statement: { managedRuleGroupStatement: { vendorName: string; name: string } }; visibilityConfig: { cloudwatchMetricsEnabled: boolean }; overrideAction: unknown }[]>(acl, "rules");
            assert.deepEqual(
                rules.map((x) => x.statement.managedRuleGroupStatement),
                ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"].map((name) => ({
                    vendorName: "AWS",
                    name,
                    ...(name === "AWSManagedRulesCommonRuleSet" ? { ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] } : {}),
                })),
            );
            for (const x of rules) {
                assert.equal(x.visibilityConfig.cloudwatchMetricsEnabled, true);
                assert.deepEqual(x.overrideAction, { none: {} });
            }
            const assoc = one(r, "aws:wafv2/webAclAssociation:WebAclAssociation");
            assert.equal(input(assoc, "resourceArn"), alb.state.arn);
            assert.equal(input(assoc, "webAclArn"), acl.state.arn);
        });

        it("exports the ALB's identity from the recorded state", () => {
            assert.equal(r.outputs.albArn, alb.state.arn);
            assert.equal(r.outputs.albArnSuffix, alb.state.arnSuffix);
            assert.equal(r.outputs.albDnsName, alb.state.dnsName);
            assert.equal(r.outputs.albZoneId, "Z35SXDOTRQ7X7K");
            assert.equal(r.outputs.albSecurityGroupId, albSg.id);
            for (const [k, v] of Object.entries(r.outputs)) assert.doesNotMatch(JSON.stringify(v) ?? "", /undefined/, k);
        });

        it("parents everything under web and the services, each name prefixed with its parent's", () => {
            const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
            const web = one(r, "ecomm:web:WebTierComponent", "web");
            const services = ofType(r, "ecomm:web:ServiceComponent");
            assert.deepEqual(services.map((s) => s.name).sort(), ["web-backend", "web-frontend"]);
            for (const s of services) assert.equal(s.parentUrn, web.urn);
            const children = r.resources.filter((x) => x.parentUrn === web.urn || services.some((s) => s.urn === x.parentUrn));
            assert.ok(children.length >= (stack === "prod" ? 45 : 35), String(children.length));
            for (const c of children) {
                const parent = byUrn.get(c.parentUrn);
                assert.ok(parent && c.name.startsWith(`${parent.name}-`), `${c.name} under ${parent?.name}`);
            }
        });
    });
}

describe("WebTierComponent variations", () => {
    it("serves HTTPS in dev when a certificate is set", async () => {
        const r = await run("dev", { "ecomm:certificateArn": CERT });
        assert.equal(input(one(r, LISTENER, "web-https"), "sslPolicy"), TLS_POLICY);
        assert.equal(input(one(r, LISTENER, "web-http-redirect"), "port"), 80);
        assert.equal(ofType(r, INGRESS).filter((x) => input(x, "cidrIpv4") === "0.0.0.0/0").length, 2);
        assert.match(String(r.outputs.url), /^https:\/\//);
    });

    it("uses a pinned AMI, the x86_64 parameter for Intel types, and custom path patterns", async () => {
        const r = await run("dev", {
            ...patched("dev", "ecomm:frontend", { ami: "ami-0123456789abcdef0" }),
            ...patched("dev", "ecomm:backend", { instanceType: "m7i.large", pathPatterns: ["/api/*", "/graphql"] }),
        });
        assert.equal(input(one(r, LT, "web-frontend-lt"), "imageId"), "ami-0123456789abcdef0");
        const names = r.invokes.filter((i) => i.token === SSM_PARAMETER).map((i) => i.inputs.name);
        assert.deepEqual(names, ["/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"]);
        assert.deepEqual(input(one(r, RULE), "conditions"), [{ pathPattern: { values: ["/api/*", "/graphql"] } }]);
    });

    it("switches to a mixed-instances policy pinned to the template's version", async () => {
        const r = await run("prod", patched("prod", "ecomm:backend", { mixedInstanceTypes: ["m6g.large", "c7g.large"] }));
        const asg = one(r, ASG, "web-backend-asg");
        const lt = one(r, LT, "web-backend-lt");
        assert.equal(input(asg, "launchTemplate"), undefined);
        assert.deepEqual(input(asg, "mixedInstancesPolicy"), {
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: lt.id, version: "1" },
                overrides: [{ instanceType: "m7g.large" }, { instanceType: "m6g.large" }, { instanceType: "c7g.large" }],
            },
            instancesDistribution: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100, onDemandAllocationStrategy: "prioritized" },
        });
        assert.ok(input(one(r, ASG, "web-frontend-asg"), "launchTemplate"));
    });

    it("adds a stopped warm pool when enabled", async () => {
        const r = await run("prod", patched("prod", "ecomm:frontend", { warmPool: { enabled: true, minSize: 2 } }));
        const asg = one(r, ASG, "web-frontend-asg");
        assert.deepEqual(input(asg, "warmPool"), { minSize: 2, poolState: "Stopped", instanceReusePolicy: { reuseOnScaleIn: true } });
        assert.equal(input<{ preferences: Record<string, unknown> }>(asg, "instanceRefresh").preferences.maxHealthyPercentage, undefined);
    });

    it("turns access logs and WAF off in prod when configured", async () => {
        const r = await run("prod", patched("prod", "ecomm:loadBalancer", { accessLogs: { enabled: false }, waf: false, deletionProtection: false }));
        assert.deepEqual(ofType(r, "aws:s3/bucket:Bucket").map((b) => b.name), ["app-artifacts-bucket", "app-artifacts-access"], "only the app's artifact buckets");
        assert.equal(ofType(r, "aws:wafv2/webAcl:WebAcl").length, 0);
        assert.equal(input(one(r, LB), "accessLogs"), undefined);
        assert.equal(input(one(r, LB), "enableDeletionProtection"), false);
    });

    it("keeps nginx's keepalive above a raised ALB idle timeout", async () => {
        const r = await run("dev", patched("dev", "ecomm:loadBalancer", { idleTimeoutSeconds: 300 }));
        assert.equal(input(one(r, LB), "idleTimeout"), 300);
        for (const role of ROLES) {
            const script = Buffer.from(input<string>(one(r, LT, `web-${role}-lt`), "userData"), "base64").toString("utf8");
            assert.match(script, /readonly KEEPALIVE_SECONDS="315"/);
        }
    });

    it("lets the log-delivery service principal write logs in regions opened since 2022", async () => {
        const r = await run("dev", { "aws:region": "eu-central-2", ...patched("dev", "ecomm:loadBalancer", { accessLogs: { enabled: true, retentionDays: 30 } }) });
        const policy = jsonInput<{ Statement: { Sid: string; Principal: unknown }[] }>(one(r, "aws:s3/bucketPolicy:BucketPolicy", "web-alb-logs-policy"), "policy");
        assert.deepEqual(policy.Statement.find((s) => s.Sid === "AllowElbLogDelivery")?.Principal, { Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
        assert.equal(r.invokes.filter((i) => i.token === "aws:elb/getServiceAccount:getServiceAccount").length, 0);
        const lifecycle = input<{ expiration: { days: number } }[]>(one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "web-alb-logs-lifecycle"), "rules");
        assert.equal(lifecycle[0].expiration.days, 30);
    });

    it("names the ELB account in Asia Pacific (Jakarta), a Region opened before August 2022", async () => {
        const r = await run("dev", { "aws:region": "ap-southeast-3", ...patched("dev", "ecomm:loadBalancer", { accessLogs: { enabled: true, retentionDays: 30 } }) });
        const policy = jsonInput<{ Statement: { Sid: string; Principal: unknown }[] }>(one(r, "aws:s3/bucketPolicy:BucketPolicy", "web-alb-logs-policy"), "policy");
        assert.deepEqual(policy.Statement.find((s) => s.Sid === "AllowElbLogDelivery")?.Principal, { AWS: "arn:aws:iam::589379963580:root" });
    });
});
