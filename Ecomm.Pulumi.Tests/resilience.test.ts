/**
 * The web tier and monitoring are not in this tree yet, so the ResilienceComponent is built on its own
 * under the mocks, from plain ASG names/ARNs, subnets and alarm ARNs, the way the stack will wire it.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcommMocks, MOCK_ACCOUNT_ID, type RecordedResource } from "../tools/offline/mocks";
import { settle } from "../tools/offline/run";
import { ResilienceComponent, type ExperimentTemplateIds, type ResilienceComponentArgs } from "../Ecomm.Pulumi/resilience/resilience-component";
import { planExperiments } from "../Ecomm.Pulumi/resilience/experiments";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { readStackConfig } from "../tools/offline/run";

/** What the stack will pass for dev: its config's plan (resilience on, single-AZ database). */
const dev = parseStackConfig(readStackConfig("dev").config);
const devPlan = planExperiments(dev.resilience, dev.database.mode);

const REGION = "us-east-1";
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];
const SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"];
const ALARM = `arn:aws:cloudwatch:${REGION}:${MOCK_ACCOUNT_ID}:alarm:ecomm-dev-site-down`;
const DB_ARN = `arn:aws:rds:${REGION}:${MOCK_ACCOUNT_ID}:db:ecomm-db`;
const CLUSTER_ARN = `arn:aws:rds:${REGION}:${MOCK_ACCOUNT_ID}:cluster:ecomm-cluster`;
const asgArn = (name: string) => `arn:aws:autoscaling:${REGION}:${MOCK_ACCOUNT_ID}:autoScalingGroup:0000:autoScalingGroupName/${name}`;

const args: ResilienceComponentArgs = {
    experiments: ["azPower", "azNetwork", "dbFailover", "cpu"],
    environment: "prod",
    region: REGION,
    frontend: { asgName: pulumi.output("web-frontend-asg"), asgArn: asgArn("web-frontend-asg") },
    backend: { asgName: "web-backend-asg", asgArn: pulumi.output(asgArn("web-backend-asg")) },
    vpcId: pulumi.output("vpc-0123456789abcdef0"),
    availabilityZones: pulumi.output(AZS),
    privateSubnetIds: pulumi.output(SUBNETS),
    targetAvailabilityZone: "us-east-1b",
    database: { mode: "multi-az-instance", arn: pulumi.output(DB_ARN) },
    siteDownAlarmArn: pulumi.output(ALARM),
    azPowerLossMinutes: 10,
    networkDisruptionMinutes: 5,
    cpuStressMinutes: 4,
    cpuStressPercent: 85,
    tags: { CostCenter: "shop" },
};

type Target = { name: string; resourceType: string; selectionMode: string; resourceArns?: string[]; resourceTags?: { key: string; value: string }[]; filters?: { path: string; values: string[] }[] };
type Action = { name: string; actionId: string; parameters?: { key: string; value: string }[]; target?: { key: string; value: string } };
type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

interface Monitor {
    registerResource(req: { getName(): string; getParent(): string }, cb: (...rest: unknown[]) => void): unknown;
}

describe("ResilienceComponent", () => {
    let mocks: EcommMocks;
    const parentOf = new Map<string, string>();
    let ids: ExperimentTemplateIds;
    let auroraIds: ExperimentTemplateIds;
    before(async () => {
        mocks = new EcommMocks(REGION);
        pulumi.runtime.setAllConfig({ "aws:region": REGION }, []);
        await pulumi.runtime.setMocks(mocks, "ecomm", "unit", false);
        const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, cb) => {
            parentOf.set(req.getName(), req.getParent());
            return register(req, cb);
        };
        await pulumi.runtime.runInPulumiStack(async () => {
            const res = new ResilienceComponent("resilience", args);
            const aurora = new ResilienceComponent("res-aurora", {
                ...args,
                experiments: planExperiments({ enabled: true }, "aurora").experiments.filter((e) => e === "dbFailover"),
                database: { mode: "aurora", arn: CLUSTER_ARN },
                availabilityZones: AZS,
                targetAvailabilityZone: undefined,
            });
            new ResilienceComponent("res-dev", {
                ...args,
                experiments: devPlan.experiments,
                environment: dev.environment,
                database: { mode: dev.database.mode, arn: DB_ARN },
                azPowerLossMinutes: dev.resilience.azPowerLossMinutes,
                networkDisruptionMinutes: dev.resilience.networkDisruptionMinutes,
                cpuStressMinutes: dev.resilience.cpuStressMinutes,
                cpuStressPercent: dev.resilience.cpuStressPercent,
            });
            ids = await new Promise((resolve) => res.experimentTemplateIds.apply(resolve));
            auroraIds = await new Promise((resolve) => aurora.experimentTemplateIds.apply(resolve));
            return {};
        });
        await settle(mocks);
    });

    const templates = (): RecordedResource[] => mocks.resources.filter((r) => r.type === "aws:fis/experimentTemplate:ExperimentTemplate");
    const template = (name: string): RecordedResource => {
        const found = templates().find((t) => t.name === name);
        assert.ok(found, `no template ${name}; have ${templates().map((t) => t.name).join(", ")}`);
        return found;
    };
    const policyOf = (name: string): Statement[] => {
        const p = mocks.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === name);
        assert.ok(p, `no role policy ${name}`);
        return (JSON.parse(String(p.inputs.policy)) as { Statement: Statement[] }).Statement;
    };
    const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
    const params = (a: Action) => Object.fromEntries((a.parameters ?? []).map((p) => [p.key, p.value]));

    it("creates one template per requested experiment, and outputs their ids", () => {
        assert.deepEqual(templates().map((t) => t.name).sort(), [
            "res-aurora-db-failover",
            "res-dev-az-network", "res-dev-az-power", "res-dev-cpu",
            "resilience-az-network", "resilience-az-power", "resilience-cpu", "resilience-db-failover",
        ]);
        assert.deepEqual(Object.keys(ids).sort(), ["azNetwork", "azPower", "cpu", "dbFailover"]);
        assert.equal(ids.azPower, template("resilience-az-power").id);
        assert.match(ids.cpu ?? "", /^EXT[0-9A-F]{14}$/);
        assert.deepEqual(Object.keys(auroraIds), ["dbFailover"]);
    });

    it("stops every experiment on the composite site-down alarm and logs to the log group ARN with :*", () => {
        const logGroup = mocks.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.name === "resilience-logs");
        assert.ok(logGroup);
        for (const t of templates().filter((x) => x.name.startsWith("resilience-"))) {
            assert.deepEqual(t.inputs.stopConditions, [{ source: "aws:cloudwatch:alarm", value: ALARM }], t.name);
            assert.deepEqual(t.inputs.logConfiguration, { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: `${String(logGroup.state.arn)}:*` } }, t.name);
            assert.equal((t.inputs.tags as Record<string, string>).Environment, "prod");
            assert.equal((t.inputs.tags as Record<string, string>).CostCenter, "shop");
            // FIS limits descriptions to 512 characters; keep them plain ASCII.
            const texts = [t.inputs.description, ...(t.inputs.actions as Action[]).map((a) => (a as { description?: string }).description)];
            for (const d of texts) assert.match(String(d), /^[\x20-\x7e]{1,512}$/, `${t.name}: ${String(d)}`);
        }
        assert.equal(logGroup.inputs.retentionInDays, 30);
    });

    it("az-power stops both ASGs' running instances in the chosen AZ and fails launches there", () => {
        const t = template("resilience-az-power");
        const targets = t.inputs.targets as Target[];
        const inAz = (asg: string, name: string): Target => ({
            name,
            resourceType: "aws:ec2:instance",
            selectionMode: "ALL",
            resourceTags: [{ key: "aws:autoscaling:groupName", value: asg }],
            filters: [
                { path: "Placement.AvailabilityZone", values: ["us-east-1b"] },
                { path: "State.Name", values: ["running"] },
            ],
        });
        assert.deepEqual(targets, [
            inAz("web-frontend-asg", "frontendInstancesInAz"),
            inAz("web-backend-asg", "backendInstancesInAz"),
            { name: "webAsgs", resourceType: "aws:ec2:autoscaling-group", selectionMode: "ALL", resourceArns: [asgArn("web-frontend-asg"), asgArn("web-backend-asg")] },
        ]);
        const actions = t.inputs.actions as Action[];
        assert.deepEqual(actions.map((a) => [a.name, a.actionId, a.target]), [
            ["stopFrontendInstances", "aws:ec2:stop-instances", { key: "Instances", value: "frontendInstancesInAz" }],
            ["stopBackendInstances", "aws:ec2:stop-instances", { key: "Instances", value: "backendInstancesInAz" }],
            ["failLaunchesInAz", "aws:ec2:asg-insufficient-instance-capacity-error", { key: "AutoScalingGroups", value: "webAsgs" }],
        ]);
        assert.deepEqual(params(actions[0]), { startInstancesAfterDuration: "PT10M", completeIfInstancesTerminated: "true" });
        assert.deepEqual(params(actions[2]), { availabilityZoneIdentifiers: "us-east-1b", duration: "PT10M", percentage: "100" });
        assert.deepEqual(t.inputs.experimentOptions, { emptyTargetResolutionMode: "skip" });
    });

    it("az-network cuts off the chosen AZ's private subnet, by ARN, for the configured minutes", () => {
        const t = template("resilience-az-network");
        assert.deepEqual(t.inputs.targets, [
            { name: "privateSubnetInAz", resourceType: "aws:ec2:subnet", selectionMode: "ALL", resourceArns: [`arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:subnet/${SUBNETS[1]}`] },
        ]);
        const [action] = t.inputs.actions as Action[];
        assert.equal(action.actionId, "aws:network:disrupt-connectivity");
        assert.deepEqual(params(action), { duration: "PT5M", scope: "all" });
        assert.deepEqual(action.target, { key: "Subnets", value: "privateSubnetInAz" });
        assert.equal(t.inputs.experimentOptions, undefined);
    });

    it("db-failover reboots the Multi-AZ instance with forced failover, by ARN", () => {
        const t = template("resilience-db-failover");
        assert.deepEqual(t.inputs.targets, [{ name: "database", resourceType: "aws:rds:db", selectionMode: "ALL", resourceArns: [DB_ARN] }]);
        const [action] = t.inputs.actions as Action[];
        assert.equal(action.actionId, "aws:rds:reboot-db-instances");
        assert.deepEqual(params(action), { forceFailover: "true" });
        assert.deepEqual(action.target, { key: "DBInstances", value: "database" });
    });

    it("db-failover fails an Aurora cluster over, by cluster ARN, and the AZ defaults to the first", () => {
        const t = template("res-aurora-db-failover");
        assert.deepEqual(t.inputs.targets, [{ name: "database", resourceType: "aws:rds:cluster", selectionMode: "ALL", resourceArns: [CLUSTER_ARN] }]);
        const [action] = t.inputs.actions as Action[];
        assert.deepEqual([action.actionId, action.parameters, action.target], ["aws:rds:failover-db-cluster", [], { key: "Clusters", value: "database" }]);
        assert.deepEqual(actionsOf(policyOf("res-aurora-db-failover-policy")), [
            "logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy",
            "rds:DescribeDBClusters", "rds:FailoverDBCluster",
        ]);
    });

    it("dev's config gives the dev durations and no db-failover (single-AZ database)", () => {
        assert.deepEqual(devPlan.experiments, ["azPower", "azNetwork", "cpu"]);
        const power = template("res-dev-az-power");
        assert.deepEqual(params((power.inputs.actions as Action[])[0]), { startInstancesAfterDuration: "PT10M", completeIfInstancesTerminated: "true" });
        const cpu = template("res-dev-cpu");
        assert.deepEqual(params((cpu.inputs.actions as Action[])[0]).documentParameters, '{"DurationSeconds":"300","CPU":"0","LoadPercent":"90","InstallDependencies":"True"}');
        assert.equal((cpu.inputs.tags as Record<string, string>).Environment, "dev");
    });

    it("cpu runs the AWS stress document on every running backend instance", () => {
        const t = template("resilience-cpu");
        assert.deepEqual(t.inputs.targets, [
            { name: "backendInstances", resourceType: "aws:ec2:instance", selectionMode: "ALL", resourceTags: [{ key: "aws:autoscaling:groupName", value: "web-backend-asg" }], filters: [{ path: "State.Name", values: ["running"] }] },
        ]);
        const [action] = t.inputs.actions as Action[];
        assert.equal(action.actionId, "aws:ssm:send-command");
        assert.deepEqual(params(action), {
            documentArn: `arn:aws:ssm:${REGION}::document/AWSFIS-Run-CPU-Stress`,
            documentParameters: '{"DurationSeconds":"240","CPU":"0","LoadPercent":"85","InstallDependencies":"True"}',
            duration: "PT6M",
        });
        assert.deepEqual(action.target, { key: "Instances", value: "backendInstances" });
    });

    it("gives each experiment its own role that only FIS, for this account's experiments, can assume", () => {
        const roles = mocks.resources.filter((r) => r.type === "aws:iam/role:Role" && r.name.startsWith("resilience-"));
        assert.deepEqual(roles.map((r) => r.name).sort(), ["resilience-az-network-role", "resilience-az-power-role", "resilience-cpu-role", "resilience-db-failover-role"]);
        for (const role of roles) {
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: unknown; Condition: unknown }[] };
            assert.deepEqual(trust.Statement[0].Principal, { Service: "fis.amazonaws.com" });
            assert.deepEqual(trust.Statement[0].Condition, {
                StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
                ArnLike: { "aws:SourceArn": `arn:aws:fis:${REGION}:${MOCK_ACCOUNT_ID}:experiment/*` },
            });
        }
        for (const t of templates().filter((x) => x.name.startsWith("resilience-"))) {
            const role = roles.find((r) => r.name === `${t.name}-role`);
            assert.equal(t.inputs.roleArn, role?.state.arn, t.name);
        }
    });

    it("az-power's policy allows exactly stop/start on tagged instances, the AZ launch errors and log delivery", () => {
        const statements = policyOf("resilience-az-power-policy");
        assert.deepEqual(actionsOf(statements), [
            "autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances", "ec2:InjectApiError", "ec2:StartInstances", "ec2:StopInstances",
            "logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy",
        ]);
        const stop = statements.find((s) => s.Sid === "StopAndStartWebInstances");
        assert.deepEqual(stop?.Resource, `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:instance/*`);
        assert.deepEqual(stop?.Condition, { StringEquals: { "aws:ResourceTag/aws:autoscaling:groupName": ["web-backend-asg", "web-frontend-asg"] } });
        assert.deepEqual(statements.find((s) => s.Sid === "FailLaunchesInTheAz")?.Condition, {
            StringEquals: { "ec2:FisActionId": "aws:ec2:asg-insufficient-instance-capacity-error" },
            "ForAllValues:StringEquals": { "ec2:FisTargetArns": [asgArn("web-frontend-asg"), asgArn("web-backend-asg")] },
        });
    });

    it("az-network's policy swaps ACLs of the target subnet only, and changes only ACLs FIS created", () => {
        const statements = policyOf("resilience-az-network-policy");
        assert.deepEqual(actionsOf(statements), [
            "ec2:CreateNetworkAcl", "ec2:CreateNetworkAclEntry", "ec2:CreateTags", "ec2:DeleteNetworkAcl",
            "ec2:DescribeManagedPrefixLists", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            "ec2:GetManagedPrefixListEntries", "ec2:ReplaceNetworkAclAssociation",
            "logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy",
        ]);
        assert.deepEqual(statements.find((s) => s.Sid === "SwapAclOfTargetSubnets")?.Resource, [
            `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:subnet/${SUBNETS[1]}`,
            `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:network-acl/*`,
        ]);
        assert.equal(statements.find((s) => s.Sid === "CreateFisAclInTheVpc")?.Resource, `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:vpc/vpc-0123456789abcdef0`);
        assert.deepEqual(statements.find((s) => s.Sid === "ChangeOnlyFisAcls")?.Condition, { StringEquals: { "ec2:ResourceTag/managedByFIS": "true" } });
    });

    it("db-failover's and cpu's policies allow exactly their actions, on the DB and the backend's instances", () => {
        const db = policyOf("resilience-db-failover-policy");
        assert.deepEqual(actionsOf(db), ["logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy", "rds:DescribeDBInstances", "rds:RebootDBInstance"]);
        assert.equal(db.find((s) => s.Action === "rds:RebootDBInstance")?.Resource, DB_ARN);
        const cpu = policyOf("resilience-cpu-policy");
        assert.deepEqual(actionsOf(cpu), [
            "ec2:DescribeInstances", "logs:CreateLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:PutResourcePolicy",
            "ssm:CancelCommand", "ssm:ListCommands", "ssm:SendCommand",
        ]);
        const send = cpu.filter((s) => s.Action === "ssm:SendCommand");
        assert.deepEqual(send.map((s) => [s.Resource, s.Condition]), [
            [`arn:aws:ssm:${REGION}::document/AWSFIS-Run-CPU-Stress`, undefined],
            [`arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:instance/*`, { StringEquals: { "aws:ResourceTag/aws:autoscaling:groupName": "web-backend-asg" } }],
        ]);
    });

    it("names every child after the component and parents it", () => {
        const children = mocks.resources.filter((r) => r.type.startsWith("aws:"));
        assert.equal(children.length, 3 * 1 + (4 + 1 + 3) * 3, "three log groups, then a role, a policy and a template per experiment");
        for (const c of children) {
            const parent = parentOf.get(c.name) ?? "";
            const component = ["res-aurora", "res-dev", "resilience"].find((n) => c.name.startsWith(`${n}-`)) ?? "?";
            assert.ok(parent.endsWith(`ecomm:resilience:ResilienceComponent::${component}`), `${c.name} has parent ${parent}`);
            assert.ok(c.name.startsWith(`${component}-`), c.name);
        }
    });

    it("refuses db-failover for a single-AZ database, an empty list and a bad AZ, all at once", async () => {
        assert.throws(
            () =>
                new ResilienceComponent("res-bad", {
                    ...args,
                    experiments: ["dbFailover", "cpu", "cpu"],
                    database: { mode: "single-az", arn: DB_ARN },
                    availabilityZones: AZS,
                    targetAvailabilityZone: "us-east-1d",
                    cpuStressPercent: 0,
                }),
            (err: Error) =>
                err.message.includes("experiments lists cpu more than once") &&
                err.message.includes("db-failover needs a standby: ecomm:database.mode is single-az") &&
                err.message.includes('targetAvailabilityZone "us-east-1d" must be one of the VPC\'s availability zones (availabilityZones): us-east-1a, us-east-1b, us-east-1c') &&
                err.message.includes("cpuStressPercent (0) must be a whole number from 1 to 100"),
        );
        assert.throws(() => new ResilienceComponent("res-empty", { ...args, experiments: [] }), /construct no ResilienceComponent when ecomm:resilience.enabled is false/);
        // The refused components' own registrations are still in flight: let them finish under these
        // mocks, or they reach the next file's mock monitor (one process runs many files) and fail there.
        await settle(mocks);
    });
});
