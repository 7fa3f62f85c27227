/**
 * What gameday asks AWS, behind one small interface so the loop is testable: `awsProbes` implements it
 * with the AWS SDK v3 clients (the caller's own credentials); tests stub those clients.
 */
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";

/** A target group member and the ALB's verdict on it (`healthy`, `unhealthy`, `draining`, `initial`, ...). */
export interface TargetSample {
    readonly id: string;
    readonly state: string;
}

export interface AsgSample {
    readonly minSize: number;
    readonly desiredCapacity: number;
    readonly instances: readonly { readonly id: string; readonly availabilityZone: string; readonly lifecycleState: string; readonly healthStatus: string }[];
}

export interface DatabaseSample {
    /** `available`, `rebooting`, `failing-over`, ... */
    readonly status: string;
    /** The writer's AZ. */
    readonly availabilityZone?: string;
}

export interface Http5xx {
    /** Per minute, oldest first. */
    readonly minutes: readonly { readonly at: Date; readonly elb: number; readonly target: number }[];
}

export interface Probes {
    startExperiment(templateId: string, tags: Record<string, string>): Promise<string>;
    experimentStatus(experimentId: string): Promise<{ status: string; reason?: string }>;
    stopExperiment(experimentId: string): Promise<void>;
    targetHealth(targetGroupArn: string): Promise<TargetSample[]>;
    autoScalingGroups(names: readonly string[]): Promise<Record<string, AsgSample>>;
    database(db: { kind: "cluster" | "instance"; id: string }): Promise<DatabaseSample>;
    http5xx(albArnSuffix: string, start: Date, end: Date): Promise<Http5xx>;
}

export interface AwsClients {
    readonly fis: FisClient;
    readonly elb: ElasticLoadBalancingV2Client;
    readonly autoscaling: AutoScalingClient;
    readonly rds: RDSClient;
    readonly cloudwatch: CloudWatchClient;
}

/** SDK clients for one region with the default credential chain (env, profile, SSO, instance role). */
export function awsClients(region: string): AwsClients {
    return {
        fis: new FisClient({ region }),
        elb: new ElasticLoadBalancingV2Client({ region }),
        autoscaling: new AutoScalingClient({ region }),
        rds: new RDSClient({ region }),
        cloudwatch: new CloudWatchClient({ region }),
    };
}

export function awsProbes(c: AwsClients): Probes {
    return {
        async startExperiment(templateId, tags) {
            const out = await c.fis.send(new StartExperimentCommand({ experimentTemplateId: templateId, tags }));
            const id = out.experiment?.id;
            if (!id) throw new Error(`FIS started no experiment for template ${templateId}`);
            return id;
        },
        async experimentStatus(experimentId) {
            const out = await c.fis.send(new GetExperimentCommand({ id: experimentId }));
            return { status: out.experiment?.state?.status ?? "unknown", reason: out.experiment?.state?.reason };
        },
        async stopExperiment(experimentId) {
            await c.fis.send(new StopExperimentCommand({ id: experimentId }));
        },
        async targetHealth(targetGroupArn) {
            const out = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
            return (out.TargetHealthDescriptions ?? []).map((d) => ({ id: d.Target?.Id ?? "?", state: d.TargetHealth?.State ?? "unknown" }));
        },
        async autoScalingGroups(names) {
            const out = await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...names] }));
            const groups: Record<string, AsgSample> = {};
            for (const g of out.AutoScalingGroups ?? []) {
                groups[g.AutoScalingGroupName ?? "?"] = {
                    minSize: g.MinSize ?? 0,
                    desiredCapacity: g.DesiredCapacity ?? 0,
                    instances: (g.Instances ?? []).map((i) => ({
                        id: i.InstanceId ?? "?",
                        availabilityZone: i.AvailabilityZone ?? "?",
                        lifecycleState: i.LifecycleState ?? "?",
                        healthStatus: i.HealthStatus ?? "?",
                    })),
                };
            }
            const missing = names.filter((n) => !(n in groups));
            if (missing.length > 0) throw new Error(`no Auto Scaling group named ${missing.join(", ")}`);
            return groups;
        },
        async database(db) {
            if (db.kind === "cluster") {
                const out = await c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.id }));
                const cluster = out.DBClusters?.[0];
                const writer = cluster?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
                return { status: cluster?.Status ?? "unknown", availabilityZone: writer };
            }
            const out = await c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }));
            const instance = out.DBInstances?.[0];
            return { status: instance?.DBInstanceStatus ?? "unknown", availabilityZone: instance?.AvailabilityZone };
        },
        async http5xx(albArnSuffix, start, end) {
            const query = (id: string, metric: string) => ({
                Id: id,
                MetricStat: {
                    Metric: { Namespace: "AWS/ApplicationELB", MetricName: metric, Dimensions: [{ Name: "LoadBalancer", Value: albArnSuffix }] },
                    Period: 60,
                    Stat: "Sum",
                },
                ReturnData: true,
            });
            const out = await c.cloudwatch.send(
                new GetMetricDataCommand({
                    StartTime: start,
                    EndTime: end,
                    ScanBy: "TimestampAscending",
                    MetricDataQueries: [query("elb5xx", "HTTPCode_ELB_5XX_Count"), query("target5xx", "HTTPCode_Target_5XX_Count")],
                }),
            );
            const byMinute = new Map<number, { at: Date; elb: number; target: number }>();
            for (const series of out.MetricDataResults ?? []) {
                (series.Timestamps ?? []).forEach((at, i) => {
                    const entry = byMinute.get(at.getTime()) ?? { at, elb: 0, target: 0 };
                    const value = series.Values?.[i] ?? 0;
                    if (series.Id === "elb5xx") entry.elb += value;
                    else entry.target += value;
                    byMinute.set(at.getTime(), entry);
                });
            }
            return { minutes: [...byMinute.values()].sort((a, b) => a.at.getTime() - b.at.getTime()) };
        },
    };
}
