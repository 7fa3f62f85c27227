import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ConfigError, parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { NETWORK_DEFAULTS } from "../Ecomm.Pulumi/network/config";
import { SERVICE_DEFAULTS } from "../Ecomm.Pulumi/web/config";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfig } from "../tools/offline/run";
import { closestKey, editDistance } from "../Ecomm.Pulumi/config/parse";
import { CASES, withPatch } from "./bad-config-cases";
import { offlineStackConfig } from "./harness";

const devRaw = () => readStackConfig("dev").config;
/** Prod as its user completes it (here: with the offline stand-ins for the certificate and on-call address). */
const prodRaw = () => offlineStackConfig("prod");

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
        assert.deepEqual(c.monitoring.alarmEmails, []);
        assert.equal(c.loadBalancer.accessLogs.enabled, false);
    });

    it("prod parses to the HA shape", () => {
        const c = parseStackConfig(prodRaw());
        assert.equal(c.environment, "prod");
        assert.deepEqual(c.network, { cidrBlock: "10.20.0.0/16", availabilityZones: 3, availabilityZoneNames: ["us-east-1a", "us-east-1b", "us-east-1c"], natGateways: "perAz", flowLogs: { enabled: true, retentionDays: 90 } });
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
        // Prod's required keys: the certificate, an on-call address and the pinned AMIs.
        const ami = JSON.stringify({ ami: "ami-0123456789abcdef0" });
        const c = parseStackConfig({ "ecomm:environment": "prod", "ecomm:certificateArn": prodRaw()["ecomm:certificateArn"], "ecomm:monitoring": prodRaw()["ecomm:monitoring"], "ecomm:frontend": ami, "ecomm:backend": ami });
        assert.equal(c.network.availabilityZones, NETWORK_DEFAULTS.prod.availabilityZones);
        // The grace period covers a cold boot (web/cold-boot.ts): 160 s + 5 s × 2, rounded up to 180 s.
        assert.equal(c.frontend.healthCheckGracePeriodSeconds, 180);
        assert.equal(c.loadBalancer.wafMode, "block");
        assert.equal(c.network.natGateways, "perAz");
        assert.equal(c.frontend.minSize, SERVICE_DEFAULTS.prod.minSize);
        assert.equal(c.frontend.healthCheck.intervalSeconds * c.frontend.healthCheck.unhealthyThreshold, 10);
        assert.equal(c.database.mode, "multi-az-instance");
        const d = parseStackConfig({ "ecomm:environment": "dev" });
        assert.equal(d.database.mode, "single-az");
        assert.equal(d.network.natGateways, "single");
    });

    it("ignores other namespaces such as aws:region", () => {
        assert.equal(parseStackConfig({ ...devRaw(), "aws:region": "eu-west-1", "aws:skipMetadataApiCheck": "true" }).environment, "dev");
    });
});

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
        // 9 AZs is out of range, and no longer matches the 3 pinned names either.
        assert.deepEqual(keys, ["ecomm:frontend.minSize", "ecomm:network.availabilityZoneNames", "ecomm:network.availabilityZones", "ecomm:network.cidrBlock"]);
    });
});

describe("messages a user reads after a typo", () => {
    it("an unknown key says which allowed key it most likely meant", () => {
        const raw = devRaw();
        raw["ecomm:backend"] = JSON.stringify({ ...JSON.parse(raw["ecomm:backend"] ?? "{}"), minSzie: 2 });
        const [problem] = problemsOf(raw).problems;
        assert.equal(problem.key, "ecomm:backend.minSzie");
        assert.match(problem.message, /^unknown key\(s\) "minSzie" \(did you mean `minSize`\?\); allowed keys: instanceType, minSize,/);
    });

    it("suggests nothing when no allowed key is close", () => {
        const raw = devRaw();
        raw["ecomm:backend"] = JSON.stringify({ ...JSON.parse(raw["ecomm:backend"] ?? "{}"), colour: "blue" });
        assert.match(problemsOf(raw).problems[0].message, /^unknown key\(s\) "colour"; allowed keys:/);
    });

    it("a misspelt top-level key shows its YAML value as an object, not an escaped JSON string", () => {
        const raw = devRaw();
        raw["ecomm:frontnd"] = JSON.stringify({ minSize: 3, instanceType: "t4g.small" });
        const err = problemsOf(raw);
        assert.deepEqual(err.problems.map((p) => [p.key, p.value]), [["ecomm:frontnd", { minSize: 3, instanceType: "t4g.small" }]]);
        assert.match(err.message, /\n {2}- ecomm:frontnd = \{"minSize":3,"instanceType":"t4g\.small"\}: unknown key\(s\) "frontnd" \(did you mean `frontend`\?\)/);
    });

    it("closestKey: within a third of the letters, case-insensitive, else nothing", () => {
        assert.equal(closestKey("minSzie", ["maxSize", "minSize"]), "minSize");
        assert.equal(closestKey("MINSIZE", ["minSize"]), "minSize");
        assert.equal(closestKey("ami", ["port", "ami"]), "ami");
        assert.equal(closestKey("az", ["ami"]), undefined);
        assert.equal(closestKey("retention", ["retentionDays"]), undefined);
        assert.equal(editDistance("kitten", "sitting"), 3);
    });

    it("a YAML syntax error names the file, line and column", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-yaml-"));
        fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config:\n  ecomm:environment: dev\n  ecomm:frontend:\n    minSize: 1\n   maxSize: 2\n");
        assert.throws(() => readStackConfig("broken", dir), (err: Error) => {
            assert.match(err.message, /^Pulumi\.broken\.yaml:5:\d+: YAML syntax error in .*Pulumi\.broken\.yaml: /);
            return true;
        });
    });
});
