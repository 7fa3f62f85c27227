/**
 * The CloudWatch dashboard body, built from the real identifiers as plain strings. Pure: the component
 * resolves the identifiers and only renders the JSON inside `apply`.
 * Body structure: CloudWatch API reference, "Dashboard Body Structure and Syntax".
 */
import type { DatabaseMode } from "../database/modes";
import { PERIOD_SECONDS, replicaLag, storageMetric } from "./alarms";
import type { ServiceLogGroups } from "../web/logs";

export interface DashboardService {
    readonly name: string;
    readonly targetGroupArnSuffix: string;
    readonly autoScalingGroupName: string;
    readonly minSize: number;
    readonly maxSize: number;
    /** The service's log groups; each service with them gets a log widget. */
    readonly logGroups?: ServiceLogGroups;
}

export interface DashboardIds {
    readonly region: string;
    readonly albArnSuffix: string;
    readonly services: readonly DashboardService[];
    readonly database: {
        readonly mode: DatabaseMode;
        readonly instanceIdentifiers: readonly string[];
        readonly clusterIdentifier?: string;
    };
    /** Every alarm to show in the alarm-status widget (metric alarms and the composite). */
    readonly alarmArns: readonly string[];
}

/** A metric line: namespace, name, dimension pairs, then rendering options. */
type MetricLine = (string | { readonly stat?: string; readonly label?: string })[];

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stat: string;
        readonly period: number;
        readonly metrics: readonly MetricLine[];
        readonly annotations?: { readonly horizontal: readonly { readonly label: string; readonly value: number }[] };
        readonly yAxis?: { readonly left: { readonly min: number } };
    };
}

export interface AlarmWidget {
    readonly type: "alarm";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly title: string; readonly alarms: readonly string[] };
}

/** A CloudWatch Logs Insights query over log groups (`SOURCE '<group>' | ...`). */
export interface LogWidget {
    readonly type: "log";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly title: string; readonly region: string; readonly view: "table"; readonly query: string };
}

export type Widget = MetricWidget | AlarmWidget | LogWidget;

export interface DashboardBody {
    readonly widgets: readonly Widget[];
}

/** The alarm widget shows at most 100 alarms. */
export const MAX_ALARMS_PER_WIDGET = 100;

const WIDTH = 12;
const HEIGHT = 6;

export function dashboardBody(ids: DashboardIds): DashboardBody {
    const lb = ["LoadBalancer", ids.albArnSuffix];
    const dbIds = ids.database.instanceIdentifiers;
    // Only the metric name matters here; cluster modes have one, instance modes none.
    const lagMetric = replicaLag(ids.database.mode, 0)?.metricName;
    const storage = storageMetric(ids.database.mode);

    type Panel = Omit<MetricWidget["properties"], "region" | "view" | "period">;
    const panels: Panel[] = [
        {
            title: "Requests per minute",
            stat: "Sum",
            metrics: [["AWS/ApplicationELB", "RequestCount", ...lb, { label: "Requests" }]],
        },
        {
            title: "5xx per minute",
            stat: "Sum",
            metrics: [
                ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...lb, { label: "Load balancer 5xx" }],
                ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...lb, { label: "Target 5xx" }],
            ],
        },
        {
            title: "Target response time (s)",
            stat: "p99",
            metrics: ["p50", "p90", "p99"].map((p) => ["AWS/ApplicationELB", "TargetResponseTime", ...lb, { stat: p, label: p }]),
        },
        {
            title: "Healthy hosts per target group",
            stat: "Minimum",
            metrics: ids.services.map((s) => [
                "AWS/ApplicationELB",
                "HealthyHostCount",
                "TargetGroup",
                s.targetGroupArnSuffix,
                ...lb,
                { label: s.name },
            ]),
            yAxis: { left: { min: 0 } },
        },
        ...ids.services.map(
            (s): Panel => ({
                title: `${s.name} instances (desired / in service)`,
                stat: "Average",
                metrics: [
                    ["AWS/AutoScaling", "GroupDesiredCapacity", "AutoScalingGroupName", s.autoScalingGroupName, { label: "desired" }],
                    ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", s.autoScalingGroupName, { label: "in service" }],
                ],
                annotations: { horizontal: [{ label: "min", value: s.minSize }, { label: "max", value: s.maxSize }] },
                yAxis: { left: { min: 0 } },
            }),
        ),
        {
            title: "CPU per service (%)",
            stat: "Average",
            metrics: ids.services.map((s) => ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", s.autoScalingGroupName, { label: s.name }]),
        },
        {
            title: "Database CPU (%)",
            stat: "Average",
            metrics: dbIds.map((id) => ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", id, { label: id }]),
        },
        {
            title: "Database connections",
            stat: "Average",
            metrics: dbIds.map((id) => ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", id, { label: id }]),
        },
        {
            title: storage === "FreeStorageSpace" ? "Database free storage (bytes)" : "Database free local storage (bytes)",
            stat: "Minimum",
            metrics: dbIds.map((id) => ["AWS/RDS", storage, "DBInstanceIdentifier", id, { label: id }]),
        },
        ...(lagMetric
            ? [
                  {
                      title: lagMetric === "AuroraReplicaLag" ? "Replica lag (ms)" : "Replica lag (s)",
                      stat: "Maximum",
                      metrics: dbIds.map((id) => ["AWS/RDS", lagMetric, "DBInstanceIdentifier", id, { label: id }]),
                  },
              ]
            : []),
        // Aurora's cluster volume grows by itself (no free-storage alarm); its size is the bill to watch.
        ...(ids.database.mode === "aurora" && ids.database.clusterIdentifier
            ? [
                  {
                      title: "Aurora cluster volume used (bytes)",
                      stat: "Maximum",
                      metrics: [["AWS/RDS", "VolumeBytesUsed", "DBClusterIdentifier", ids.database.clusterIdentifier, { label: ids.database.clusterIdentifier }]],
                  },
              ]
            : []),
    ];

    const alarmRows = chunk(ids.alarmArns, MAX_ALARMS_PER_WIDGET);
    const alarmWidgets: AlarmWidget[] = alarmRows.map((alarms, i) => ({
        type: "alarm",
        x: 0,
        y: i * HEIGHT,
        width: 24,
        height: HEIGHT,
        properties: { title: alarmRows.length === 1 ? "Alarms" : `Alarms (${i + 1}/${alarmRows.length})`, alarms },
    }));
    const top = alarmWidgets.length * HEIGHT;
    const metricWidgets: MetricWidget[] = panels.map((p, i) => ({
        type: "metric",
        x: (i % 2) * WIDTH,
        y: top + Math.floor(i / 2) * HEIGHT,
        width: WIDTH,
        height: HEIGHT,
        properties: { ...p, region: ids.region, view: "timeSeries", period: PERIOD_SECONDS },
    }));
    const logTop = top + Math.ceil(panels.length / 2) * HEIGHT;
    const logWidgets: LogWidget[] = logPanels(ids.services).map((p, i) => ({
        type: "log",
        x: 0,
        y: logTop + i * HEIGHT,
        width: 24,
        height: HEIGHT,
        properties: { title: p.title, region: ids.region, view: "table", query: logQuery(p.groups, p.lines) },
    }));
    return { widgets: [...alarmWidgets, ...metricWidgets, ...logWidgets] };
}

/** How many log lines each log widget shows, newest first. */
export const LOG_WIDGET_LINES = 50;

/** A Logs Insights query over several groups, as the dashboard's log widget takes it. */
export function logQuery(groups: readonly string[], lines: readonly string[]): string {
    return [...groups.map((g) => `SOURCE '${g}'`), ...lines].join(" | ");
}

/**
 * Per service: its nginx errors and system log; then, across services, access-log lines with a 5xx status
 * (nginx's combined format puts the status right after the quoted request).
 */
function logPanels(services: readonly DashboardService[]): { title: string; groups: string[]; lines: string[] }[] {
    const withLogs = services.filter((s): s is DashboardService & { logGroups: ServiceLogGroups } => s.logGroups !== undefined);
    const newest = ["fields @timestamp, @log, @logStream, @message", "sort @timestamp desc", `limit ${LOG_WIDGET_LINES}`];
    const panels = withLogs.map((s) => ({
        title: `${s.name} logs: nginx errors and system log (latest ${LOG_WIDGET_LINES})`,
        groups: [s.logGroups.error, s.logGroups.system],
        lines: newest,
    }));
    if (withLogs.length > 0) {
        panels.push({
            title: `5xx responses in the access logs (latest ${LOG_WIDGET_LINES})`,
            groups: withLogs.map((s) => s.logGroups.access),
            lines: ['filter @message like /" 5\\d\\d /', ...newest],
        });
    }
    return panels;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}
