import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { dashboardBody, logQuery, type AlarmWidget, type DashboardIds, type LogWidget, type MetricWidget, type Widget } from "../Ecomm.Pulumi/monitoring/dashboard";
import { serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";

const ALB = "app/web-alb-1a2b3c4/0123456789abcdef";
const FRONT_TG = "targetgroup/web-frontend-tg-1a2b3c4/0123456789abcdef";
const BACK_TG = "targetgroup/web-backend-tg-5d6e7f8/fedcba9876543210";

function ids(overrides: Partial<DashboardIds> = {}): DashboardIds {
    return {
        region: "eu-west-1",
        albArnSuffix: ALB,
        services: [
            { name: "frontend", targetGroupArnSuffix: FRONT_TG, autoScalingGroupName: "web-frontend-asg-1a2b3c4", minSize: 3, maxSize: 12 },
            { name: "backend", targetGroupArnSuffix: BACK_TG, autoScalingGroupName: "web-backend-asg-5d6e7f8", minSize: 2, maxSize: 6 },
        ],
        database: { mode: "multi-az-instance", instanceIdentifiers: ["database-db-1a2b3c4"] },
        alarmArns: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ecomm-prod-alb-5xx", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ecomm-prod-site-down"],
        ...overrides,
    };
}

const metricWidgets = (body: { widgets: readonly Widget[] }) => body.widgets.filter((w): w is MetricWidget => w.type === "metric");
const byTitle = (body: { widgets: readonly Widget[] }, title: string) => {
    const w = metricWidgets(body).find((x) => x.properties.title === title);
    assert.ok(w, `no widget titled ${title}`);
    return w;
};

describe("dashboardBody", () => {
    it("lists the alarms first, then the metric panels two to a row in the region given", () => {
        const body = dashboardBody(ids());
        assert.deepEqual(body.widgets[0], {
            type: "alarm",
            x: 0,
            y: 0,
            width: 24,
            height: 6,
            properties: { title: "Alarms", alarms: ids().alarmArns },
        });
        const metrics = metricWidgets(body);
        assert.deepEqual(
            metrics.map((w) => w.properties.title),
            [
                "Requests per minute",
                "5xx per minute",
                "Target response time (s)",
                "Healthy hosts per target group",
                "frontend instances (desired / in service)",
                "backend instances (desired / in service)",
                "CPU per service (%)",
                "Database CPU (%)",
                "Database connections",
                "Database free storage (bytes)",
            ],
        );
        metrics.forEach((w, i) => {
            assert.deepEqual([w.x, w.y, w.width, w.height], [(i % 2) * 12, 6 + Math.floor(i / 2) * 6, 12, 6]);
            assert.equal(w.properties.region, "eu-west-1");
            assert.equal(w.properties.period, 60);
        });
    });

    it("shows p50, p90 and p99 latency of the load balancer", () => {
        assert.deepEqual(byTitle(dashboardBody(ids()), "Target response time (s)").properties.metrics, [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", ALB, { stat: "p50", label: "p50" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", ALB, { stat: "p90", label: "p90" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", ALB, { stat: "p99", label: "p99" }],
        ]);
    });

    it("shows healthy hosts per target group and each group's bounds", () => {
        const body = dashboardBody(ids());
        assert.deepEqual(byTitle(body, "Healthy hosts per target group").properties.metrics, [
            ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", FRONT_TG, "LoadBalancer", ALB, { label: "frontend" }],
            ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", BACK_TG, "LoadBalancer", ALB, { label: "backend" }],
        ]);
        const backend = byTitle(body, "backend instances (desired / in service)").properties;
        assert.deepEqual(backend.metrics, [
            ["AWS/AutoScaling", "GroupDesiredCapacity", "AutoScalingGroupName", "web-backend-asg-5d6e7f8", { label: "desired" }],
            ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", "web-backend-asg-5d6e7f8", { label: "in service" }],
        ]);
        assert.deepEqual(backend.annotations, { horizontal: [{ label: "min", value: 2 }, { label: "max", value: 6 }] });
        assert.deepEqual(byTitle(body, "CPU per service (%)").properties.metrics, [
            ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "web-frontend-asg-1a2b3c4", { label: "frontend" }],
            ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "web-backend-asg-5d6e7f8", { label: "backend" }],
        ]);
    });

    it("has no replica-lag or cluster-volume panel for instance modes", () => {
        assert.ok(!metricWidgets(dashboardBody(ids())).some((w) => /^(Replica lag|Aurora)/.test(w.properties.title)));
    });

    it("graphs every cluster instance, with lag in the mode's metric and local storage on Aurora", () => {
        const aurora = dashboardBody(ids({ database: { mode: "aurora", instanceIdentifiers: ["db-writer", "db-reader-1"], clusterIdentifier: "db-cluster" } }));
        assert.deepEqual(byTitle(aurora, "Replica lag (ms)").properties.metrics, [
            ["AWS/RDS", "AuroraReplicaLag", "DBInstanceIdentifier", "db-writer", { label: "db-writer" }],
            ["AWS/RDS", "AuroraReplicaLag", "DBInstanceIdentifier", "db-reader-1", { label: "db-reader-1" }],
        ]);
        assert.equal(byTitle(aurora, "Database free local storage (bytes)").properties.metrics[1][1], "FreeLocalStorage");
        assert.deepEqual(byTitle(aurora, "Aurora cluster volume used (bytes)").properties.metrics, [
            ["AWS/RDS", "VolumeBytesUsed", "DBClusterIdentifier", "db-cluster", { label: "db-cluster" }],
        ]);
        const maz = dashboardBody(ids({ database: { mode: "multi-az-cluster", instanceIdentifiers: ["c-instance-1", "c-instance-2", "c-instance-3"], clusterIdentifier: "c" } }));
        assert.deepEqual(
            byTitle(maz, "Replica lag (s)").properties.metrics.map((m) => m[1]),
            ["ReplicaLag", "ReplicaLag", "ReplicaLag"],
        );
    });

    it("splits more than 100 alarms over several alarm widgets", () => {
        const arns = Array.from({ length: 150 }, (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`);
        const body = dashboardBody(ids({ alarmArns: arns }));
        const alarms = body.widgets.filter((w): w is AlarmWidget => w.type === "alarm");
        assert.deepEqual(alarms.map((w) => [w.properties.title, w.properties.alarms.length, w.y]), [
            ["Alarms (1/2)", 100, 0],
            ["Alarms (2/2)", 50, 6],
        ]);
        assert.equal(metricWidgets(body)[0].y, 12);
    });

    it("has no log widget for services without log groups", () => {
        assert.equal(dashboardBody(ids()).widgets.filter((w) => w.type === "log").length, 0);
    });

    it("queries each service's nginx errors and system log, then 5xx lines of every access log, below the metrics", () => {
        const front = serviceLogGroupNames("/ecomm/prod/frontend");
        const back = serviceLogGroupNames("/ecomm/prod/backend");
        const base = ids();
        const body = dashboardBody({ ...base, services: [{ ...base.services[0], logGroups: front }, { ...base.services[1], logGroups: back }] });
        const logs = body.widgets.filter((w): w is LogWidget => w.type === "log");
        const newest = "fields @timestamp, @log, @logStream, @message | sort @timestamp desc | limit 50";
        assert.deepEqual(
            logs.map((w) => [w.properties.title, w.properties.query]),
            [
                ["frontend logs: nginx errors and system log (latest 50)", `SOURCE '/ecomm/prod/frontend/nginx-error' | SOURCE '/ecomm/prod/frontend/system' | ${newest}`],
                ["backend logs: nginx errors and system log (latest 50)", `SOURCE '/ecomm/prod/backend/nginx-error' | SOURCE '/ecomm/prod/backend/system' | ${newest}`],
                [
                    "5xx responses in the access logs (latest 50)",
                    `SOURCE '/ecomm/prod/frontend/nginx-access' | SOURCE '/ecomm/prod/backend/nginx-access' | filter @message like /" 5\\d\\d / | ${newest}`,
                ],
            ],
        );
        const lastMetric = metricWidgets(body).at(-1);
        assert.ok(lastMetric);
        logs.forEach((w, i) => {
            assert.deepEqual([w.x, w.y, w.width, w.height], [0, lastMetric.y + 6 + i * 6, 24, 6]);
            assert.equal(w.properties.region, "eu-west-1");
            assert.equal(w.properties.view, "table");
        });
        assert.ok(!JSON.stringify(body).includes("undefined"));
    });

    it("builds Logs Insights queries from SOURCE clauses and lines", () => {
        assert.equal(logQuery(["a", "b"], ["fields @message", "limit 5"]), "SOURCE 'a' | SOURCE 'b' | fields @message | limit 5");
    });

    it("renders JSON without undefined or null anywhere", () => {
        const text = JSON.stringify(dashboardBody(ids()));
        assert.ok(!text.includes("undefined"));
        assert.ok(!text.includes("null"));
    });
});
