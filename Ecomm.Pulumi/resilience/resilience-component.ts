import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_RETENTION_DAYS } from "../config/fields";
import { targetZoneProblem } from "../network/availability-zones";
import { refuseBadArgs } from "../shared/component-args";
import { policyDocument, type PolicyStatement } from "../shared/iam";
import { problemLine } from "../shared/problems";
import type { DatabaseMode } from "../database/modes";
import {
    azNetworkPolicy,
    azPowerPolicy,
    cpuStressPolicy,
    dbFailoverPolicy,
    dbFailoverRefusal,
    EXPERIMENT_SLUGS,
    experimentSettingsProblems,
    fisTrustPolicy,
    LOG_SCHEMA_VERSION,
    subnetArn,
    type AccountScope,
    type ExperimentKind,
} from "./experiments";
import { instanceTag, templateSpec } from "./templates";

export type { ExperimentKind };

/** One web service's Auto Scaling group, as the experiments find it. */
export interface ResilienceServiceArgs {
    /** The Auto Scaling group's name. */
    readonly asgName: pulumi.Input<string>;
    /** The Auto Scaling group's ARN (az-power makes its launches in the target AZ fail). */
    readonly asgArn: pulumi.Input<string>;
    /**
     * The tag that identifies the group's instances; FIS targets them by it and the IAM policy allows
     * stopping, starting and commanding only instances that carry it.
     * @default { key: "aws:autoscaling:groupName", value: asgName } (set by EC2 Auto Scaling on every instance)
     */
    readonly instanceTag?: { readonly key: string; readonly value: pulumi.Input<string> };
}

export interface ResilienceComponentArgs {
    /**
     * The experiments to create templates for; from `planExperiments(config.resilience, config.database.mode)`.
     * Asking for `dbFailover` with a `single-az` database is refused (it has no standby to fail over to).
     * An empty list is refused too: construct no component when `ecomm:resilience.enabled` is false.
     */
    readonly experiments: readonly ExperimentKind[];
    /** `dev` or `prod`; tagged on every resource and shown in the templates' descriptions. */
    readonly environment: string;
    /** The region the stack deploys to (`aws:region`); ARNs in the policies are scoped to it. */
    readonly region: string;
    readonly frontend: ResilienceServiceArgs;
    readonly backend: ResilienceServiceArgs;
    /** The VPC (az-network may create its deny-all network ACL only there). */
    readonly vpcId: pulumi.Input<string>;
    /** The AZ names, in the same order as `privateSubnetIds`. */
    readonly availabilityZones: pulumi.Input<string[]>;
    /** The private (web tier) subnets, one per AZ, in AZ order. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /**
     * The AZ that az-power and az-network hit.
     * @default the first of `availabilityZones`
     */
    readonly targetAvailabilityZone?: string;
    /** The stack's database: its HA mode, and the ARN of its instance (instance modes) or cluster. */
    readonly database: { readonly mode: DatabaseMode; readonly arn: pulumi.Input<string> };
    /**
     * The composite "site down" alarm: every experiment stops as soon as it goes into ALARM, so an
     * experiment can never turn a degradation into an outage for longer than the alarm's evaluation.
     */
    readonly siteDownAlarmArn: pulumi.Input<string>;
    /** Minutes the AZ's web instances stay stopped and launches there fail (`ecomm:resilience.azPowerLossMinutes`). */
    readonly azPowerLossMinutes: number;
    /** Minutes the AZ's private subnets are cut off (`ecomm:resilience.networkDisruptionMinutes`). */
    readonly networkDisruptionMinutes: number;
    /** Minutes of CPU stress on the backend (`ecomm:resilience.cpuStressMinutes`). */
    readonly cpuStressMinutes: number;
    /** CPU load of the stress, percent; above the scaling target or nothing scales out (`ecomm:resilience.cpuStressPercent`). */
    readonly cpuStressPercent: number;
    /**
     * Days the experiment log group keeps FIS's logs (a CloudWatch Logs retention period).
     * @default 30
     */
    readonly logRetentionDays?: number;
    /** Extra tags on every resource (the provider's default tags apply as well). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Every problem with the args, empty when they are valid: the same rules the config schema applies
 * (experiment limits, the target AZ, db-failover's standby) plus what only the component sees.
 */
export function resilienceArgsProblems(a: ResilienceComponentArgs): string[] {
    const problems: string[] = [];
    if (a.experiments.length === 0) {
        problems.push("experiments is empty: construct no ResilienceComponent when ecomm:resilience.enabled is false");
    }
    const duplicates = a.experiments.filter((e, i) => a.experiments.indexOf(e) !== i);
    if (duplicates.length > 0) problems.push(`experiments lists ${[...new Set(duplicates)].join(", ")} more than once`);
    const refusal = dbFailoverRefusal(a.database.mode);
    if (a.experiments.includes("dbFailover") && refusal) problems.push(refusal);
    // The same limits and AZ rule the config schema applies (experiments.ts, network/availability-zones.ts).
    problems.push(...experimentSettingsProblems(a).map(problemLine));
    if (Array.isArray(a.availabilityZones) && a.targetAvailabilityZone !== undefined) {
        const azs = a.availabilityZones as unknown[];
        const zoneProblem = azs.every((z): z is string => typeof z === "string") ? targetZoneProblem(a.targetAvailabilityZone, azs, "availabilityZones") : undefined;
        if (zoneProblem) problems.push(`targetAvailabilityZone "${a.targetAvailabilityZone}" ${zoneProblem}`);
    }
    if (a.logRetentionDays !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(a.logRetentionDays)) {
        problems.push(`logRetentionDays (${a.logRetentionDays}) must be a CloudWatch Logs retention period: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return problems;
}

/** The template id of each experiment created; absent for those not created. */
export type ExperimentTemplateIds = Partial<Record<ExperimentKind, string>>;

/**
 * AWS FIS experiment templates that prove the stack's availability claims — an AZ's web instances
 * losing power, an AZ's subnets losing the network, a database failover and a CPU surge on the
 * backend — each with its own least-privilege role, logging to one log group, and stopped by the
 * composite "site down" alarm. Templates cost nothing until an experiment runs.
 */
export class ResilienceComponent extends pulumi.ComponentResource {
    /** Template id per experiment (`npm run gameday` starts them by these). */
    public readonly experimentTemplateIds: pulumi.Output<ExperimentTemplateIds>;
    /** The AZ the AZ experiments hit. */
    public readonly targetAvailabilityZone: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** Each experiment's role ARN. */
    public readonly roleArns: pulumi.Output<Partial<Record<ExperimentKind, string>>>;

    private readonly name: string;
    private readonly args: ResilienceComponentArgs;
    private readonly scope: pulumi.Output<AccountScope>;

    constructor(name: string, args: ResilienceComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("ResilienceComponent", name, resilienceArgsProblems(args));
        super("ecomm:resilience:ResilienceComponent", name, {}, opts);
        this.name = name;
        this.args = args;

        this.scope = this.accountScope();
        this.targetAvailabilityZone = this.resolveTargetAz();
        const logGroup = this.createLogGroup();
        this.logGroupName = logGroup.name;

        const created: { kind: ExperimentKind; template: aws.fis.ExperimentTemplate; role: aws.iam.Role }[] = [];
        for (const kind of args.experiments) {
            const { role, policy } = this.createRole(kind);
            const template = this.createTemplate(kind, role, policy, logGroup);
            created.push({ kind, template, role });
        }
        this.experimentTemplateIds = pulumi
            .all(created.map((c) => c.template.id))
            .apply((ids) => Object.fromEntries(created.map((c, i) => [c.kind, ids[i]])) as ExperimentTemplateIds);
        this.roleArns = pulumi
            .all(created.map((c) => c.role.arn))
            .apply((arns) => Object.fromEntries(created.map((c, i) => [c.kind, arns[i]])) as Partial<Record<ExperimentKind, string>>);

        this.registerOutputs({
            experimentTemplateIds: this.experimentTemplateIds,
            targetAvailabilityZone: this.targetAvailabilityZone,
            logGroupName: this.logGroupName,
            roleArns: this.roleArns,
        });
    }

    private accountScope(): pulumi.Output<AccountScope> {
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        return pulumi
            .all([identity.accountId, partition.partition])
            .apply(([accountId, p]) => ({ accountId, partition: p, region: this.args.region }));
    }

    private resolveTargetAz(): pulumi.Output<string> {
        const wanted = this.args.targetAvailabilityZone;
        return pulumi.output(this.args.availabilityZones).apply((azs) => {
            const az = wanted ?? azs[0];
            if (az === undefined || !azs.includes(az)) {
                throw new Error(`ResilienceComponent ${this.name}: targetAvailabilityZone "${String(wanted)}" is not one of the VPC's AZs: ${azs.join(", ")}`);
            }
            return az;
        });
    }

    /** The private subnet of the target AZ (`privateSubnetIds` is in AZ order). */
    private targetSubnetArn(): pulumi.Output<string> {
        return pulumi
            .all([this.args.availabilityZones, this.args.privateSubnetIds, this.targetAvailabilityZone, this.scope])
            .apply(([azs, subnets, az, scope]) => {
                const id = subnets[azs.indexOf(az)];
                if (id === undefined) throw new Error(`ResilienceComponent ${this.name}: no private subnet for ${az} (subnets: ${subnets.join(", ")})`);
                return subnetArn(scope, id);
            });
    }

    private tags(role: string, extra: Record<string, string> = {}): Record<string, string> {
        return { ...this.args.tags, Environment: this.args.environment, Name: `${this.name}-${role}`, ...extra };
    }

    private createLogGroup(): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(
            `${this.name}-logs`,
            { retentionInDays: this.args.logRetentionDays ?? 30, tags: this.tags("logs") },
            { parent: this },
        );
    }

    /** The role FIS assumes for one experiment, with an inline policy of exactly what it needs. */
    private createRole(kind: ExperimentKind): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
        const slug = EXPERIMENT_SLUGS[kind];
        const role = new aws.iam.Role(
            `${this.name}-${slug}-role`,
            {
                description: `Lets AWS FIS run the ${slug} experiment on the ${this.args.environment} ecomm stack, and nothing else`,
                assumeRolePolicy: this.scope.apply(fisTrustPolicy),
                tags: this.tags(`${slug}-role`),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${this.name}-${slug}-policy`,
            { role: role.name, policy: this.statements(kind).apply(policyDocument) },
            { parent: this },
        );
        return { role, policy };
    }

    private statements(kind: ExperimentKind): pulumi.Output<PolicyStatement[]> {
        const a = this.args;
        switch (kind) {
            case "azPower":
                return pulumi
                    .all([this.scope, instanceTag(a.frontend), instanceTag(a.backend), a.frontend.asgArn, a.backend.asgArn])
                    .apply(([scope, fe, be, feArn, beArn]) => azPowerPolicy(scope, [fe, be], [feArn, beArn]));
            case "azNetwork":
                return pulumi
                    .all([this.scope, a.vpcId, this.targetSubnetArn()])
                    .apply(([scope, vpcId, subnet]) => azNetworkPolicy(scope, vpcId, [subnet]));
            case "dbFailover":
                return pulumi.output(a.database.arn).apply((arn) => dbFailoverPolicy(a.database.mode, arn));
            case "cpu":
                return pulumi.all([this.scope, instanceTag(a.backend)]).apply(([scope, be]) => cpuStressPolicy(scope, be));
        }
    }

    private createTemplate(kind: ExperimentKind, role: aws.iam.Role, policy: aws.iam.RolePolicy, logGroup: aws.cloudwatch.LogGroup): aws.fis.ExperimentTemplate {
        const slug = EXPERIMENT_SLUGS[kind];
        const spec = templateSpec(kind, {
            args: this.args,
            targetAvailabilityZone: this.targetAvailabilityZone,
            scope: this.scope,
            targetSubnetArn: () => this.targetSubnetArn(),
        });
        return new aws.fis.ExperimentTemplate(
            `${this.name}-${slug}`,
            {
                description: spec.description,
                roleArn: role.arn,
                targets: spec.targets,
                actions: spec.actions,
                stopConditions: [{ source: "aws:cloudwatch:alarm", value: this.args.siteDownAlarmArn }],
                logConfiguration: {
                    logSchemaVersion: LOG_SCHEMA_VERSION,
                    // FIS wants the log group ARN with the `:*` suffix the provider's `arn` leaves off.
                    cloudwatchLogsConfiguration: { logGroupArn: pulumi.interpolate`${logGroup.arn}:*` },
                },
                ...(spec.experimentOptions ? { experimentOptions: spec.experimentOptions } : {}),
                tags: this.tags(slug, { Experiment: slug }),
            },
            // The role's policy is not referenced by the template, but an experiment must not start without it.
            { parent: this, dependsOn: [policy] },
        );
    }
}
