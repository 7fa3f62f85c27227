import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, offlineStackConfig, one, ofType, patched, refused, runComponent, type ComponentRun, type RecordedResource } from "./harness";
import { MonitoringComponent, type MonitoringComponentArgs, type MonitoredDatabase } from "../Ecomm.Pulumi/monitoring/monitoring-component";
import { parseStackConfig, type MonitoringConfig } from "../Ecomm.Pulumi/config/schema";
import { MOCK_ACCOUNT_ID } from "../tools/offline/mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const TOPIC = "aws:sns/topic:Topic";

const ALB = "app/web-alb-1a2b3c4/0123456789abcdef";
const FRONT_TG = "targetgroup/web-frontend-tg-1a2b3c4/0123456789abcdef";
const BACK_TG = "targetgroup/web-backend-tg-5d6e7f8/fedcba9876543210";
const FRONT_ASG = "web-frontend-asg-1a2b3c4";
const BACK_ASG = "web-backend-asg-5d6e7f8";
const DB = "database-db-1a2b3c4";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** The validated `ecomm:monitoring` of a real stack file. */
function monitoringConfig(stack: "dev" | "prod"): MonitoringConfig {
    return parseStackConfig(offlineStackConfig(stack)).monitoring;
}

function args(env: "dev" | "prod", overrides: Partial<MonitoringComponentArgs> = {}): MonitoringComponentArgs {
    const m = monitoringConfig(env);
    const [min, max] = env === "prod" ? [3, 12] : [1, 2];
    return {
        environment: env,
        region: "us-east-1",
        albArnSuffix: ALB,
        services: [
            { name: "frontend", targetGroupArnSuffix: FRONT_TG, autoScalingGroupName: FRONT_ASG, minSize: min, maxSize: max },
            { name: "backend", targetGroupArnSuffix: BACK_TG, autoScalingGroupName: BACK_ASG, minSize: min, maxSize: max },
        ],
        database: { mode: env === "prod" ? "multi-az-instance" : "single-az", engine: "postgres", instanceIdentifiers: [DB] },
        alarmEmails: m.alarmEmails,
        thresholds: m.thresholds,
        ...overrides,
    };
}

function build(a: MonitoringComponentArgs) {
    return runComponent(() => {
        const m = new MonitoringComponent("monitoring", a);
        return {
            alertTopicArn: m.alertTopicArn,
            dashboardName: m.dashboardName,
            dashboardUrl: m.dashboardUrl,
            siteDownAlarmArn: m.siteDownAlarmArn,
            siteDownAlarmName: m.siteDownAlarmName,
            alarmNames: m.alarmNames,
        };
    });
}

interface Expected {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    stat: string;
    op: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    periods: [number, number];
    missing: string;
}

/** What every alarm must be, restated by hand from the issue and the AWS metric docs. */
function expectedAlarms(env: "dev" | "prod"): Record<string, Expected> {
    const t = monitoringConfig(env).thresholds;
    const min = env === "prod" ? 3 : 1;
    const lb = { LoadBalancer: ALB };
    const elb = "AWS/ApplicationELB";
    const rds = (metricName: string, stat: string, op: Expected["op"], threshold: number): Expected => ({
        namespace: "AWS/RDS",
        metricName,
        dimensions: { DBInstanceIdentifier: DB },
        stat,
        op,
        threshold,
        periods: [5, 5],
        missing: "ignore",
    });
    const service = (svc: string, tg: string, asg: string): Record<string, Expected> => ({
        [`${svc}-unhealthy-hosts`]: { namespace: elb, metricName: "UnHealthyHostCount", dimensions: { TargetGroup: tg, LoadBalancer: ALB }, stat: "Minimum", op: "GreaterThanThreshold", threshold: 0, periods: [2, 2], missing: "notBreaching" },
        [`${svc}-healthy-below-min`]: { namespace: elb, metricName: "HealthyHostCount", dimensions: { TargetGroup: tg, LoadBalancer: ALB }, stat: "Minimum", op: "LessThanThreshold", threshold: min, periods: [5, 5], missing: "breaching" },
        [`${svc}-no-healthy-hosts`]: { namespace: elb, metricName: "HealthyHostCount", dimensions: { TargetGroup: tg, LoadBalancer: ALB }, stat: "Maximum", op: "LessThanThreshold", threshold: 1, periods: [2, 2], missing: "notBreaching" },
        [`${svc}-in-service-below-min`]: { namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances", dimensions: { AutoScalingGroupName: asg }, stat: "Minimum", op: "LessThanThreshold", threshold: min, periods: [5, 5], missing: "breaching" },
    });
    return {
        "alb-5xx": { namespace: elb, metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, stat: "Sum", op: "GreaterThanThreshold", threshold: t.elb5xxCount, periods: [3, 3], missing: "notBreaching" },
        "alb-p99-latency": { namespace: elb, metricName: "TargetResponseTime", dimensions: lb, stat: "p99", op: "GreaterThanThreshold", threshold: t.p99LatencySeconds, periods: [5, 3], missing: "notBreaching" },
        ...service("frontend", FRONT_TG, FRONT_ASG),
        ...service("backend", BACK_TG, BACK_ASG),
        "db-cpu": rds("CPUUtilization", "Average", "GreaterThanThreshold", t.dbCpuPercent),
        "db-freeable-memory": rds("FreeableMemory", "Average", "LessThanThreshold", t.dbFreeableMemoryMb * MIB),
        "db-free-storage": rds("FreeStorageSpace", "Minimum", "LessThanThreshold", t.dbFreeStorageGb * GIB),
        "db-connections": rds("DatabaseConnections", "Average", "GreaterThanThreshold", t.dbConnections),
    };
}

const alarmsOf = (r: ComponentRun<unknown>) => ofType(r, ALARM);
const alarm = (r: ComponentRun<unknown>, role: string) => one(r, ALARM, `monitoring-${role}`);

for (const env of ["dev", "prod"] as const) {
    describe(`MonitoringComponent (${env} thresholds and shape)`, () => {
        let r: Awaited<ReturnType<typeof build>>;
        let topicArn: string;
        before(async () => {
            r = await build(args(env));
            topicArn = String(one(r, TOPIC).state.arn);
        });

        it("creates exactly the planned metric alarms, named after the environment", () => {
            const roles = [...Object.keys(expectedAlarms(env)), "alb-target-5xx-rate"].sort();
            assert.deepEqual(alarmsOf(r).map((a) => a.name.replace(/^monitoring-/, "")).sort(), roles);
            for (const a of alarmsOf(r)) assert.equal(input(a, "name"), `ecomm-${env}-${a.name.replace(/^monitoring-/, "")}`);
        });

        it("points every alarm at the exact metric, dimensions, threshold and window", () => {
            for (const [role, e] of Object.entries(expectedAlarms(env))) {
                const a = alarm(r, role);
                assert.equal(input(a, "namespace"), e.namespace, role);
                assert.equal(input(a, "metricName"), e.metricName, role);
                assert.deepEqual(input(a, "dimensions"), e.dimensions, role);
                if (e.stat.startsWith("p")) {
                    assert.equal(input(a, "extendedStatistic"), e.stat, role);
                    assert.equal(input(a, "statistic"), undefined, role);
                } else {
                    assert.equal(input(a, "statistic"), e.stat, role);
                    assert.equal(input(a, "extendedStatistic"), undefined, role);
                }
                assert.equal(input(a, "comparisonOperator"), e.op, role);
                assert.equal(input(a, "threshold"), e.threshold, role);
                assert.equal(input(a, "period"), 60, role);
                assert.deepEqual([input(a, "evaluationPeriods"), input(a, "datapointsToAlarm")], e.periods, role);
                assert.equal(input(a, "treatMissingData"), e.missing, role);
            }
            assert.equal(input(alarm(r, "alb-p99-latency"), "evaluateLowSampleCountPercentiles"), "ignore");
        });

        it("computes the target 5xx rate as 100 * 5xx / requests over the load balancer", () => {
            const a = alarm(r, "alb-target-5xx-rate");
            for (const key of ["namespace", "metricName", "period", "statistic", "dimensions"]) assert.equal(input(a, key), undefined, key);
            const metric = (metricName: string) => ({ namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: ALB }, period: 60, stat: "Sum" });
            assert.deepEqual(input(a, "metricQueries"), [
                { id: "errors", label: "Target 5xx", returnData: false, metric: metric("HTTPCode_Target_5XX_Count") },
                { id: "requests", label: "Requests", returnData: false, metric: metric("RequestCount") },
                { id: "rate", label: "Target 5xx (% of requests)", returnData: true, expression: "100 * FILL(errors, 0) / requests" },
            ]);
            assert.equal(input(a, "threshold"), monitoringConfig(env).thresholds.target5xxRatePercent);
            assert.equal(input(a, "comparisonOperator"), "GreaterThanThreshold");
            assert.deepEqual([input(a, "evaluationPeriods"), input(a, "datapointsToAlarm"), input(a, "treatMissingData")], [3, 3, "notBreaching"]);
        });

        it("sends ALARM and OK of every alarm, composite included, to the alert topic", () => {
            for (const a of [...alarmsOf(r), one(r, COMPOSITE)]) {
                assert.deepEqual(input(a, "alarmActions"), [topicArn], a.name);
                assert.deepEqual(input(a, "okActions"), [topicArn], a.name);
                assert.equal(input(a, "insufficientDataActions"), undefined, a.name);
            }
        });

        it("raises 'site down' when either service has no healthy host or the site answers 5xx", () => {
            const c = one(r, COMPOSITE);
            assert.equal(input(c, "alarmName"), `ecomm-${env}-site-down`);
            const names = ["alb-5xx", "alb-target-5xx-rate", "frontend-no-healthy-hosts", "backend-no-healthy-hosts"].map((role) => String(alarm(r, role).state.name));
            assert.deepEqual(names, [`ecomm-${env}-alb-5xx`, `ecomm-${env}-alb-target-5xx-rate`, `ecomm-${env}-frontend-no-healthy-hosts`, `ecomm-${env}-backend-no-healthy-hosts`]);
            assert.equal(input(c, "alarmRule"), names.map((n) => `ALARM("${n}")`).join(" OR "));
        });

        it("subscribes every configured address by email", () => {
            const emails = monitoringConfig(env).alarmEmails;
            // Prod's file leaves its on-call address to its user (offline: a labelled stand-in); dev has none.
            assert.deepEqual(emails, env === "prod" ? ["stand-in-oncall@example.invalid"] : []);
            const subs = ofType(r, "aws:sns/topicSubscription:TopicSubscription");
            assert.deepEqual(
                subs.map((s) => [s.name, input(s, "protocol"), input(s, "endpoint"), input(s, "topic")]),
                emails.map((e) => [`monitoring-email-${e.replace("@", "-at-").replace(/\./g, "-")}`, "email", e, topicArn]),
            );
        });

        it("encrypts the topic with a rotating customer key CloudWatch may use, and lets only this account's alarms publish", () => {
            const key = one(r, "aws:kms/key:Key");
            assert.equal(input(key, "enableKeyRotation"), true);
            assert.equal(input(one(r, TOPIC), "kmsMasterKeyId"), key.state.arn);
            const keyPolicy = jsonInput<{ Statement: { Principal: unknown; Action: unknown; Resource: string }[] }>(key, "policy");
            assert.deepEqual(keyPolicy.Statement.map((s) => [s.Principal, s.Action]), [
                [{ AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` }, "kms:*"],
                [{ Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }, ["kms:Decrypt", "kms:GenerateDataKey*"]],
            ]);
            const policy = one(r, "aws:sns/topicPolicy:TopicPolicy");
            assert.equal(input(policy, "arn"), topicArn);
            const doc = jsonInput<{ Statement: { Sid: string; Principal: unknown; Action: unknown; Resource: string; Condition?: unknown }[] }>(policy, "policy");
            const cw = doc.Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish");
            assert.deepEqual(cw, {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
            });
            assert.ok(doc.Statement.every((s) => s.Resource === topicArn));
        });

        it("draws a dashboard of the real identifiers, with every alarm's state", () => {
            const d = one(r, "aws:cloudwatch/dashboard:Dashboard");
            assert.equal(input(d, "dashboardName"), `ecomm-${env}`);
            const text = input<string>(d, "dashboardBody");
            assert.ok(!text.includes("undefined"), "no undefined identifiers");
            for (const id of [ALB, FRONT_TG, BACK_TG, FRONT_ASG, BACK_ASG, DB]) assert.ok(text.includes(JSON.stringify(id)), id);
            const body = JSON.parse(text) as { widgets: { type: string; properties: { alarms?: string[] } }[] };
            const shown = body.widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms ?? []);
            assert.deepEqual([...shown].sort(), [...alarmsOf(r), one(r, COMPOSITE)].map((a) => String(a.state.arn)).sort());
            assert.equal(shown.at(-1), `arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:ecomm-${env}-site-down`);
        });

        it("exports the topic, dashboard, site-down alarm and every alarm name", () => {
            const v = r.value;
            assert.equal(v.alertTopicArn, topicArn);
            assert.equal(v.dashboardName, `ecomm-${env}`);
            assert.equal(v.dashboardUrl, `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=ecomm-${env}`);
            assert.equal(v.siteDownAlarmName, `ecomm-${env}-site-down`);
            assert.equal(v.siteDownAlarmArn, `arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:ecomm-${env}-site-down`);
            assert.deepEqual([...v.alarmNames].sort(), [...alarmsOf(r).map((a) => String(a.state.name)), `ecomm-${env}-site-down`].sort());
            assert.deepEqual(v.alarmNames.slice(0, 3), [`ecomm-${env}-alb-5xx`, `ecomm-${env}-alb-target-5xx-rate`, `ecomm-${env}-alb-p99-latency`]);
            assert.equal(v.alarmNames.at(-1), `ecomm-${env}-site-down`);
        });

        it("parents every child under the component with a monitoring- prefix", () => {
            const children = r.resources.filter((x) => x.type !== "ecomm:monitoring:MonitoringComponent");
            // The alarms, the composite, topic, key, key alias, topic policy, dashboard, and one subscription per address.
            assert.equal(children.length, alarmsOf(r).length + 5 + monitoringConfig(env).alarmEmails.length);
            for (const c of children) {
                assert.ok(c.name.startsWith("monitoring-"), c.name);
                assert.match(c.parentUrn, /ecomm:monitoring:MonitoringComponent::monitoring$/, c.name);
            }
        });
    });
}

describe("MonitoringComponent dev vs prod", () => {
    it("alarms earlier in prod, on the thresholds the stack files resolve to", async () => {
        const [dev, prod] = await Promise.all([monitoringConfig("dev"), monitoringConfig("prod")]).then((c) => c.map((m) => m.thresholds));
        assert.deepEqual(dev, { elb5xxCount: 10, target5xxRatePercent: 10, p99LatencySeconds: 3, dbCpuPercent: 80, dbFreeableMemoryMb: 100, dbFreeStorageGb: 4, dbConnections: 50, dbReplicaLagSeconds: 30 });
        assert.deepEqual(prod, { elb5xxCount: 10, target5xxRatePercent: 2, p99LatencySeconds: 1.5, dbCpuPercent: 80, dbFreeableMemoryMb: 512, dbFreeStorageGb: 10, dbConnections: 400, dbReplicaLagSeconds: 30 });
        const d = await build(args("dev"));
        const dv = (role: string) => input(alarm(d, role), "threshold");
        assert.deepEqual(
            ["alb-target-5xx-rate", "alb-p99-latency", "db-connections", "db-freeable-memory", "db-free-storage", "frontend-healthy-below-min"].map(dv),
            [10, 3, 50, 100 * MIB, 4 * GIB, 1],
        );
        const p = await build(args("prod"));
        const pv = (role: string) => input(alarm(p, role), "threshold");
        assert.deepEqual(
            ["alb-target-5xx-rate", "alb-p99-latency", "db-connections", "db-freeable-memory", "db-free-storage", "frontend-healthy-below-min"].map(pv),
            [2, 1.5, 400, 512 * MIB, 10 * GIB, 3],
        );
    });
});

describe("MonitoringComponent database modes", () => {
    const modes: [string, MonitoredDatabase, string | undefined, number | undefined][] = [
        ["single-az", { mode: "single-az", engine: "postgres", instanceIdentifiers: [DB] }, undefined, undefined],
        ["multi-az-instance", { mode: "multi-az-instance", engine: "mysql", instanceIdentifiers: [DB] }, undefined, undefined],
        [
            "multi-az-cluster",
            { mode: "multi-az-cluster", engine: "postgres", instanceIdentifiers: ["database-cluster-1a2b3c4-instance-1", "database-cluster-1a2b3c4-instance-2", "database-cluster-1a2b3c4-instance-3"], clusterIdentifier: "database-cluster-1a2b3c4" },
            "ReplicaLag",
            30,
        ],
        [
            "aurora",
            { mode: "aurora", engine: "postgres", instanceIdentifiers: ["database-writer-1a2b3c4", "database-reader-1-5d6e7f8"], clusterIdentifier: "database-cluster-1a2b3c4" },
            "AuroraReplicaLag",
            30000,
        ],
    ];
    for (const [label, database, lagMetric, lagThreshold] of modes) {
        it(`${label}: ${lagMetric ? `a ${lagMetric} alarm per instance` : "no replica-lag alarm"}`, async () => {
            const r = await build(args("prod", { database }));
            const lag = alarmsOf(r).filter((a) => a.name.endsWith("-replica-lag"));
            if (!lagMetric) {
                assert.deepEqual(lag, []);
                assert.ok(!String(input(one(r, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody")).includes("ReplicaLag"));
                return;
            }
            const ids = database.instanceIdentifiers as string[];
            assert.deepEqual(
                lag.map((a) => [a.name, input(a, "metricName"), input(a, "dimensions"), input(a, "threshold"), input(a, "statistic"), input(a, "treatMissingData")]),
                ids.map((id, i) => [`monitoring-db${i + 1}-replica-lag`, lagMetric, { DBInstanceIdentifier: id }, lagThreshold, "Maximum", "notBreaching"]),
            );
            const storage = alarmsOf(r).filter((a) => /free(-local)?-storage$/.test(a.name));
            assert.deepEqual(
                storage.map((a) => [input(a, "metricName"), input<Record<string, string>>(a, "dimensions").DBInstanceIdentifier]),
                ids.map((id) => [label === "aurora" ? "FreeLocalStorage" : "FreeStorageSpace", id]),
            );
            const body = String(input(one(r, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody"));
            for (const id of ids) assert.ok(body.includes(JSON.stringify(id)), id);
        });
    }
});

describe("MonitoringComponent subscriptions and bad args", () => {
    it("keys subscriptions by address, so reordering the list keeps every subscription", async () => {
        const emails = ["oncall@example.com", "Payments.Team@example.org"];
        const names = async (list: string[]) => ofType(await build(args("prod", { alarmEmails: list })), "aws:sns/topicSubscription:TopicSubscription").map((s: RecordedResource) => s.name).sort();
        const forward = await names(emails);
        assert.deepEqual(forward, ["monitoring-email-oncall-at-example-com", "monitoring-email-payments-team-at-example-org"]);
        assert.deepEqual(await names([...emails].reverse()), forward);
    });

    it("subscribes other endpoints next to email", async () => {
        const r = await build(args("prod", { subscriptions: [{ key: "pager", protocol: "https", endpoint: "https://events.example.com/alerts" }] }));
        const sub = one(r, "aws:sns/topicSubscription:TopicSubscription", "monitoring-sub-pager");
        assert.deepEqual([input(sub, "protocol"), input(sub, "endpoint")], ["https", "https://events.example.com/alerts"]);
    });

    it("refuses args it cannot monitor, naming each problem", async () => {
        await assert.rejects(
            build(args("prod", { database: { mode: "aurora", engine: "mysql", instanceIdentifiers: [] } })),
            /database\.instanceIdentifiers must list at least one instance[\s\S]*database\.clusterIdentifier is required in aurora mode/,
        );
        await assert.rejects(build(args("prod", { alarmEmails: ["a@example.com", "A@example.com"] })), /share the key "email-a-at-example-com"/);
        await assert.rejects(build(args("prod", { namePrefix: "ecomm prod" })), /namePrefix "ecomm prod" must be 1–200 letters/);
    });

    it("names alarms and the dashboard after namePrefix when given", async () => {
        const r = await build(args("dev", { namePrefix: "ecomm-dev-alice" }));
        assert.equal(input(alarm(r, "alb-5xx"), "name"), "ecomm-dev-alice-alb-5xx");
        assert.equal(input(one(r, COMPOSITE), "alarmName"), "ecomm-dev-alice-site-down");
        assert.equal(r.value.dashboardName, "ecomm-dev-alice");
    });
});

describe("ecomm:monitoring config", () => {
    const cases: [string, Record<string, unknown>, string][] = [
        ["a bad email", { alarmEmails: ["not-an-email"] }, "ecomm:monitoring.alarmEmails[0]"],
        ["a repeated email", { alarmEmails: ["oncall@example.com", "ONCALL@example.com"] }, "ecomm:monitoring.alarmEmails[1]"],
        ["a negative threshold", { thresholds: { dbCpuPercent: -5 } }, "ecomm:monitoring.thresholds.dbCpuPercent"],
        ["a zero rate", { thresholds: { target5xxRatePercent: 0 } }, "ecomm:monitoring.thresholds.target5xxRatePercent"],
        ["an unknown threshold", { thresholds: { p95LatencySeconds: 1 } }, "ecomm:monitoring.thresholds.p95LatencySeconds"],
        ["an unknown key", { alarmEmail: "oncall@example.com" }, "ecomm:monitoring.alarmEmail"],
    ];
    for (const [what, patch, key] of cases) {
        it(`refuses ${what}, naming ${key}`, async () => {
            const err = await refused("dev", patched("dev", "ecomm:monitoring", patch as never));
            assert.ok(err.message.includes(`${key} = `), err.message);
        });
    }
});
