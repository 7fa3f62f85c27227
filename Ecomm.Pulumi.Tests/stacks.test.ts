/**
 * More than two stacks: the committed staging stack (prod's rules at smaller sizes) plans offline, and
 * Pulumi.yaml's template section asks `pulumi new` for exactly the values a new stack cannot default.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { run, type StackRun } from "./harness";
import { listStacks, PROJECT_ROOT } from "../tools/offline/run";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { REQUIRED_VALUES, withStandIns } from "../Ecomm.Pulumi/config/placeholders";
import { buildReport } from "../tools/plan/plan";

describe("the staging stack (Pulumi.staging.yaml)", () => {
    let staging: StackRun;
    let prod: StackRun;
    before(async () => {
        staging = await run("staging");
        prod = await run("prod");
    });

    it("is one of the stacks every stack-wide test and script iterates", () => {
        assert.deepEqual(listStacks().sort(), ["dev", "prod", "staging"]);
    });

    it("runs under prod's rules: HTTPS, Multi-AZ database with deletion protection, 2+ instances, the same stand-ins", () => {
        const c = parseStackConfig(staging.config);
        assert.equal(c.environment, "prod");
        assert.equal(c.database.mode, "multi-az-instance");
        assert.equal(c.database.deletionProtection, true);
        assert.equal(c.database.backupRetentionDays, 7);
        assert.deepEqual([c.frontend.minSize, c.backend.minSize], [2, 2]);
        assert.deepEqual(staging.standIns.map((s) => s.key), prod.standIns.map((s) => s.key));
        assert.ok(staging.standIns.every((s) => s.fix.includes("--stack staging")), "each fix names the staging stack");
        const listeners = staging.resources.filter((r) => r.type === "aws:lb/listener:Listener");
        assert.deepEqual(listeners.map((l) => [l.inputs.port, l.inputs.protocol]).sort(), [[443, "HTTPS"], [80, "HTTP"]]);
    });

    it("is smaller than prod: 2 AZs, burstable instances, a smaller database — and costs less", () => {
        assert.equal((staging.outputs.availabilityZones as string[]).length, 2);
        const lt = staging.resources.find((r) => r.name === "web-frontend-lt")!;
        assert.equal(lt.inputs.instanceType, "t4g.medium");
        const db = staging.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
        assert.deepEqual([db.inputs.instanceClass, db.inputs.multiAz, db.inputs.allocatedStorage], ["db.t4g.medium", true, 20]);
        const s = buildReport(staging).cost;
        const p = buildReport(prod).cost;
        assert.ok(s.totalAtMin !== null && p.totalAtMin !== null && s.totalAtMin < p.totalAtMin / 2, `${s.totalAtMin} vs ${p.totalAtMin}`);
        const scorecard = buildReport(staging).scorecard;
        assert.deepEqual(scorecard.warnings, []);
        assert.deepEqual(scorecard.azLoss.map((f) => [f.value, f.minSize]), [[1, 2], [1, 2]]);
    });
});

describe("Pulumi.yaml's template section (pulumi new)", () => {
    const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
        name: string;
        template: { displayName: string; description: string; config: Record<string, { description: string; default?: string; secret?: boolean }> };
    };

    it("has only the fields Pulumi's template schema defines (description, default, secret)", () => {
        assert.equal(typeof project.template.description, "string");
        for (const [key, field] of Object.entries(project.template.config)) {
            assert.deepEqual(Object.keys(field).filter((k) => !["description", "default", "secret"].includes(k)), [], key);
            assert.ok(field.description.length > 10, `${key} explains itself`);
            assert.equal(typeof (field.default ?? ""), "string", `${key}: a template default is a string`);
        }
    });

    it("asks for the region, the environment, the certificate and the alarm address — and that is all a new prod stack needs besides its AMIs", () => {
        assert.deepEqual(Object.keys(project.template.config), ["aws:region", "ecomm:environment", "ecomm:certificateArn", "ecomm:monitoring"]);
        // A user's answers, set as `pulumi new` sets them: top-level keys, strings.
        const region = "eu-west-1";
        const answers: Record<string, string> = {
            "aws:region": region,
            "ecomm:environment": project.template.config["ecomm:environment"].default!,
            "ecomm:certificateArn": `arn:aws:acm:${region}:111122223333:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
            "ecomm:monitoring": JSON.stringify({ alarmEmails: ["oncall@shop.dev"] }),
        };
        const view = {
            environment: answers["ecomm:environment"],
            certificateArn: answers["ecomm:certificateArn"],
            monitoring: JSON.parse(answers["ecomm:monitoring"]) as { alarmEmails: string[] },
        };
        // Still missing: only what `npm run ami:latest -- --write` finds and writes.
        assert.deepEqual(REQUIRED_VALUES.filter((v) => v.missing(view)).map((v) => v.path.join(".")), ["frontend.ami", "backend.ami"]);
        const completed = withStandIns(answers, region, "shop").config;
        const c = parseStackConfig(completed, "shop");
        assert.deepEqual([c.environment, c.certificateArn, c.monitoring.alarmEmails], ["prod", answers["ecomm:certificateArn"], ["oncall@shop.dev"]]);
    });
});
