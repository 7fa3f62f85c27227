/**
 * The pure half of the ResilienceComponent: which AWS FIS experiments a stack gets, the action each one
 * runs, and the least-privilege IAM policy each experiment's role needs — plain values in, plain JSON
 * out, so the tests can assert exact action lists without the engine.
 *
 * Action ids, target keys, parameters and permissions follow the AWS FIS actions reference.
 */
import { hasStandby, STANDBY_MODES, type DatabaseMode } from "../database/modes";
import type { RuleProblem } from "../shared/problems";
import { serviceTrustPolicy, type PolicyStatement } from "../shared/iam";

export const EXPERIMENTS = ["azPower", "azNetwork", "dbFailover", "cpu"] as const;
export type ExperimentKind = (typeof EXPERIMENTS)[number];

/** The `--experiment` names of `npm run gameday`, and the `Experiment` tag of each template. */
export const EXPERIMENT_SLUGS: Readonly<Record<ExperimentKind, string>> = {
    azPower: "az-power",
    azNetwork: "az-network",
    dbFailover: "db-failover",
    cpu: "cpu",
};

/** The tag every Auto Scaling group puts on its instances, with the group's name as the value. */
export const ASG_NAME_TAG = "aws:autoscaling:groupName";
/** The AWS-managed SSM document FIS provides for CPU stress (installs stress-ng if needed). */
export const CPU_STRESS_DOCUMENT = "AWSFIS-Run-CPU-Stress";
/** How long each disruption may last (minutes) and how hard the CPU stress may push (percent): whole numbers. */
export const EXPERIMENT_LIMITS = {
    azPowerLossMinutes: { min: 1, max: 60 },
    networkDisruptionMinutes: { min: 1, max: 60 },
    cpuStressMinutes: { min: 1, max: 60 },
    cpuStressPercent: { min: 1, max: 100 },
} as const;

export type ExperimentSettings = { readonly [K in keyof typeof EXPERIMENT_LIMITS]: number };

/** The one check of the experiments' durations and load, for the schema, the component and the plan. */
export function experimentSettingsProblems(settings: ExperimentSettings): RuleProblem[] {
    const problems: RuleProblem[] = [];
    for (const [key, { min, max }] of Object.entries(EXPERIMENT_LIMITS) as [keyof ExperimentSettings, { min: number; max: number }][]) {
        const v = settings[key];
        if (!Number.isInteger(v) || v < min || v > max) problems.push({ path: [key], input: v, message: `must be a whole number from ${min} to ${max}` });
    }
    return problems;
}

/** Extra minutes the send-command action waits beyond the stress, for installing stress-ng first. */
export const CPU_STRESS_INSTALL_MINUTES = 2;
/** FIS experiment log schema version. */
export const LOG_SCHEMA_VERSION = 2;

export const ACTIONS = {
    stopInstances: "aws:ec2:stop-instances",
    asgInsufficientCapacity: "aws:ec2:asg-insufficient-instance-capacity-error",
    disruptConnectivity: "aws:network:disrupt-connectivity",
    rebootDbInstances: "aws:rds:reboot-db-instances",
    failoverDbCluster: "aws:rds:failover-db-cluster",
    sendCommand: "aws:ssm:send-command",
} as const;

/** An ISO-8601 duration of whole minutes, as FIS wants it (`PT5M`). */
export function isoMinutes(minutes: number): string {
    if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`a FIS duration must be a whole number of minutes >= 1, not ${minutes}`);
    return `PT${minutes}M`;
}

/** Why a database mode cannot be failed over, or undefined when it can. */
export function dbFailoverRefusal(mode: DatabaseMode): string | undefined {
    return hasStandby(mode)
        ? undefined
        : `db-failover needs a standby: ecomm:database.mode is ${mode}, which has none (a forced failover would be refused by RDS). Use ${STANDBY_MODES.slice(0, -1).join(", ")} or ${STANDBY_MODES[STANDBY_MODES.length - 1]}.`;
}

export interface DatabaseFailoverAction {
    readonly actionId: string;
    /** The FIS resource type of the target. */
    readonly resourceType: "aws:rds:db" | "aws:rds:cluster";
    /** The key under which the action names its target. */
    readonly targetKey: "DBInstances" | "Clusters";
    readonly parameters: Readonly<Record<string, string>>;
}

/** Multi-AZ instance: reboot with forced failover to the standby; clusters: promote a reader or standby. */
export function databaseFailoverAction(mode: DatabaseMode): DatabaseFailoverAction {
    const refusal = dbFailoverRefusal(mode);
    if (refusal) throw new Error(refusal);
    return mode === "multi-az-instance"
        ? { actionId: ACTIONS.rebootDbInstances, resourceType: "aws:rds:db", targetKey: "DBInstances", parameters: { forceFailover: "true" } }
        : { actionId: ACTIONS.failoverDbCluster, resourceType: "aws:rds:cluster", targetKey: "Clusters", parameters: {} };
}

export interface ResiliencePlanInput {
    readonly enabled: boolean;
}

export interface ResiliencePlan {
    /** The templates to create, in a stable order. Empty: construct no ResilienceComponent. */
    readonly experiments: ExperimentKind[];
    /** Why an experiment is left out (for `pulumi.log.info` and the plan output). */
    readonly skipped: { readonly experiment: ExperimentKind; readonly reason: string }[];
}

/**
 * Which experiments a stack gets from its config: none when `ecomm:resilience.enabled` is false;
 * otherwise all four, except db-failover for a single-AZ database (left out with the reason, rather than
 * failing the deployment: dev runs single-AZ by default and still wants the other three).
 */
export function planExperiments(config: ResiliencePlanInput, databaseMode: DatabaseMode): ResiliencePlan {
    if (!config.enabled) {
        return { experiments: [], skipped: EXPERIMENTS.map((experiment) => ({ experiment, reason: "ecomm:resilience.enabled is false" })) };
    }
    const refusal = dbFailoverRefusal(databaseMode);
    return {
        experiments: EXPERIMENTS.filter((e) => !(e === "dbFailover" && refusal)),
        skipped: refusal ? [{ experiment: "dbFailover", reason: refusal }] : [],
    };
}

/** The CPU stress document's parameters, as the JSON string the send-command action takes. */
export function cpuStressDocumentParameters(minutes: number, loadPercent: number): string {
    const { min, max } = EXPERIMENT_LIMITS.cpuStressPercent;
    if (!Number.isInteger(loadPercent) || loadPercent < min || loadPercent > max) throw new Error(`cpu stress load must be ${min}–${max} %, not ${loadPercent}`);
    // CPU "0" starts one stressor per vCPU, so LoadPercent is the whole instance's load.
    return JSON.stringify({ DurationSeconds: String(minutes * 60), CPU: "0", LoadPercent: String(loadPercent), InstallDependencies: "True" });
}

// ---------------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------------

/** Where the policies point: the account, region and partition the stack deploys to. */
export interface AccountScope {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

export function subnetArn(scope: AccountScope, subnetId: string): string {
    return `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:subnet/${subnetId}`;
}

export function cpuStressDocumentArn(scope: Pick<AccountScope, "partition" | "region">): string {
    // AWS-owned documents have no account in their ARN.
    return `arn:${scope.partition}:ssm:${scope.region}::document/${CPU_STRESS_DOCUMENT}`;
}

/** Trust for FIS, limited to experiments of this account and region (confused-deputy protection). */
export function fisTrustPolicy(scope: AccountScope): string {
    return serviceTrustPolicy("fis.amazonaws.com", {
        accountId: scope.accountId,
        sourceArn: `arn:${scope.partition}:fis:${scope.region}:${scope.accountId}:experiment/*`,
    });
}

/** FIS delivers the experiment log to CloudWatch Logs with the role's permissions. */
export const LOG_DELIVERY_STATEMENT: PolicyStatement = {
    Sid: "ExperimentLogDelivery",
    Effect: "Allow",
    Action: ["logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
    Resource: "*",
};

export interface InstanceTag {
    readonly key: string;
    readonly value: string;
}

/** One statement per tag key (two keys in one condition would both have to match). */
function byTagKey(tags: readonly InstanceTag[]): [string, string[]][] {
    const grouped = new Map<string, string[]>();
    for (const t of tags) grouped.set(t.key, [...(grouped.get(t.key) ?? []), t.value]);
    return [...grouped.entries()].map(([k, values]) => [k, [...new Set(values)].sort()]);
}

function instancesArn(scope: AccountScope): string {
    return `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:instance/*`;
}

/**
 * AZ power loss: stop (and later start) only instances carrying one of the ASG tags; inject
 * insufficient-capacity errors into the ASGs' launches in the AZ so replacements go elsewhere.
 */
export function azPowerPolicy(scope: AccountScope, instanceTags: readonly InstanceTag[], asgArns: readonly string[]): PolicyStatement[] {
    return [
        ...byTagKey(instanceTags).map(([key, values], i): PolicyStatement => ({
            Sid: `StopAndStartWebInstances${i === 0 ? "" : i + 1}`,
            Effect: "Allow",
            Action: ["ec2:StopInstances", "ec2:StartInstances"],
            Resource: instancesArn(scope),
            Condition: { StringEquals: { [`aws:ResourceTag/${key}`]: values } },
        })),
        { Sid: "ResolveInstanceTargets", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
        {
            Sid: "FailLaunchesInTheAz",
            Effect: "Allow",
            Action: "ec2:InjectApiError",
            Resource: "*",
            // FIS sets these keys to the action and to its target groups: only our two ASGs' launches fail.
            Condition: {
                StringEquals: { "ec2:FisActionId": ACTIONS.asgInsufficientCapacity },
                "ForAllValues:StringEquals": { "ec2:FisTargetArns": [...asgArns] },
            },
        },
        { Sid: "ResolveAsgTargets", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*" },
        LOG_DELIVERY_STATEMENT,
    ];
}

/**
 * AZ network disruption: FIS swaps each target subnet's network ACL for a deny-all one it creates (tagged
 * managedByFIS=true) and puts the original back at the end. Only ACLs FIS created can be changed or
 * deleted, and only the target subnets can be re-associated.
 */
export function azNetworkPolicy(scope: AccountScope, vpcId: string, subnetArns: readonly string[]): PolicyStatement[] {
    const acls = `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:network-acl/*`;
    const vpc = `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:vpc/${vpcId}`;
    return [
        { Sid: "CreateFisAclInTheVpc", Effect: "Allow", Action: "ec2:CreateNetworkAcl", Resource: vpc },
        {
            Sid: "CreateTaggedFisAcl",
            Effect: "Allow",
            Action: "ec2:CreateNetworkAcl",
            Resource: acls,
            Condition: { StringEquals: { "aws:RequestTag/managedByFIS": "true" } },
        },
        {
            Sid: "TagFisAclOnCreate",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: acls,
            Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkAcl", "aws:RequestTag/managedByFIS": "true" } },
        },
        {
            Sid: "ChangeOnlyFisAcls",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
            Resource: acls,
            Condition: { StringEquals: { "ec2:ResourceTag/managedByFIS": "true" } },
        },
        { Sid: "SwapAclOfTargetSubnets", Effect: "Allow", Action: "ec2:ReplaceNetworkAclAssociation", Resource: [...subnetArns, acls] },
        {
            Sid: "DescribeNetwork",
            Effect: "Allow",
            Action: ["ec2:DescribeManagedPrefixLists", "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
            Resource: "*",
        },
        {
            Sid: "ReadPrefixLists",
            Effect: "Allow",
            Action: "ec2:GetManagedPrefixListEntries",
            Resource: `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:prefix-list/*`,
        },
        LOG_DELIVERY_STATEMENT,
    ];
}

/** Database failover: reboot-with-failover or cluster failover on the stack's database, and nothing else. */
export function dbFailoverPolicy(mode: DatabaseMode, databaseArn: string): PolicyStatement[] {
    const action = databaseFailoverAction(mode);
    const instance = action.resourceType === "aws:rds:db";
    return [
        { Sid: "FailOverTheDatabase", Effect: "Allow", Action: instance ? "rds:RebootDBInstance" : "rds:FailoverDBCluster", Resource: databaseArn },
        { Sid: "ResolveDatabaseTarget", Effect: "Allow", Action: instance ? "rds:DescribeDBInstances" : "rds:DescribeDBClusters", Resource: "*" },
        LOG_DELIVERY_STATEMENT,
    ];
}

/** CPU stress: run the AWS stress document on instances with the backend ASG's tag, and cancel it. */
export function cpuStressPolicy(scope: AccountScope, instanceTag: InstanceTag): PolicyStatement[] {
    return [
        { Sid: "SendTheStressDocument", Effect: "Allow", Action: "ssm:SendCommand", Resource: cpuStressDocumentArn(scope) },
        {
            Sid: "SendToBackendInstances",
            Effect: "Allow",
            Action: "ssm:SendCommand",
            Resource: instancesArn(scope),
            Condition: { StringEquals: { [`aws:ResourceTag/${instanceTag.key}`]: instanceTag.value } },
        },
        { Sid: "FollowAndCancelTheCommand", Effect: "Allow", Action: ["ssm:ListCommands", "ssm:CancelCommand"], Resource: "*" },
        { Sid: "ResolveInstanceTargets", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
        LOG_DELIVERY_STATEMENT,
    ];
}

/** Every action a list of statements allows, sorted and de-duplicated (for tests and reviews). */
export function allowedActions(statements: readonly PolicyStatement[]): string[] {
    const actions = statements.filter((s) => s.Effect === "Allow").flatMap((s) => (typeof s.Action === "string" ? [s.Action] : [...s.Action]));
    return [...new Set(actions)].sort();
}
