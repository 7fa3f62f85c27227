/**
 * The alarm plan: which CloudWatch alarms the site gets, on which metrics, with which thresholds and
 * evaluation windows. Pure data, generic over the identifier type so the component passes
 * `pulumi.Input<string>` identifiers and tests pass plain strings.
 *
 * Metric names, dimensions and units: ELB "CloudWatch metrics for your Application Load Balancer",
 * EC2 Auto Scaling "Amazon CloudWatch metrics for Amazon EC2 Auto Scaling", RDS "Amazon CloudWatch
 * metrics for Amazon RDS" and the Aurora User Guide's metric tables.
 */
import { type DatabaseEngine } from "../database/rules";
import { isClusterMode, isInstanceMode, type DatabaseMode } from "../database/modes";
import { problemLine } from "../shared/problems";
import { groupSizeProblems } from "../web/scaling";

/** Every alarm evaluates one-minute datapoints (ALB, group and RDS metrics are all published per minute). */
export const PERIOD_SECONDS = 60;

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

export type ComparisonOperator = "GreaterThanThreshold" | "LessThanThreshold";
export type MissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/** The thresholds of `ecomm:monitoring.thresholds`, in the units the config uses. */
export interface Thresholds {
    readonly elb5xxCount: number;
    readonly target5xxRatePercent: number;
    readonly p99LatencySeconds: number;
    readonly dbCpuPercent: number;
    readonly dbFreeableMemoryMb: number;
    readonly dbFreeStorageGb: number;
    readonly dbConnections: number;
    readonly dbReplicaLagSeconds: number;
}

export interface PlanService<Id> {
    /** Lowercase role name, e.g. `frontend`. */
    readonly name: string;
    readonly targetGroupArnSuffix: Id;
    readonly autoScalingGroupName: Id;
    readonly minSize: number;
    readonly maxSize: number;
}

export interface PlanDatabase<Id> {
    readonly mode: DatabaseMode;
    readonly engine: DatabaseEngine;
    readonly instanceIdentifiers: readonly Id[];
    readonly clusterIdentifier?: Id;
}

export interface PlanInput<Id> {
    readonly albArnSuffix: Id;
    readonly services: readonly PlanService<Id>[];
    readonly database: PlanDatabase<Id>;
    readonly thresholds: Thresholds;
}

/** One metric, as an alarm or a metric-math query reads it. */
export interface MetricSpec<Id> {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, Id>>;
}

/** A metric-math query: a metric with its statistic, or an expression over other queries' ids. */
export interface QuerySpec<Id> {
    readonly id: string;
    readonly label: string;
    readonly metric?: MetricSpec<Id> & { readonly stat: string };
    readonly expression?: string;
    readonly returnData: boolean;
}

export interface AlarmSpec<Id> {
    /** Short, stable role: the child's logical name is `${component}-${role}`, the alarm's `${prefix}-${role}`. */
    readonly role: string;
    /** What the alarm means, for the notification and the console. */
    readonly description: string;
    /** Whether this signal means users can't buy, and so belongs in the composite "site down" alarm. */
    readonly siteDown: boolean;
    /** A single metric with a statistic (`Sum`, `Minimum`, ...) or a percentile (`p99`); or `queries`. */
    readonly metric?: MetricSpec<Id> & ({ readonly statistic: string } | { readonly extendedStatistic: string });
    readonly queries?: readonly QuerySpec<Id>[];
    readonly comparisonOperator: ComparisonOperator;
    /** In the metric's unit (bytes, milliseconds, ...), converted from the config's unit. */
    readonly threshold: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: MissingData;
    /** Percentile alarms only: `ignore` keeps the state when too few requests make p99 meaningless. */
    readonly evaluateLowSampleCountPercentiles?: "ignore" | "evaluate";
}

const ALB = "AWS/ApplicationELB";
const ASG = "AWS/AutoScaling";
const RDS = "AWS/RDS";

/** Config MiB to the bytes FreeableMemory is published in. */
export function mibToBytes(mib: number): number {
    return mib * MIB;
}

/** Config GiB to the bytes FreeStorageSpace / FreeLocalStorage are published in. */
export function gibToBytes(gib: number): number {
    return gib * GIB;
}

/** Cluster modes replicate to readers; instance modes have no readable replica (the standby is hidden). */
export function hasReplicaLag(mode: DatabaseMode): boolean {
    return isClusterMode(mode);
}

/**
 * The replica-lag metric and threshold for a cluster mode: Multi-AZ DB clusters publish `ReplicaLag` in
 * seconds, Aurora publishes `AuroraReplicaLag` in milliseconds. `undefined` for instance modes.
 */
export function replicaLag(mode: DatabaseMode, seconds: number): { metricName: string; threshold: number } | undefined {
    if (mode === "multi-az-cluster") return { metricName: "ReplicaLag", threshold: seconds };
    if (mode === "aurora") return { metricName: "AuroraReplicaLag", threshold: seconds * 1000 };
    return undefined;
}

/**
 * The storage metric: every instance mode and Multi-AZ DB clusters publish `FreeStorageSpace`. Aurora
 * has none (its cluster volume grows by itself up to 128 TiB); what can run out there is each
 * instance's local storage for temporary tables and logs, `FreeLocalStorage`.
 */
export function storageMetric(mode: DatabaseMode): "FreeStorageSpace" | "FreeLocalStorage" {
    return mode === "aurora" ? "FreeLocalStorage" : "FreeStorageSpace";
}

/** The DB part of a role: `db` for a single instance, `db1`, `db2`, ... when there are several. */
export function dbRole(index: number, count: number): string {
    return count === 1 ? "db" : `db${index + 1}`;
}

/** The physical name of the alarm with this role: unique per account and region through the prefix. */
export function alarmName(prefix: string, role: string): string {
    return `${prefix}-${role}`;
}

/**
 * The roles of a service's own health alarms that an instance refresh of it watches: targets failing
 * health checks (a bad image or boot script shows here first) and no healthy target at all. Empty for a
 * service allowed to scale to zero, which gets no capacity alarms.
 */
export function refreshWatchedRoles(service: { readonly name: string; readonly minSize: number }): string[] {
    if (service.minSize === 0) return [];
    return [`${service.name}-unhealthy-hosts`, `${service.name}-no-healthy-hosts`];
}

/**
 * Seconds an alarm needs, from the first bad minute, to reach ALARM: datapoints to alarm × period, plus
 * one period for the datapoint to be published (ALB metrics arrive each minute, after the minute).
 */
export function alarmReactionSeconds(spec: Pick<AlarmSpec<unknown>, "datapointsToAlarm">): number {
    return spec.datapointsToAlarm * PERIOD_SECONDS + PERIOD_SECONDS;
}

/**
 * What an instance refresh of `service` watches: the physical names of its health alarms and the slowest
 * of their reaction times, which is how long each refresh checkpoint pauses. Computed from the same alarm
 * plan the MonitoringComponent creates, so the names and windows are those of the alarms that exist.
 */
export function refreshRollbackPlan(prefix: string, service: { readonly name: string; readonly minSize: number; readonly maxSize: number }): { alarmNames: string[]; checkpointDelaySeconds: number } | undefined {
    const roles = refreshWatchedRoles(service);
    if (roles.length === 0) return undefined;
    const specs = serviceAlarms<string>("", { ...service, targetGroupArnSuffix: "", autoScalingGroupName: "" });
    const watched = roles.map((role) => {
        const spec = specs.find((s) => s.role === role);
        if (!spec) throw new Error(`no alarm with role ${role} in the plan`);
        return spec;
    });
    return { alarmNames: watched.map((s) => alarmName(prefix, s.role)), checkpointDelaySeconds: Math.max(...watched.map(alarmReactionSeconds)) };
}

/** The composite rule: `ALARM("a") OR ALARM("b")`. */
export function siteDownRule(alarmNames: readonly string[]): string {
    if (alarmNames.length === 0) throw new Error("the site-down rule needs at least one member alarm");
    return alarmNames.map((n) => `ALARM(${JSON.stringify(n)})`).join(" OR ");
}

/** Dashboard names allow 1–255 characters of `[A-Za-z0-9_-]`. */
export function dashboardName(prefix: string): string {
    const cleaned = prefix.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
    if (cleaned.length === 0) throw new Error(`cannot make a dashboard name from "${prefix}"`);
    return cleaned.slice(0, 255);
}

/** Plain-argument problems the type system can't catch, all at once. */
export function planProblems<Id>(input: PlanInput<Id>): string[] {
    const problems: string[] = [];
    const names = input.services.map((s) => s.name);
    input.services.forEach((s, i) => {
        if (!/^[a-z][a-z0-9-]{0,30}$/.test(s.name)) problems.push(`services[${i}].name "${s.name}" must be lowercase letters, digits and hyphens`);
        if (names.indexOf(s.name) !== i) problems.push(`services[${i}].name "${s.name}" is used twice`);
        if (s.minSize < 0) problems.push(`services[${i}].minSize (${s.minSize}) must be at least 0`);
        // The one min ≤ max rule (web/scaling.ts), as the schema and ServiceComponent apply it.
        for (const p of groupSizeProblems(s)) problems.push(`services[${i}].${problemLine(p)}`);
    });
    const db = input.database;
    if (db.instanceIdentifiers.length === 0) problems.push("database.instanceIdentifiers must list at least one instance");
    if (db.instanceIdentifiers.length > 1 && isInstanceMode(db.mode))
        problems.push(`database.instanceIdentifiers lists ${db.instanceIdentifiers.length} instances; ${db.mode} has exactly one`);
    if (db.mode === "aurora" && db.clusterIdentifier === undefined) problems.push("database.clusterIdentifier is required in aurora mode");
    return problems;
}

/** Every metric alarm, in a stable order: load balancer, then each service, then the database. */
export function planAlarms<Id>(input: PlanInput<Id>): AlarmSpec<Id>[] {
    return [...loadBalancerAlarms(input), ...input.services.flatMap((s) => serviceAlarms(input.albArnSuffix, s)), ...databaseAlarms(input)];
}

function loadBalancerAlarms<Id>(input: PlanInput<Id>): AlarmSpec<Id>[] {
    const t = input.thresholds;
    const lb = { LoadBalancer: input.albArnSuffix };
    return [
        {
            role: "alb-5xx",
            description: `The load balancer itself answered more than ${t.elb5xxCount} requests a minute with 5xx (502/503/504: no healthy target, target refused or timed out) for 3 minutes.`,
            siteDown: true,
            metric: { namespace: ALB, metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, statistic: "Sum" },
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.elb5xxCount,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            // The count is only published when non-zero: no datapoint means no errors.
            treatMissingData: "notBreaching",
        },
        {
            role: "alb-target-5xx-rate",
            description: `More than ${t.target5xxRatePercent}% of requests got a 5xx from the application for 3 minutes.`,
            siteDown: true,
            queries: [
                { id: "errors", label: "Target 5xx", metric: { namespace: ALB, metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, stat: "Sum" }, returnData: false },
                { id: "requests", label: "Requests", metric: { namespace: ALB, metricName: "RequestCount", dimensions: lb, stat: "Sum" }, returnData: false },
                // FILL: a minute with requests but no 5xx has no error datapoint, which is 0%, not "unknown".
                { id: "rate", label: "Target 5xx (% of requests)", expression: "100 * FILL(errors, 0) / requests", returnData: true },
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.target5xxRatePercent,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            // No requests, no rate: an idle site is not an erroring one.
            treatMissingData: "notBreaching",
        },
        {
            role: "alb-p99-latency",
            description: `The slowest 1% of requests took more than ${t.p99LatencySeconds}s in 3 of the last 5 minutes.`,
            siteDown: false,
            metric: { namespace: ALB, metricName: "TargetResponseTime", dimensions: lb, extendedStatistic: "p99" },
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.p99LatencySeconds,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: "notBreaching",
            evaluateLowSampleCountPercentiles: "ignore",
        },
    ];
}

function serviceAlarms<Id>(albArnSuffix: Id, s: PlanService<Id>): AlarmSpec<Id>[] {
    // A service allowed to scale to zero has no capacity floor to watch.
    if (s.minSize === 0) return [];
    const tg = { TargetGroup: s.targetGroupArnSuffix, LoadBalancer: albArnSuffix };
    return [
        {
            role: `${s.name}-unhealthy-hosts`,
            description: `At least one ${s.name} target failed its health checks for 2 whole minutes: the Auto Scaling group should have replaced it by now.`,
            siteDown: false,
            // Minimum over the ALB nodes' samples: every node saw an unhealthy target all minute long.
            metric: { namespace: ALB, metricName: "UnHealthyHostCount", dimensions: tg, statistic: "Minimum" },
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            // No datapoint is not evidence of unhealthy targets; the healthy-below-min alarm covers silence.
            treatMissingData: "notBreaching",
        },
        {
            role: `${s.name}-healthy-below-min`,
            description: `Fewer than ${s.minSize} healthy ${s.name} targets (the group's minimum) for 5 minutes: running on reduced capacity.`,
            siteDown: false,
            metric: { namespace: ALB, metricName: "HealthyHostCount", dimensions: tg, statistic: "Minimum" },
            comparisonOperator: "LessThanThreshold",
            threshold: s.minSize,
            // 5 minutes rides out one instance replacement (boot, grace period, warm-up) in a rolling refresh.
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            // The ALB reports the count every minute for a target group in use: silence means no data at all.
            treatMissingData: "breaching",
        },
        {
            role: `${s.name}-no-healthy-hosts`,
            description: `No healthy ${s.name} target for 2 minutes: ${s.name} requests are failing.`,
            siteDown: true,
            // Maximum < 1: not one ALB node saw a healthy target during the minute.
            metric: { namespace: ALB, metricName: "HealthyHostCount", dimensions: tg, statistic: "Maximum" },
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            // The ALB reports HealthyHostCount every minute while health checks are on, 0 included, so an
            // outage is real 0-datapoints and still alarms in 2 minutes. Missing data happens only before the
            // metric exists: a fresh stack's alarm must not count that as "no healthy host" (it paged on-call
            // and blocked FIS while the first instances booted). The alarm is also created only once the
            // group has minSize healthy targets (ServiceComponent's minElbCapacity).
            treatMissingData: "notBreaching",
        },
        {
            role: `${s.name}-in-service-below-min`,
            description: `The ${s.name} Auto Scaling group had fewer than ${s.minSize} InService instances for 5 minutes: it cannot launch or keep instances.`,
            siteDown: false,
            metric: { namespace: ASG, metricName: "GroupInServiceInstances", dimensions: { AutoScalingGroupName: s.autoScalingGroupName }, statistic: "Minimum" },
            comparisonOperator: "LessThanThreshold",
            threshold: s.minSize,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            // Published every minute once group metrics are on: silence means collection is off or the group is gone.
            treatMissingData: "breaching",
        },
    ];
}

function databaseAlarms<Id>(input: PlanInput<Id>): AlarmSpec<Id>[] {
    const t = input.thresholds;
    const db = input.database;
    const lag = replicaLag(db.mode, t.dbReplicaLagSeconds);
    const storage = storageMetric(db.mode);
    const count = db.instanceIdentifiers.length;
    // RDS publishes these every minute while an instance runs. A reboot, failover or maintenance leaves a
    // gap; `ignore` keeps the current state through it instead of flipping to OK.
    const gauge = { evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: "ignore", siteDown: false } as const;
    return db.instanceIdentifiers.flatMap((id, i): AlarmSpec<Id>[] => {
        const role = dbRole(i, count);
        const dims = { DBInstanceIdentifier: id };
        const which = count === 1 ? "The database" : `Database instance ${i + 1}`;
        const alarms: AlarmSpec<Id>[] = [
            {
                ...gauge,
                role: `${role}-cpu`,
                description: `${which} averaged more than ${t.dbCpuPercent}% CPU for 5 minutes.`,
                metric: { namespace: RDS, metricName: "CPUUtilization", dimensions: dims, statistic: "Average" },
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.dbCpuPercent,
            },
            {
                ...gauge,
                role: `${role}-freeable-memory`,
                description: `${which} had less than ${t.dbFreeableMemoryMb} MiB of freeable memory for 5 minutes.`,
                metric: { namespace: RDS, metricName: "FreeableMemory", dimensions: dims, statistic: "Average" },
                comparisonOperator: "LessThanThreshold",
                threshold: mibToBytes(t.dbFreeableMemoryMb),
            },
            {
                ...gauge,
                role: `${role}-${storage === "FreeStorageSpace" ? "free-storage" : "free-local-storage"}`,
                description:
                    storage === "FreeStorageSpace"
                        ? `${which} had less than ${t.dbFreeStorageGb} GiB of free storage for 5 minutes (storage autoscaling may be at its maximum).`
                        : `${which} had less than ${t.dbFreeStorageGb} GiB of local storage (temporary tables, logs) for 5 minutes.`,
                metric: { namespace: RDS, metricName: storage, dimensions: dims, statistic: "Minimum" },
                comparisonOperator: "LessThanThreshold",
                threshold: gibToBytes(t.dbFreeStorageGb),
            },
            {
                ...gauge,
                role: `${role}-connections`,
                description: `${which} averaged more than ${t.dbConnections} connections for 5 minutes.`,
                metric: { namespace: RDS, metricName: "DatabaseConnections", dimensions: dims, statistic: "Average" },
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.dbConnections,
            },
        ];
        if (lag) {
            alarms.push({
                ...gauge,
                role: `${role}-replica-lag`,
                description: `${which} lagged its writer by more than ${t.dbReplicaLagSeconds}s for 5 minutes: reads are stale and a failover would lose more time catching up.`,
                metric: { namespace: RDS, metricName: lag.metricName, dimensions: dims, statistic: "Maximum" },
                comparisonOperator: "GreaterThanThreshold",
                threshold: lag.threshold,
                // Only readers publish lag, and which instance is the writer changes on failover: silence is normal.
                treatMissingData: "notBreaching",
            });
        }
        return alarms;
    });
}
