import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { LOG_RETENTION_DAYS } from "../config/fields";
import { refuseBadArgs } from "../shared/component-args";
import { AZ_NAME, isZoneOfRegion, repeatedZoneProblem, zoneOfRegionRule } from "./availability-zones";
import { cidrProblem, NAT_STRATEGIES, type NatStrategy } from "./config";
import { MAX_AZS, planSubnets, type SubnetPlan } from "./subnets";
import { policyDocument, serviceTrustPolicy } from "../shared/iam";

/** The NAT gateway layout (`ecomm:network.natGateways`). */
export type { NatStrategy };

export interface NetworkComponentArgs {
    /**
     * The AWS region, used to name the free S3 gateway endpoint that keeps package downloads and log
     * uploads off the NAT gateways.
     * @example "us-east-1"
     */
    readonly region: string;
    /**
     * The VPC's IPv4 range, a private /16–/20 block.
     * @example "10.20.0.0/16"
     */
    readonly cidrBlock: string;
    /**
     * The AZs to spread over (1–6 names), in order: subnet i of every tier goes to AZ i. Always explicit,
     * so the subnets, the `availabilityZones` output and everything that targets an AZ (FIS) use one
     * list; awsx's own default (`numberOfAvailabilityZones`) takes the first N of an unfiltered AZ list,
     * which can hold an impaired AZ or an opted-in Local Zone. The stack resolves them (`resolveAvailabilityZones`).
     * @example ["us-east-1a", "us-east-1b", "us-east-1c"]
     */
    readonly availabilityZoneNames: readonly string[];
    /**
     * NAT gateways: `perAz` keeps each AZ's egress alive when another AZ fails (one gateway per AZ,
     * about $33/month each plus data); `single` is one gateway in the first AZ, a single point of
     * failure for egress; `none` leaves private subnets without internet access.
     */
    readonly natGateways: NatStrategy;
    /** VPC flow logs to a CloudWatch log group. */
    readonly flowLogs: {
        /** Whether to capture flow logs (ALL traffic, 1-minute aggregation). */
        readonly enabled: boolean;
        /** Days the log group keeps flow logs (a CloudWatch Logs retention value). */
        readonly retentionDays: number;
    };
}

const NAT_STRATEGY: Record<NatStrategy, awsx.types.enums.ec2.NatGatewayStrategy> = {
    perAz: "OnePerAz",
    single: "Single",
    none: "None",
};

/**
 * Every problem with the args, empty when they are valid: the schema's CIDR and AZ rules (`cidrProblem`,
 * `isZoneOfRegion`, `repeatedZoneProblem`), the subnet plan's AZ range, the NAT strategies and the log
 * retention periods.
 */
export function networkArgsProblems(a: NetworkComponentArgs): string[] {
    const problems: string[] = [];
    const cidr = cidrProblem(a.cidrBlock);
    if (cidr) problems.push(`cidrBlock "${a.cidrBlock}" ${cidr}`);
    const names = a.availabilityZoneNames;
    if (names.length < 1 || names.length > MAX_AZS) problems.push(`availabilityZoneNames lists ${names.length} AZs; it must list 1 to ${MAX_AZS}`);
    names.forEach((n, i) => {
        if (!AZ_NAME.test(n) || !isZoneOfRegion(n, a.region)) problems.push(`availabilityZoneNames[${i}] "${n}" ${zoneOfRegionRule(a.region)}`);
    });
    const repeated = repeatedZoneProblem(names);
    if (repeated) problems.push(`availabilityZoneNames ${repeated}`);
    if (!NAT_STRATEGIES.includes(a.natGateways)) problems.push(`natGateways "${String(a.natGateways)}" must be one of ${NAT_STRATEGIES.join(", ")}`);
    if (a.flowLogs.enabled && !(LOG_RETENTION_DAYS as readonly number[]).includes(a.flowLogs.retentionDays)) {
        problems.push(`flowLogs.retentionDays (${a.flowLogs.retentionDays}) must be a CloudWatch Logs retention period: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return problems;
}

/**
 * A VPC with public, private (app) and isolated (database) subnets in every AZ, NAT per the strategy,
 * flow logs, and the default security group stripped of every rule.
 */
export class NetworkComponent extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidrBlock: string;
    /** Public subnets, one per AZ, in AZ order. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Private (app) subnets, one per AZ, in AZ order. */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Isolated (database) subnets, one per AZ, in AZ order. */
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;
    /** The AZ names, in the same order as the subnet lists. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** The planned subnet CIDR blocks per tier. */
    public readonly subnetPlan: SubnetPlan;
    /** The flow log's id, when enabled. */
    public readonly flowLogId?: pulumi.Output<string>;

    constructor(name: string, args: NetworkComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("NetworkComponent", name, networkArgsProblems(args));
        super("ecomm:network:NetworkComponent", name, {}, opts);

        this.cidrBlock = args.cidrBlock;
        this.subnetPlan = planSubnets(args.cidrBlock, args.availabilityZoneNames.length);
        this.availabilityZones = pulumi.output([...args.availabilityZoneNames]);

        const vpc = this.createVpc(name, args);
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;

        this.closeDefaultSecurityGroup(name);
        if (args.flowLogs.enabled) this.flowLogId = this.createFlowLogs(name, args.flowLogs.retentionDays, args.region);

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            availabilityZones: this.availabilityZones,
        });
    }

    private createVpc(name: string, args: NetworkComponentArgs): awsx.ec2.Vpc {
        const plan = this.subnetPlan;
        return new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidrBlock,
                availabilityZoneNames: [...args.availabilityZoneNames],
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: NAT_STRATEGY[args.natGateways] },
                subnetStrategy: "Auto",
                subnetNameTagStrategy: "AvailabilityZone",
                subnetSpecs: [
                    { type: "Public", name: "public", cidrBlocks: [...plan.public] },
                    { type: "Private", name: "private", cidrBlocks: [...plan.private] },
                    { type: "Isolated", name: "isolated", cidrBlocks: [...plan.isolated] },
                ],
                // Gateway endpoints are free and keep S3 traffic (package mirrors, logs) off the NAT.
                vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway" }],
                // "Auto" attaches the gateway endpoint to the VPC's route tables; awsx's default ("Legacy")
                // creates it attached to none, where it would route nothing.
                vpcEndpointStrategy: "Auto",
                tags: { Name: `${name}-vpc` },
            },
            { parent: this },
        );
    }

    /** Adopting the default SG with no rules removes AWS's allow-all-within-the-SG defaults (EC2.2). */
    private closeDefaultSecurityGroup(name: string): void {
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: this.vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-closed` } },
            { parent: this },
        );
    }

    private createFlowLogs(name: string, retentionDays: number, region: string): pulumi.Output<string> {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { retentionInDays: retentionDays },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                description: "Lets VPC Flow Logs write to its CloudWatch log group",
                // Only flow logs of this account and region (VPC User Guide, "IAM role for publishing flow logs
                // to CloudWatch Logs": aws:SourceAccount and aws:SourceArn on the flow log's ARN).
                assumeRolePolicy: pulumi
                    .all([aws.getCallerIdentityOutput({}, { parent: this }).accountId, aws.getPartitionOutput({}, { parent: this }).partition])
                    .apply(([accountId, partition]) =>
                        serviceTrustPolicy("vpc-flow-logs.amazonaws.com", { accountId, sourceArn: `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` }),
                    ),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-policy`,
            {
                role: role.name,
                policy: logGroup.arn.apply((arn) =>
                    policyDocument([
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [arn, `${arn}:*`],
                        },
                    ]),
                ),
            },
            { parent: this },
        );
        const flowLog = new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: { Name: `${name}-flow-log` },
            },
            { parent: this },
        );
        return flowLog.id;
    }
}
