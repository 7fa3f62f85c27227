/**
 * Components refuse bad args before they register anything: each one built directly under the mock
 * engine with one bad field throws a message naming the component and that field, and the mock monitor
 * has recorded no registration at all (not even the component's own). Valid args of the same shape
 * register, so the count can tell the two apart.
 */
import { databaseArgs } from "./fixtures";
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcommMocks, MOCK_ACCOUNT_ID } from "../tools/offline/mocks";
import { PROJECT, recordRegistrations, runProgram, settle } from "../tools/offline/run";
import { ResilienceComponent, resilienceArgsProblems, type ResilienceComponentArgs } from "../Ecomm.Pulumi/resilience/resilience-component";
import { DatabaseComponent, databaseArgsProblems, type DatabaseComponentArgs } from "../Ecomm.Pulumi/database/database-component";
import { DatabaseAccessComponent, type DatabaseAccessComponentArgs } from "../Ecomm.Pulumi/database/access-component";
import { MonitoringComponent, type MonitoringComponentArgs } from "../Ecomm.Pulumi/monitoring/monitoring-component";
import { NetworkComponent, networkArgsProblems, type NetworkComponentArgs } from "../Ecomm.Pulumi/network/network-component";
import { DomainComponent, domainArgsProblems, type DomainComponentArgs } from "../Ecomm.Pulumi/dns/domain-component";
import { ArtifactComponent } from "../Ecomm.Pulumi/app/artifact-component";
import { databaseRuleProblems } from "../Ecomm.Pulumi/database/rules";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { offlineStackConfig } from "./harness";
import { ServiceComponent, type ServiceComponentArgs } from "../Ecomm.Pulumi/web/service-component";
import { WebTierComponent, type WebTierComponentArgs } from "../Ecomm.Pulumi/web/web-tier-component";

const REGION = "us-east-1";

/** Builds under fresh mocks; returns what was thrown (if anything) and every registration, the stack's aside. */
async function attempt(build: () => void): Promise<{ error: Error | undefined; registered: string[] }> {
    const mocks = new EcommMocks(REGION);
    pulumi.runtime.setAllConfig({ "aws:region": REGION }, []);
    await pulumi.runtime.setMocks(mocks, PROJECT, "dev", false);
    recordRegistrations(mocks);
    let error: Error | undefined;
    await runProgram(async () => {
        try {
            build();
        } catch (err) {
            error = err as Error;
        }
        return {};
    });
    await settle(mocks);
    return { error, registered: mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type} ${r.name}`) };
}

/** Asserts the build throws naming `component` and every pattern, with nothing registered. */
async function refusedBeforeRegistering(build: () => void, component: string, ...patterns: RegExp[]): Promise<void> {
    const { error, registered } = await attempt(build);
    assert.ok(error, `${component} should have refused its args`);
    assert.match(error.message, new RegExp(`^${component} \\S+: invalid args:\\n`));
    for (const p of patterns) assert.match(error.message, p);
    assert.deepEqual(registered, [], "nothing may be registered before the args are validated");
}

const asgArn = (name: string) => `arn:aws:autoscaling:${REGION}:${MOCK_ACCOUNT_ID}:autoScalingGroup:0000:autoScalingGroupName/${name}`;
const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

const resilience: ResilienceComponentArgs = {
    experiments: ["azPower", "azNetwork", "dbFailover", "cpu"],
    environment: "dev",
    region: REGION,
    frontend: { asgName: "web-frontend-asg", asgArn: asgArn("web-frontend-asg") },
    backend: { asgName: "web-backend-asg", asgArn: asgArn("web-backend-asg") },
    vpcId: "vpc-0123456789abcdef0",
    availabilityZones: AZS,
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
    database: { mode: "multi-az-instance", arn: `arn:aws:rds:${REGION}:${MOCK_ACCOUNT_ID}:db:ecomm-db` },
    siteDownAlarmArn: `arn:aws:cloudwatch:${REGION}:${MOCK_ACCOUNT_ID}:alarm:ecomm-dev-site-down`,
    azPowerLossMinutes: 10,
    networkDisruptionMinutes: 5,
    cpuStressMinutes: 5,
    cpuStressPercent: 90,
};

const database: DatabaseComponentArgs = databaseArgs();

const access: DatabaseAccessComponentArgs = {
    region: REGION,
    parameterPath: "/ecomm/dev/database",
    clientRoleName: "web-backend-role",
    clientSecurityGroupId: "sg-0b4c6e5d0000000a1",
    databaseSecurityGroupId: "sg-0d4c6e5d0000000d1",
    endpoint: "database.abc.us-east-1.rds.amazonaws.com",
    port: 5432,
    dbName: "shop",
    secretArn: `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:rds-db-abc`,
    kmsKeyArn: `arn:aws:kms:${REGION}:${MOCK_ACCOUNT_ID}:key/00000000-0000-0000-0000-000000000000`,
};

const monitoring: MonitoringComponentArgs = {
    environment: "dev",
    region: REGION,
    albArnSuffix: "app/web-alb-1a2b3c4/0123456789abcdef",
    services: [
        { name: "frontend", targetGroupArnSuffix: "targetgroup/web-frontend-tg/0123456789abcdef", autoScalingGroupName: "web-frontend-asg", minSize: 1, maxSize: 2 },
        { name: "backend", targetGroupArnSuffix: "targetgroup/web-backend-tg/fedcba9876543210", autoScalingGroupName: "web-backend-asg", minSize: 1, maxSize: 2 },
    ],
    database: { mode: "single-az", engine: "postgres", instanceIdentifiers: ["database-db"] },
    alarmEmails: [],
    thresholds: parseStackConfig(offlineStackConfig("dev")).monitoring.thresholds,
};

const network: NetworkComponentArgs = {
    region: REGION,
    cidrBlock: "10.10.0.0/16",
    availabilityZoneNames: ["us-east-1a", "us-east-1b"],
    natGateways: "single",
    flowLogs: { enabled: true, retentionDays: 14 },
};

const domain: DomainComponentArgs = { domainName: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };

const HEALTH_CHECK = { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 };

const service: ServiceComponentArgs = {
    service: "admin",
    serves: "frontend",
    vpcId: "vpc-0123456789abcdef0",
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    loadBalancerSecurityGroupId: "sg-0a1b2c3d4e5f60718",
    targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${MOCK_ACCOUNT_ID}:targetgroup/web-admin-tg/0123456789abcdef`,
    targetGroupArnSuffix: "targetgroup/web-admin-tg/0123456789abcdef",
    loadBalancerArnSuffix: "app/web-alb/0123456789abcdef",
    loadBalancerIdleTimeoutSeconds: 60,
    instanceType: "t4g.small",
    minSize: 1,
    maxSize: 2,
    port: 80,
    healthCheckPath: "/health",
    healthCheck: HEALTH_CHECK,
    healthCheckGracePeriodSeconds: 180,
    instanceWarmupSeconds: 120,
    rootVolumeGb: 20,
    scaling: { cpuTargetPercent: 50, requestsPerTarget: 1000, responseTimeThresholdSeconds: 1 },
    instanceRefreshMinHealthyPercent: 50,
    logGroupPrefix: "/ecomm/dev/admin",
    logRetentionDays: 14,
};

const { service: _name, serves: _serves, vpcId: _vpc, privateSubnetIds: _subnets, loadBalancerSecurityGroupId: _sg, targetGroupArn: _tg, targetGroupArnSuffix: _tgs, loadBalancerArnSuffix: _lbs, loadBalancerIdleTimeoutSeconds: _idle, logGroupPrefix: _logs, logRetentionDays: _days, ...settings } = service;
const webService = { ...settings, serves: "frontend", deregistrationDelaySeconds: 30 } as const;

const webTier: Omit<WebTierComponentArgs, "services"> = {
    region: REGION,
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    loadBalancer: { accessLogs: { enabled: false, retentionDays: 90 }, waf: false, wafMode: "block", deletionProtection: false, idleTimeoutSeconds: 60 },
    logGroupPrefix: "/ecomm/dev",
    logRetentionDays: 14,
};

describe("components refuse bad args before registering anything", () => {
    it("valid args register (so an empty registration list means something)", async () => {
        const { error, registered } = await attempt(() => {
            new NetworkComponent("network", network);
            new DomainComponent("domain", domain);
        });
        assert.equal(error, undefined);
        assert.ok(registered.includes("ecomm:network:NetworkComponent network"), registered.join("\n"));
        assert.ok(registered.includes("ecomm:dns:DomainComponent domain"), registered.join("\n"));
        assert.deepEqual(networkArgsProblems(network), []);
        assert.deepEqual(domainArgsProblems(domain), []);
        assert.deepEqual(resilienceArgsProblems(resilience), []);
        assert.deepEqual(databaseArgsProblems(database), []);
    });

    it("ResilienceComponent: a CPU load over 100 % and a target AZ outside the VPC", async () => {
        await refusedBeforeRegistering(
            () => new ResilienceComponent("resilience", { ...resilience, cpuStressPercent: 101, targetAvailabilityZone: "us-east-1f" }),
            "ResilienceComponent",
            /cpuStressPercent \(101\) must be a whole number from 1 to 100/,
            /targetAvailabilityZone "us-east-1f" must be one of the VPC's availability zones/,
        );
        await refusedBeforeRegistering(
            () => new ResilienceComponent("resilience", { ...resilience, logRetentionDays: 10 }),
            "ResilienceComponent",
            /logRetentionDays \(10\) must be a CloudWatch Logs retention period: 1, 3, 5, 7, 14/,
        );
    });

    it("DatabaseComponent: the schema's rules (databaseRuleProblems) on its args, plus the AZ count", async () => {
        const bad: DatabaseComponentArgs = { ...database, instanceClass: "db.serverless", maxAllocatedStorageGb: 50, availabilityZoneCount: 1 };
        await refusedBeforeRegistering(
            () => new DatabaseComponent("database", bad),
            "DatabaseComponent",
            /instanceClass \("db\.serverless"\) db\.serverless is for aurora mode only/,
            /maxAllocatedStorageGb \(50\) must be >= allocatedStorageGb \(100\)/,
            /multi-az-instance needs 2 availability zones but the subnets span 1/,
        );
        // The same messages the config schema reports for those fields.
        const schemaMessages = databaseRuleProblems({ ...bad, autoMinorVersionUpgrade: true, allowMajorVersionUpgrade: false, applyImmediately: false }).map((p) => p.message);
        for (const m of schemaMessages) assert.ok(databaseArgsProblems(bad).some((line) => line.endsWith(m)), m);
        await refusedBeforeRegistering(
            () => new DatabaseComponent("database", { ...database, mode: "aurora", backupReplication: { region: "us-west-2", provider: undefined as never } }),
            "DatabaseComponent",
            /backupReplication\.region \("us-west-2"\) cross-region automated-backup replication is for instance modes only/,
        );
    });

    it("DatabaseAccessComponent: a parameter path SSM would refuse", async () => {
        await refusedBeforeRegistering(() => new DatabaseAccessComponent("database-access", { ...access, parameterPath: "ecomm/dev" }), "DatabaseAccessComponent", /parameterPath "ecomm\/dev" must be an SSM parameter path such as \/ecomm\/dev\/database/);
    });

    it("MonitoringComponent: an instance mode with two instances, a bad prefix and a repeated subscription", async () => {
        await refusedBeforeRegistering(
            () =>
                new MonitoringComponent("monitoring", {
                    ...monitoring,
                    database: { ...monitoring.database, instanceIdentifiers: ["db-a", "db-b"] },
                    namePrefix: "ecomm dev",
                    alarmEmails: ["oncall@example.com", "OnCall@example.com"],
                }),
            "MonitoringComponent",
            /database\.instanceIdentifiers lists 2 instances; single-az has exactly one/,
            /namePrefix "ecomm dev" must be 1–200 letters/,
            /two alert subscriptions share the key "email-oncall-at-example-com"/,
        );
    });

    it("NetworkComponent: a public CIDR, an AZ of another region twice, an unknown NAT strategy, a bad retention", async () => {
        await refusedBeforeRegistering(
            () =>
                new NetworkComponent("network", {
                    ...network,
                    cidrBlock: "8.8.0.0/16",
                    availabilityZoneNames: ["us-west-2a", "us-west-2a"],
                    natGateways: "two" as never,
                    flowLogs: { enabled: true, retentionDays: 10 },
                }),
            "NetworkComponent",
            /cidrBlock "8\.8\.0\.0\/16" must be a private range/,
            /availabilityZoneNames\[0\] "us-west-2a" must be an Availability Zone of aws:region \(us-east-1\)/,
            /availabilityZoneNames must not repeat an availability zone/,
            /natGateways "two" must be one of perAz, single, none/,
            /flowLogs\.retentionDays \(10\) must be a CloudWatch Logs retention period/,
        );
        await refusedBeforeRegistering(() => new NetworkComponent("network", { ...network, availabilityZoneNames: [] }), "NetworkComponent", /availabilityZoneNames lists 0 AZs; it must list 1 to 6/);
    });

    it("DomainComponent: a wildcard name, a bad zone id and a negative TTL", async () => {
        await refusedBeforeRegistering(
            () => new DomainComponent("domain", { domainName: "*.example.com", hostedZoneId: "zone-1", validationRecordTtl: -1 }),
            "DomainComponent",
            /domainName "\*\.example\.com" must be a lowercase domain name/,
            /hostedZoneId "zone-1" must be a Route 53 hosted zone id/,
            /validationRecordTtl \(-1\) must be a whole number of seconds from 0 to 2147483647/,
        );
    });

    it("ArtifactComponent: an unreadable artifact and a bad region", async () => {
        const sha = "0".repeat(64);
        await refusedBeforeRegistering(
            () => new ArtifactComponent("app-artifacts", { region: "mars-1", artifacts: [{ service: "backend", key: `backend/${sha}.tgz`, sha256: sha, file: "/nonexistent/backend.tgz" }] }),
            "ArtifactComponent",
            /region "mars-1" must be an AWS region/,
            /backend: file "\/nonexistent\/backend\.tgz" cannot be read/,
        );
    });

    it("ServiceComponent: crossed group bounds, a timeout not below the interval, a warm pool with mixed types", async () => {
        await refusedBeforeRegistering(
            () => new ServiceComponent("web-admin", { ...service, minSize: 4, maxSize: 3, healthCheck: { ...service.healthCheck, timeoutSeconds: 10 }, warmPool: { enabled: true, minSize: 1 }, mixedInstanceTypes: ["t4g.medium"] }),
            "ServiceComponent",
            /minSize \(4\) must be <= maxSize \(3\)/,
            /healthCheck\.timeoutSeconds \(10\)/,
            /warmPool\.enabled \(true\) cannot be combined with mixedInstanceTypes/,
        );
    });

    it("WebTierComponent: no default-routed service, a taken priority, a pattern routed twice, a name too long", async () => {
        const admin = { ...webService, name: "admin", routing: { kind: "path", priority: 10 }, pathPatterns: ["/api/*"] } as const;
        const backend = { ...webService, name: "backend", routing: { kind: "path", priority: 10 }, pathPatterns: ["/api/*"] } as const;
        const long = { ...webService, name: "administration12345", routing: { kind: "path", priority: 30 }, pathPatterns: ["/x/*"] } as const;
        await refusedBeforeRegistering(
            () => new WebTierComponent("web", { ...webTier, services: [backend, admin, long] }),
            "WebTierComponent",
            /exactly one service must be the listener's default action; got none/,
            /services\.admin\.priority \(10\) is already the listener-rule priority of backend/,
            /services\.admin\.pathPatterns\.0 \("\/api\/\*"\) is already routed to backend/,
            /"web-administration12345-tg" is 26 characters/,
        );
    });
});
