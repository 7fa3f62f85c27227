import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
    dashboardName,
    dbRole,
    gibToBytes,
    hasReplicaLag,
    mibToBytes,
    planAlarms,
    planProblems,
    replicaLag,
    siteDownRule,
    storageMetric,
    type PlanInput,
    type Thresholds,
} from "../Ecomm.Pulumi/monitoring/alarms";

const thresholds: Thresholds = {
    elb5xxCount: 10,
    target5xxRatePercent: 2,
    p99LatencySeconds: 1.5,
    dbCpuPercent: 80,
    dbFreeableMemoryMb: 512,
    dbFreeStorageGb: 10,
    dbConnections: 400,
    dbReplicaLagSeconds: 30,
};

const ALB = "app/web-alb-1a2b3c4/0123456789abcdef";

function input(overrides: Partial<PlanInput<string>> = {}): PlanInput<string> {
    return {
        albArnSuffix: ALB,
        services: [
            { name: "frontend", targetGroupArnSuffix: "targetgroup/web-frontend-tg-1a2b3c4/0123456789abcdef", autoScalingGroupName: "web-frontend-asg-1a2b3c4", minSize: 3, maxSize: 12 },
            { name: "backend", targetGroupArnSuffix: "targetgroup/web-backend-tg-5d6e7f8/fedcba9876543210", autoScalingGroupName: "web-backend-asg-5d6e7f8", minSize: 2, maxSize: 6 },
        ],
        database: { mode: "multi-az-instance", engine: "postgres", instanceIdentifiers: ["database-db-1a2b3c4"] },
        thresholds,
        ...overrides,
    };
}

describe("threshold helpers", () => {
    it("converts config units to the units CloudWatch publishes", () => {
        assert.equal(mibToBytes(256), 268435456);
        assert.equal(gibToBytes(10), 10737418240);
    });

    it("picks the replica-lag metric and unit per mode", () => {
        assert.deepEqual(replicaLag("multi-az-cluster", 30), { metricName: "ReplicaLag", threshold: 30 });
        assert.deepEqual(replicaLag("aurora", 30), { metricName: "AuroraReplicaLag", threshold: 30000 });
        assert.equal(replicaLag("single-az", 30), undefined);
        assert.equal(replicaLag("multi-az-instance", 30), undefined);
        assert.deepEqual(
            (["single-az", "multi-az-instance", "multi-az-cluster", "aurora"] as const).map(hasReplicaLag),
            [false, false, true, true],
        );
    });

    it("watches local storage on Aurora, which has no FreeStorageSpace", () => {
        assert.equal(storageMetric("aurora"), "FreeLocalStorage");
        assert.equal(storageMetric("multi-az-cluster"), "FreeStorageSpace");
        assert.equal(storageMetric("single-az"), "FreeStorageSpace");
    });

    it("numbers DB roles only when there are several instances", () => {
        assert.equal(dbRole(0, 1), "db");
        assert.deepEqual([0, 1, 2].map((i) => dbRole(i, 3)), ["db1", "db2", "db3"]);
    });

    it("builds the composite rule from quoted names", () => {
        assert.equal(siteDownRule(["ecomm-prod-alb-5xx", "ecomm-prod-frontend-no-healthy-hosts"]), 'ALARM("ecomm-prod-alb-5xx") OR ALARM("ecomm-prod-frontend-no-healthy-hosts")');
        assert.throws(() => siteDownRule([]), /at least one/);
    });

    it("makes valid dashboard names", () => {
        assert.equal(dashboardName("ecomm-prod"), "ecomm-prod");
        assert.equal(dashboardName("ecomm/prod eu.1"), "ecomm-prod-eu-1");
        assert.equal(dashboardName("x".repeat(300)).length, 255);
        assert.throws(() => dashboardName("///"), /cannot make a dashboard name/);
    });
});

describe("planProblems", () => {
    it("accepts good input", () => {
        assert.deepEqual(planProblems(input()), []);
    });

    it("reports every problem at once", () => {
        const problems = planProblems(
            input({
                services: [
                    { name: "Frontend", targetGroupArnSuffix: "tg", autoScalingGroupName: "asg", minSize: 3, maxSize: 2 },
                    { name: "Frontend", targetGroupArnSuffix: "tg", autoScalingGroupName: "asg", minSize: 1, maxSize: 2 },
                ],
                database: { mode: "aurora", engine: "mysql", instanceIdentifiers: [] },
            }),
        );
        assert.deepEqual(problems, [
            'services[0].name "Frontend" must be lowercase letters, digits and hyphens',
            'services[0].minSize (3) must be <= maxSize (2)',
            'services[1].name "Frontend" must be lowercase letters, digits and hyphens',
            'services[1].name "Frontend" is used twice',
            "database.instanceIdentifiers must list at least one instance",
            "database.clusterIdentifier is required in aurora mode",
        ]);
        assert.deepEqual(planProblems(input({ database: { mode: "single-az", engine: "postgres", instanceIdentifiers: ["a", "b"] } })), [
            "database.instanceIdentifiers lists 2 instances; single-az has exactly one",
        ]);
    });
});

describe("planAlarms", () => {
    it("plans the same stable roles for a Multi-AZ instance", () => {
        assert.deepEqual(
            planAlarms(input()).map((a) => a.role),
            [
                "alb-5xx",
                "alb-target-5xx-rate",
                "alb-p99-latency",
                "frontend-unhealthy-hosts",
                "frontend-healthy-below-min",
                "frontend-no-healthy-hosts",
                "frontend-in-service-below-min",
                "backend-unhealthy-hosts",
                "backend-healthy-below-min",
                "backend-no-healthy-hosts",
                "backend-in-service-below-min",
                "db-cpu",
                "db-freeable-memory",
                "db-free-storage",
                "db-connections",
            ],
        );
    });

    it("puts only the users-can't-buy signals in the site-down set", () => {
        assert.deepEqual(
            planAlarms(input())
                .filter((a) => a.siteDown)
                .map((a) => a.role),
            ["alb-5xx", "alb-target-5xx-rate", "frontend-no-healthy-hosts", "backend-no-healthy-hosts"],
        );
    });

    it("computes the target 5xx rate with metric math over the load balancer's counts", () => {
        const rate = planAlarms(input()).find((a) => a.role === "alb-target-5xx-rate");
        assert.ok(rate);
        assert.equal(rate.metric, undefined);
        assert.deepEqual(rate.queries, [
            { id: "errors", label: "Target 5xx", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: ALB }, stat: "Sum" }, returnData: false },
            { id: "requests", label: "Requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: ALB }, stat: "Sum" }, returnData: false },
            { id: "rate", label: "Target 5xx (% of requests)", expression: "100 * FILL(errors, 0) / requests", returnData: true },
        ]);
        assert.equal(rate.threshold, 2);
        assert.equal(rate.comparisonOperator, "GreaterThanThreshold");
        assert.deepEqual([rate.evaluationPeriods, rate.datapointsToAlarm, rate.treatMissingData], [3, 3, "notBreaching"]);
    });

    it("skips the capacity alarms of a service allowed to scale to zero", () => {
        const roles = planAlarms(
            input({
                services: [{ name: "worker", targetGroupArnSuffix: "tg", autoScalingGroupName: "asg", minSize: 0, maxSize: 2 }],
            }),
        ).map((a) => a.role);
        assert.equal(roles.filter((r) => r.startsWith("worker-")).length, 0);
    });

    it("gives every instance of an Aurora cluster its own alarms, lag in ms and local storage", () => {
        const alarms = planAlarms(
            input({ database: { mode: "aurora", engine: "postgres", instanceIdentifiers: ["database-writer-1a2b3c4", "database-reader-1-5d6e7f8"], clusterIdentifier: "database-cluster-9a8b7c6" } }),
        );
        const db = alarms.filter((a) => a.role.startsWith("db"));
        assert.deepEqual(
            db.map((a) => a.role),
            ["db1-cpu", "db1-freeable-memory", "db1-free-local-storage", "db1-connections", "db1-replica-lag", "db2-cpu", "db2-freeable-memory", "db2-free-local-storage", "db2-connections", "db2-replica-lag"],
        );
        const lag = db.find((a) => a.role === "db2-replica-lag");
        assert.deepEqual(lag?.metric, { namespace: "AWS/RDS", metricName: "AuroraReplicaLag", dimensions: { DBInstanceIdentifier: "database-reader-1-5d6e7f8" }, statistic: "Maximum" });
        assert.equal(lag?.threshold, 30000);
        assert.equal(lag?.treatMissingData, "notBreaching");
        assert.equal(db.find((a) => a.role === "db1-free-local-storage")?.metric?.metricName, "FreeLocalStorage");
    });

    it("gives every alarm one-minute datapoints worth of sane evaluation windows", () => {
        for (const a of planAlarms(input())) {
            assert.ok(a.datapointsToAlarm >= 1 && a.datapointsToAlarm <= a.evaluationPeriods, a.role);
            assert.ok((a.metric === undefined) !== (a.queries === undefined), `${a.role}: a metric or queries, not both`);
            assert.ok(a.description.length > 20, a.role);
        }
    });
});
