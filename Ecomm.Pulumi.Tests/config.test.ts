import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ConfigError, parseStackConfig, ENV_DEFAULTS } from "../Ecomm.Pulumi/config";
import { readStackConfig } from "../Ecomm.Pulumi/engine/run";

const devRaw = () => readStackConfig("dev").config;
const prodRaw = () => readStackConfig("prod").config;

/** The stack file's raw map with one key's JSON object patched (shallow per level). */
function withPatch(raw: Record<string, string>, key: string, patch: Record<string, unknown>): Record<string, string> {
    const base = raw[key] === undefined ? {} : (JSON.parse(raw[key]) as Record<string, unknown>);
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
        merged[k] = v && typeof v === "object" && !Array.isArray(v) && typeof base[k] === "object" ? { ...(base[k] as object), ...v } : v;
    }
    return { ...raw, [key]: JSON.stringify(merged) };
}

function problemsOf(raw: Record<string, string>): ConfigError {
    try {
        parseStackConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err;
    }
    assert.fail("expected the config to be refused");
}

describe("good stack files", () => {
    it("dev parses to the dev shape", () => {
        const c = parseStackConfig(devRaw());
        assert.equal(c.environment, "dev");
        assert.deepEqual(c.network, { cidrBlock: "10.10.0.0/16", availabilityZones: 2, natGateways: "single", flowLogs: { enabled: true, retentionDays: 14 } });
        assert.equal(c.frontend.instanceType, "t4g.small");
        assert.deepEqual([c.frontend.minSize, c.frontend.maxSize, c.frontend.desiredCapacity], [1, 2, 1]);
        assert.deepEqual(c.frontend.healthCheck, { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 });
        assert.deepEqual(c.backend.pathPatterns, ["/api/*"]);
        assert.deepEqual(c.frontend.pathPatterns, []);
        assert.equal(c.database.mode, "single-az");
        assert.equal(c.database.instanceClass, "db.t4g.micro");
        assert.equal(c.database.backupRetentionDays, 1);
        assert.equal(c.database.deletionProtection, false);
        assert.equal(c.certificateArn, undefined);
        assert.deepEqual(c.monitoring.alarmEmails, ["oncall-dev@example.com"]);
        assert.equal(c.loadBalancer.accessLogs.enabled, false);
    });

    it("prod parses to the HA shape", () => {
        const c = parseStackConfig(prodRaw());
        assert.equal(c.environment, "prod");
        assert.deepEqual(c.network, { cidrBlock: "10.20.0.0/16", availabilityZones: 3, natGateways: "perAz", flowLogs: { enabled: true, retentionDays: 90 } });
        for (const s of [c.frontend, c.backend]) {
            assert.equal(s.instanceType, "m7g.large");
            assert.deepEqual([s.minSize, s.maxSize, s.desiredCapacity], [3, 12, 3]);
            assert.deepEqual(s.healthCheck, { intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 });
            assert.equal(s.deregistrationDelaySeconds, 30);
            assert.equal(s.instanceRefreshMinHealthyPercent, 90);
        }
        assert.equal(c.database.mode, "multi-az-instance");
        assert.equal(c.database.backupRetentionDays, 14);
        assert.equal(c.database.deletionProtection, true);
        assert.match(c.certificateArn ?? "", /^arn:aws:acm:us-east-1:\d{12}:certificate\//);
        assert.equal(c.loadBalancer.accessLogs.enabled, true);
        assert.equal(c.loadBalancer.deletionProtection, true);
        assert.equal(c.loadBalancer.waf, true);
    });

    it("fills unset keys from the environment's defaults", () => {
        const c = parseStackConfig({ "ecomm:environment": "prod", "ecomm:certificateArn": prodRaw()["ecomm:certificateArn"] });
        assert.equal(c.network.availabilityZones, ENV_DEFAULTS.prod.availabilityZones);
        assert.equal(c.network.natGateways, "perAz");
        assert.equal(c.frontend.minSize, ENV_DEFAULTS.prod.minSize);
        assert.equal(c.frontend.healthCheck.intervalSeconds * c.frontend.healthCheck.unhealthyThreshold, 10);
        assert.equal(c.database.mode, "multi-az-instance");
        const d = parseStackConfig({ "ecomm:environment": "dev" });
        assert.equal(d.database.mode, "single-az");
        assert.equal(d.network.natGateways, "single");
    });

    it("ignores other namespaces such as aws:region", () => {
        assert.equal(parseStackConfig({ ...devRaw(), "aws:region": "eu-west-1", "aws:defaultTags": "{}" }).environment, "dev");
    });
});

/** [what, stack, key patch, the full key the message must name, a fragment of what is allowed]. */
type Case = [string, "dev" | "prod", (raw: Record<string, string>) => Record<string, string>, string, string];
const patch = (key: string, p: Record<string, unknown>) => (raw: Record<string, string>) => withPatch(raw, key, p);
const set = (key: string, value: string | undefined) => (raw: Record<string, string>) => {
    const out = { ...raw };
    if (value === undefined) delete out[key];
    else out[key] = value;
    return out;
};

const CASES: Case[] = [
    ["environment missing", "dev", set("ecomm:environment", undefined), "ecomm:environment", "dev | prod"],
    ["environment not an enum value", "dev", set("ecomm:environment", "staging"), "ecomm:environment", "dev | prod"],
    ["unknown top-level key (typo)", "dev", set("ecomm:netwrok", "{}"), "ecomm:netwrok", "allowed keys"],
    ["unknown nested key (typo)", "dev", patch("ecomm:frontend", { minSzie: 2 }), "ecomm:frontend.minSzie", "allowed keys"],
    ["structured key that is not JSON", "dev", set("ecomm:network", "{not json"), "ecomm:network", "object"],
    ["CIDR not a CIDR", "dev", patch("ecomm:network", { cidrBlock: "10.0.0.0" }), "ecomm:network.cidrBlock", "IPv4 CIDR"],
    ["CIDR prefix too small", "dev", patch("ecomm:network", { cidrBlock: "10.0.0.0/24" }), "ecomm:network.cidrBlock", "/16 to /20"],
    ["CIDR with host bits", "dev", patch("ecomm:network", { cidrBlock: "10.0.1.0/16" }), "ecomm:network.cidrBlock", "10.0.0.0/16"],
    ["CIDR public range", "dev", patch("ecomm:network", { cidrBlock: "8.8.0.0/16" }), "ecomm:network.cidrBlock", "private range"],
    ["AZ count out of range", "dev", patch("ecomm:network", { availabilityZones: 7 }), "ecomm:network.availabilityZones", "2 to 6"],
    ["NAT strategy not an enum value", "dev", patch("ecomm:network", { natGateways: "two" }), "ecomm:network.natGateways", "perAz | single | none"],
    ["flow-log retention not a CloudWatch value", "dev", patch("ecomm:network", { flowLogs: { retentionDays: 10 } }), "ecomm:network.flowLogs.retentionDays", "14"],
    ["pinned AZ name malformed", "dev", patch("ecomm:network", { availabilityZoneNames: ["us-east-1", "us-east-1b"] }), "ecomm:network.availabilityZoneNames[0]", "us-east-1a"],
    ["minSize above maxSize", "dev", patch("ecomm:frontend", { minSize: 3, maxSize: 2, desiredCapacity: 2 }), "ecomm:frontend.minSize", "maxSize (2)"],
    ["desired outside bounds", "dev", patch("ecomm:backend", { desiredCapacity: 5 }), "ecomm:backend.desiredCapacity", "between minSize (1) and maxSize (2)"],
    ["instance type malformed", "dev", patch("ecomm:frontend", { instanceType: "large" }), "ecomm:frontend.instanceType", "t4g.small"],
    ["AMI id malformed", "dev", patch("ecomm:backend", { ami: "ami-123" }), "ecomm:backend.ami", "ami-0123456789abcdef0"],
    ["health-check path without slash", "dev", patch("ecomm:frontend", { healthCheckPath: "health" }), "ecomm:frontend.healthCheckPath", "starting with /"],
    ["health-check timeout not below interval", "dev", patch("ecomm:frontend", { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }), "ecomm:frontend.healthCheck.timeoutSeconds", "less than healthCheck.intervalSeconds (5)"],
    ["port not a number", "dev", patch("ecomm:frontend", { port: "eighty" }), "ecomm:frontend.port", "1 to 65535"],
    ["prod service min below 2", "prod", patch("ecomm:frontend", { minSize: 1, desiredCapacity: 1 }), "ecomm:frontend.minSize", ">= 2 in prod"],
    ["prod single-AZ database", "prod", patch("ecomm:database", { mode: "single-az" }), "ecomm:database.mode", "Multi-AZ"],
    ["backup retention above 35", "dev", patch("ecomm:database", { backupRetentionDays: 36 }), "ecomm:database.backupRetentionDays", "0 to 35"],
    ["prod backup retention below 7", "prod", patch("ecomm:database", { backupRetentionDays: 3 }), "ecomm:database.backupRetentionDays", "7 to 35 in prod"],
    ["storage max below allocated", "dev", patch("ecomm:database", { allocatedStorageGb: 200, maxAllocatedStorageGb: 100 }), "ecomm:database.maxAllocatedStorageGb", "allocatedStorageGb (200)"],
    ["engine/mode pair unsupported", "dev", patch("ecomm:database", { mode: "aurora", engine: "mysql", engineVersion: "8.4.3" }), "ecomm:database.engineVersion", "supported major versions"],
    ["cluster class without local storage", "dev", patch("ecomm:database", { mode: "multi-az-cluster", allocatedStorageGb: 100, instanceClass: "db.m7g.large" }), "ecomm:database.instanceClass", "local NVMe"],
    ["overlapping windows", "dev", patch("ecomm:database", { backupWindow: "05:30-06:30", maintenanceWindow: "sun:05:00-sun:06:00" }), "ecomm:database.maintenanceWindow", "overlap"],
    ["alarm email malformed", "dev", patch("ecomm:monitoring", { alarmEmails: ["oncall"] }), "ecomm:monitoring.alarmEmails[0]", "email address"],
    ["certificate ARN malformed", "dev", set("ecomm:certificateArn", "arn:aws:iam::123:cert"), "ecomm:certificateArn", "ACM certificate ARN"],
    ["prod without certificate", "prod", set("ecomm:certificateArn", undefined), "ecomm:certificateArn", "required in prod"],
    ["prod without NAT", "prod", patch("ecomm:network", { natGateways: "none" }), "ecomm:network.natGateways", "perAz or single in prod"],
];

describe("bad config is refused with the key, the value and what is allowed", () => {
    for (const [what, stack, mutate, key, allowed] of CASES) {
        it(`${what} (${key})`, () => {
            const err = problemsOf(mutate(stack === "dev" ? devRaw() : prodRaw()));
            const problem = err.problems.find((p) => p.key === key);
            assert.ok(problem, `no problem for ${key} in:\n${err.message}`);
            assert.ok(problem.message.includes(allowed), `message for ${key} should say "${allowed}": ${problem.message}`);
            assert.ok(err.message.includes(key), err.message);
        });
    }

    it("shows the bad value in the message", () => {
        const err = problemsOf(withPatch(devRaw(), "ecomm:frontend", { instanceType: "large" }));
        assert.match(err.message, /ecomm:frontend\.instanceType = "large": must be an EC2 instance type/);
    });

    it("reports every problem at once", () => {
        const raw = withPatch(withPatch(prodRaw(), "ecomm:frontend", { minSize: 1, desiredCapacity: 1 }), "ecomm:network", { availabilityZones: 9, cidrBlock: "10.0.0.0/8" });
        const keys = problemsOf(raw).problems.map((p) => p.key).sort();
        assert.deepEqual(keys, ["ecomm:frontend.minSize", "ecomm:network.availabilityZones", "ecomm:network.cidrBlock"]);
    });
});
