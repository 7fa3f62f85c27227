import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEngine } from "../database/rules";
import type { DatabaseMode } from "../database/modes";
import { refuseBadArgs } from "../shared/component-args";
import { alertKeyPolicy, alertTopicPolicy } from "./alert-policies";
import { dashboardBody } from "./dashboard";
import type { ServiceLogGroups } from "../web/logs";
import { alarmName, dashboardName, PERIOD_SECONDS, planAlarms, planProblems, siteDownRule, type AlarmSpec, type Thresholds } from "./alarms";

/** One web service behind the ALB, as the web tier reports it. */
export interface MonitoredService {
    /**
     * The service's role, used in alarm and widget names: lowercase letters, digits and hyphens.
     * @example "frontend"
     */
    readonly name: string;
    /**
     * The target group's ARN suffix, the `TargetGroup` dimension of ALB metrics (`aws.lb.TargetGroup.arnSuffix`).
     * @example "targetgroup/web-frontend-tg-1a2b3c4/0123456789abcdef"
     */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /**
     * The Auto Scaling group's name. Its group metrics must be enabled (at least `GroupInServiceInstances`
     * and `GroupDesiredCapacity`), or the in-service alarm stays in ALARM.
     * @example "web-frontend-asg-1a2b3c4"
     */
    readonly autoScalingGroupName: pulumi.Input<string>;
    /**
     * The group's minimum size: the healthy-host and in-service floors. `0` means the service may scale to
     * zero, and gets no capacity alarms at all.
     */
    readonly minSize: number;
    /** The group's maximum size, drawn on the dashboard next to desired and in-service capacity. */
    readonly maxSize: number;
    /**
     * The service's log groups (plain names): the dashboard gets a log widget with its errors and system
     * log, and one with 5xx lines from every service's access log.
     * @default undefined (no log widgets for the service)
     */
    readonly logGroupNames?: ServiceLogGroups;
}

/** The database, as the database component reports it. */
export interface MonitoredDatabase {
    /** The deployment mode: decides replica-lag alarms (cluster modes) and the storage metric (Aurora). */
    readonly mode: DatabaseMode;
    /** The engine family (kept for engine-specific alarms; every alarm today applies to both). */
    readonly engine: DatabaseEngine;
    /**
     * Every DB instance identifier (`DBInstanceIdentifier` dimension): the one instance in instance modes,
     * every member in cluster modes. Each gets CPU, memory, storage and connection alarms (and replica
     * lag in cluster modes: only readers publish it, and failover moves the writer, so all are watched).
     */
    readonly instanceIdentifiers: readonly pulumi.Input<string>[];
    /**
     * The DB cluster identifier (`DBClusterIdentifier`). Required in `aurora` mode, whose dashboard graphs
     * the cluster volume; unused otherwise.
     * @default undefined
     */
    readonly clusterIdentifier?: pulumi.Input<string>;
}

/** Another alert endpoint besides email. The endpoint's own policy must let the topic deliver to it. */
export interface AlertSubscription {
    /** A short stable key for the child's logical name (`${name}-sub-<key>`); change it and it is replaced. */
    readonly key: string;
    /** The SNS protocol. HTTPS endpoints must confirm like email; SQS and Lambda need no confirmation. */
    readonly protocol: "https" | "sqs" | "lambda";
    /** The URL, queue ARN or function ARN. */
    readonly endpoint: pulumi.Input<string>;
}

export interface MonitoringComponentArgs {
    /** `dev` or `prod`: names the alarms and dashboard (through `namePrefix`) and the topic's display name. */
    readonly environment: "dev" | "prod";
    /**
     * The region the dashboard's widgets and console link point at.
     * @example "us-east-1"
     */
    readonly region: string;
    /**
     * The ALB's ARN suffix, the `LoadBalancer` dimension (`aws.lb.LoadBalancer.arnSuffix`).
     * @example "app/web-alb-1a2b3c4/0123456789abcdef"
     */
    readonly albArnSuffix: pulumi.Input<string>;
    /** The services behind the ALB, in the order the dashboard shows them. */
    readonly services: readonly MonitoredService[];
    /** The database: its mode decides the storage and replica-lag alarms. */
    readonly database: MonitoredDatabase;
    /**
     * Addresses subscribed to the alert topic; each must click the confirmation link AWS sends before it
     * receives anything.
     * @default [] (alarms change state but notify no one)
     */
    readonly alarmEmails: readonly string[];
    /**
     * Non-email endpoints (HTTPS webhooks, SQS queues, Lambda functions).
     * @default []
     */
    readonly subscriptions?: readonly AlertSubscription[];
    /** Alarm thresholds in the config's units (`ecomm:monitoring.thresholds`); the schema holds the defaults. */
    readonly thresholds: Thresholds;
    /**
     * Prefix of the physical alarm and dashboard names (`${namePrefix}-alb-5xx`). Alarm names are unique
     * per account and region, so two stacks of one environment in one account need different prefixes.
     * @default `ecomm-${environment}`
     */
    readonly namePrefix?: string;
}

/**
 * Alerting for the site: an encrypted SNS topic with its subscribers, CloudWatch alarms on the ALB, each
 * service's target group and Auto Scaling group, and the database, a composite "site down" alarm over
 * the signals that mean users can't buy, and a dashboard. Every alarm notifies on ALARM and on OK.
 *
 * Cost: about $0.10 a month per alarm (15–25 here), $0.50 per composite alarm, $3 per dashboard beyond
 * the free three, and $1 a month for the KMS key.
 */
export class MonitoringComponent extends pulumi.ComponentResource {
    /** The topic every alarm notifies; subscribe more endpoints here. */
    public readonly alertTopicArn: pulumi.Output<string>;
    public readonly dashboardName: pulumi.Output<string>;
    /** A console link to the dashboard. */
    public readonly dashboardUrl: pulumi.Output<string>;
    /** The composite alarm that means users can't buy. */
    public readonly siteDownAlarmArn: pulumi.Output<string>;
    public readonly siteDownAlarmName: pulumi.Output<string>;
    /** Every metric alarm's name, then the site-down alarm's, for the runbook. */
    public readonly alarmNames: pulumi.Output<string[]>;

    constructor(name: string, args: MonitoringComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("MonitoringComponent", name, monitoringArgsProblems(args));
        super("ecomm:monitoring:MonitoringComponent", name, {}, opts);

        const prefix = args.namePrefix ?? `ecomm-${args.environment}`;

        const { topic, policy } = this.createTopic(name, args);
        this.subscribe(name, topic, args);
        const alarms = this.createAlarms(name, prefix, args, topic, policy);
        const siteDown = this.createSiteDownAlarm(name, prefix, alarms, topic.arn);
        const dashboard = this.createDashboard(name, prefix, args, [...alarms.map((a) => a.alarm), siteDown]);

        this.alertTopicArn = topic.arn;
        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
        this.siteDownAlarmArn = siteDown.arn;
        this.siteDownAlarmName = siteDown.alarmName;
        this.alarmNames = pulumi.all([...alarms.map((a) => a.alarm.name), siteDown.alarmName]);

        this.registerOutputs({
            alertTopicArn: this.alertTopicArn,
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
            siteDownAlarmArn: this.siteDownAlarmArn,
            siteDownAlarmName: this.siteDownAlarmName,
            alarmNames: this.alarmNames,
        });
    }

    /**
     * The topic, encrypted with a customer-managed key: CloudWatch cannot publish to a topic encrypted
     * with the AWS-managed `alias/aws/sns`, whose policy can't be changed to let it use the key.
     */
    private createTopic(name: string, args: MonitoringComponentArgs): { topic: aws.sns.Topic; policy: aws.sns.TopicPolicy } {
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const key = new aws.kms.Key(
            `${name}-alerts-key`,
            {
                description: `Encrypts the ecomm ${args.environment} alert topic; CloudWatch and EventBridge may use it to publish`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.all([account, partition]).apply(([accountId, p]) => JSON.stringify(alertKeyPolicy(accountId, p))),
            },
            { parent: this },
        );
        const topic = new aws.sns.Topic(
            `${name}-alerts`,
            { displayName: `ecomm ${args.environment} alerts`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        const policy = new aws.sns.TopicPolicy(
            `${name}-alerts-policy`,
            {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, account, partition]).apply(([arn, accountId, p]) => JSON.stringify(alertTopicPolicy(arn, accountId, p))),
            },
            { parent: this },
        );
        return { topic, policy };
    }

    private subscribe(name: string, topic: aws.sns.Topic, args: MonitoringComponentArgs): void {
        for (const s of alertSubscriptions(args)) {
            new aws.sns.TopicSubscription(`${name}-${s.key}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, { parent: this });
        }
    }

    private createAlarms(
        name: string,
        prefix: string,
        args: MonitoringComponentArgs,
        topic: aws.sns.Topic,
        topicPolicy: aws.sns.TopicPolicy,
    ): { spec: AlarmSpec<pulumi.Input<string>>; alarm: aws.cloudwatch.MetricAlarm }[] {
        const specs = planAlarms<pulumi.Input<string>>({
            albArnSuffix: args.albArnSuffix,
            services: args.services,
            database: args.database,
            thresholds: args.thresholds,
        });
        return specs.map((spec) => ({
            spec,
            alarm: new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.role}`,
                {
                    name: alarmName(prefix, spec.role),
                    alarmDescription: `${spec.description} (ecomm ${args.environment})`,
                    ...alarmMetric(spec),
                    comparisonOperator: spec.comparisonOperator,
                    threshold: spec.threshold,
                    evaluationPeriods: spec.evaluationPeriods,
                    datapointsToAlarm: spec.datapointsToAlarm,
                    treatMissingData: spec.treatMissingData,
                    evaluateLowSampleCountPercentiles: spec.evaluateLowSampleCountPercentiles,
                    alarmActions: [topic.arn],
                    okActions: [topic.arn],
                },
                // Alarms missing data as "breaching" fire as soon as they exist: the topic must accept them by then.
                { parent: this, dependsOn: [topicPolicy] },
            ),
        }));
    }

    private createSiteDownAlarm(
        name: string,
        prefix: string,
        alarms: { spec: AlarmSpec<pulumi.Input<string>>; alarm: aws.cloudwatch.MetricAlarm }[],
        topicArn: pulumi.Output<string>,
    ): aws.cloudwatch.CompositeAlarm {
        const members = alarms.filter((a) => a.spec.siteDown);
        return new aws.cloudwatch.CompositeAlarm(
            `${name}-site-down`,
            {
                alarmName: `${prefix}-site-down`,
                alarmDescription: `Users can't buy: ${members.map((m) => m.spec.role).join(", ")} (any one of them).`,
                // The members' real names, so the rule tracks them (and orders the composite after them).
                alarmRule: pulumi.all(members.map((m) => m.alarm.name)).apply(siteDownRule),
                alarmActions: [topicArn],
                okActions: [topicArn],
            },
            { parent: this },
        );
    }

    private createDashboard(
        name: string,
        prefix: string,
        args: MonitoringComponentArgs,
        alarms: (aws.cloudwatch.MetricAlarm | aws.cloudwatch.CompositeAlarm)[],
    ): aws.cloudwatch.Dashboard {
        const body = pulumi
            .all([
                args.albArnSuffix,
                args.services.map((s) => s.targetGroupArnSuffix),
                args.services.map((s) => s.autoScalingGroupName),
                [...args.database.instanceIdentifiers],
                args.database.clusterIdentifier,
                alarms.map((a) => a.arn),
            ])
            .apply(([albArnSuffix, targetGroups, groups, instanceIdentifiers, clusterIdentifier, alarmArns]) =>
                JSON.stringify(
                    dashboardBody({
                        region: args.region,
                        albArnSuffix,
                        services: args.services.map((s, i) => ({
                            name: s.name,
                            targetGroupArnSuffix: targetGroups[i],
                            autoScalingGroupName: groups[i],
                            minSize: s.minSize,
                            maxSize: s.maxSize,
                            logGroups: s.logGroupNames,
                        })),
                        database: { mode: args.database.mode, instanceIdentifiers, clusterIdentifier },
                        alarmArns,
                    }),
                ),
            );
        return new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: dashboardName(prefix), dashboardBody: body }, { parent: this });
    }
}

/** A metric alarm's metric inputs: one metric with its statistic, or metric-math queries. */
function alarmMetric(spec: AlarmSpec<pulumi.Input<string>>): Partial<aws.cloudwatch.MetricAlarmArgs> {
    if (spec.queries) {
        return {
            metricQueries: spec.queries.map((q) => ({
                id: q.id,
                label: q.label,
                returnData: q.returnData,
                expression: q.expression,
                metric: q.metric && {
                    namespace: q.metric.namespace,
                    metricName: q.metric.metricName,
                    dimensions: { ...q.metric.dimensions },
                    stat: q.metric.stat,
                    period: PERIOD_SECONDS,
                },
            })),
        };
    }
    if (!spec.metric) throw new Error(`alarm ${spec.role} has neither a metric nor queries`);
    const m = spec.metric;
    return {
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: { ...m.dimensions },
        period: PERIOD_SECONDS,
        ...("extendedStatistic" in m ? { extendedStatistic: m.extendedStatistic } : { statistic: m.statistic }),
    };
}

/** Every subscription, keyed by address, not position: reordering the list must not unsubscribe anyone. */
function alertSubscriptions(args: MonitoringComponentArgs): { key: string; protocol: string; endpoint: pulumi.Input<string> }[] {
    return [
        ...args.alarmEmails.map((email) => ({ key: `email-${slug(email)}`, protocol: "email", endpoint: email as pulumi.Input<string> })),
        ...(args.subscriptions ?? []).map((s) => ({ key: `sub-${slug(s.key)}`, protocol: s.protocol as string, endpoint: s.endpoint })),
    ];
}

/** Every problem with the args (the alarm plan's own checks, the name prefix, subscription keys), empty when valid. */
export function monitoringArgsProblems(args: MonitoringComponentArgs): string[] {
    const problems = planProblems(args);
    if (args.namePrefix !== undefined && !/^[A-Za-z0-9_-]{1,200}$/.test(args.namePrefix))
        problems.push(`namePrefix "${args.namePrefix}" must be 1–200 letters, digits, _ or - (it starts alarm and dashboard names)`);
    const keys = alertSubscriptions(args).map((s) => s.key);
    for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) {
        problems.push(`two alert subscriptions share the key "${key}"; each endpoint may appear once`);
    }
    return problems;
}

/** A logical-name-safe form of an address or key: `oncall@example.com` → `oncall-at-example-com`. */
export function slug(value: string): string {
    return value
        .toLowerCase()
        .replace(/@/g, "-at-")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}
