/**
 * Rollouts (issue 14, points 3, 5 and 8): prod's OS changes only when its config does; an instance refresh
 * rolls itself back on the service's real health alarms; a correct first deploy pages nobody; the grace
 * period covers a cold boot.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, one, ofType, patched, refused, type RecordedResource, type StackRun } from "./harness";
import { runStack, readStackConfig } from "../tools/offline/run";
import { STAND_IN_AMI } from "../Ecomm.Pulumi/config/placeholders";
import { al2023AmiParameter } from "../Ecomm.Pulumi/web/ami";
import { COLD_BOOT_SECONDS, COLD_BOOT_STEPS, defaultGraceSeconds, minimumGraceSeconds } from "../Ecomm.Pulumi/web/cold-boot";
import { buildScorecard } from "../tools/report/scorecard";

const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const TG = "aws:lb/targetGroup:TargetGroup";
const ROLES = ["frontend", "backend"] as const;
const ARM64 = al2023AmiParameter("m7g.large");
const NEWER = "ami-0fedcba9876543210";

const imageOf = (r: StackRun, role: string) => input<string>(one(r, LT, `web-${role}-lt`), "imageId");

describe("prod's AMI moves only with its config", () => {
    let before_: StackRun;
    let after: StackRun;
    let devBefore: StackRun;
    let devAfter: StackRun;
    before(async () => {
        // The committed prod file, as is (offline: its required AMI pins are labelled stand-ins).
        before_ = await runStack({ stack: "prod" });
        // A new AL2023 release, and an unrelated change (an alarm threshold) in the same `up`.
        after = await runStack({ stack: "prod", config: patched("prod", "ecomm:monitoring", { thresholds: { elb5xxCount: 25 } }), ssmParameters: { [ARM64]: NEWER } });
        devBefore = await runStack({ stack: "dev" });
        devAfter = await runStack({ stack: "dev", ssmParameters: { [ARM64]: NEWER } });
    });

    it("keeps prod's launch templates on the configured id when the latest AL2023 changes", () => {
        // The committed file pins nothing yet: offline, the id it runs on is the listed stand-in.
        const configured = (role: string) => before_.standIns.find((s) => s.key === `ecomm:${role}.ami`)?.value ?? "";
        for (const role of ROLES) {
            assert.equal(configured(role), STAND_IN_AMI);
            assert.equal(imageOf(before_, role), configured(role));
            assert.equal(imageOf(after, role), configured(role));
            const lt = (r: StackRun) => one(r, LT, `web-${role}-lt`).inputs;
            assert.deepEqual(lt(after), lt(before_), `${role}: the launch template is identical, so no new version and no refresh`);
        }
        assert.equal(after.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter").length, 0, "prod never reads the latest-AMI parameter");
        const threshold = (r: StackRun) => input(one(r, ALARM, "monitoring-alb-5xx"), "threshold");
        assert.deepEqual([threshold(before_), threshold(after)], [10, 25], "the unrelated change did apply");
    });

    it("moves prod only when its pinned id is changed", async () => {
        const moved = await runStack({ stack: "prod", config: patched("prod", "ecomm:backend", { ami: NEWER }), ssmParameters: { [ARM64]: NEWER } });
        assert.equal(imageOf(moved, "backend"), NEWER);
        assert.equal(imageOf(moved, "frontend"), imageOf(before_, "frontend"));
    });

    it("lets dev follow the latest AL2023 (the mocked lookup's new id reaches its launch templates)", () => {
        for (const role of ROLES) {
            assert.notEqual(imageOf(devBefore, role), NEWER);
            assert.equal(imageOf(devAfter, role), NEWER);
        }
    });

    it("refuses (under the real engine) a prod stack without a pinned AMI, naming each key and the command that pins it", async () => {
        assert.equal(readStackConfig("prod").config["ecomm:frontend"]?.includes('"ami"'), false, "the committed file pins no AMI");
        const err = await refused("prod", {}, { realEngine: true });
        assert.match(err.message, /ecomm:frontend\.ami = \(not set\): is required in prod: a pinned AMI id/);
        assert.match(err.message, /ecomm:backend\.ami = \(not set\): is required in prod/);
        assert.match(err.message, /fix: npm run ami:latest -- --stack prod --write/);
    });

    it("runs the committed prod file offline on a labelled stand-in AMI", async () => {
        const r = await runStack({ stack: "prod" });
        assert.deepEqual(
            r.standIns.filter((s) => s.key.endsWith(".ami")).map((s) => [s.key, s.value]),
            [["ecomm:frontend.ami", STAND_IN_AMI], ["ecomm:backend.ami", STAND_IN_AMI]],
        );
        for (const role of ROLES) assert.equal(imageOf(r, role), STAND_IN_AMI);
        assert.deepEqual((await runStack({ stack: "dev" })).standIns, []);
    });
});

describe("an instance refresh rolls itself back on the service's real health alarms", () => {
    for (const stack of ["dev", "prod"] as const) {
        describe(stack, () => {
            let r: StackRun;
            before(async () => {
                r = await runStack({ stack });
            });

            for (const role of ROLES) {
                it(`${role}: watches alarms that exist, are ${role}'s own, and judge each checkpoint`, () => {
                    const asg = one(r, ASG, `web-${role}-asg`);
                    const prefs = input<{ preferences: { autoRollback: boolean; alarmSpecification: { alarms: string[] }; checkpointPercentages: number[]; checkpointDelay: string; skipMatching: boolean } }>(asg, "instanceRefresh").preferences;
                    assert.equal(prefs.autoRollback, true);
                    assert.equal(prefs.skipMatching, true);
                    const byName = new Map(ofType(r, ALARM).map((a) => [input<string>(a, "name"), a]));
                    const watched = prefs.alarmSpecification.alarms.map((n) => byName.get(n));
                    assert.deepEqual(prefs.alarmSpecification.alarms, [`ecomm-${stack}-${role}-unhealthy-hosts`, `ecomm-${stack}-${role}-no-healthy-hosts`]);
                    const tg = one(r, TG, `web-${role}-tg`);
                    for (const [i, a] of watched.entries()) {
                        assert.ok(a, `${prefs.alarmSpecification.alarms[i]} is an alarm the stack creates`);
                        assert.equal((a as RecordedResource).inputs.dimensions && input<Record<string, string>>(a as RecordedResource, "dimensions").TargetGroup, tg.state.arnSuffix);
                    }
                    // The slowest watched alarm: 2 datapoints × 60 s + 60 s for the last one to be published.
                    const slowest = Math.max(...watched.map((a) => Number(input(a as RecordedResource, "datapointsToAlarm")) * Number(input(a as RecordedResource, "period")) + 60));
                    assert.equal(slowest, 180);
                    assert.deepEqual([prefs.checkpointPercentages, prefs.checkpointDelay], [[50, 100], String(slowest)]);
                    // Rollback needs a numbered template version and an AMI id, not an SSM alias.
                    const lt = one(r, LT, `web-${role}-lt`);
                    assert.equal(input<{ version: string }>(asg, "launchTemplate").version, String(lt.state.latestVersion));
                    assert.match(input<string>(lt, "imageId"), /^ami-[0-9a-f]{17}$/);
                });
            }

            it("states in the scorecard how long a bad rollout takes to roll back", () => {
                const s = buildScorecard(r.resources, stack);
                const detection = stack === "prod" ? 5 * 2 : 10 * 3;
                assert.deepEqual(
                    s.rollback.map((f) => [f.label, f.value]),
                    ROLES.map((role) => [`${role}: bad rollout rolled back after`, detection + 2 * 60 + 60]),
                );
                assert.ok(s.rollback.every((f) => f.formula.includes("unhealthy-hosts: 2 datapoints × 60 s")));
                assert.ok(!s.warnings.some((w) => /roll back|do not exist/.test(w)), s.warnings.join("; "));
            });
        });
    }

    it("watches nothing for a service that may scale to zero (it has no health alarms), but still rolls back on failure", async () => {
        const r = await runStack({ stack: "dev", config: patched("dev", "ecomm:backend", { minSize: 0, desiredCapacity: 0 }) });
        const prefs = input<Record<string, unknown>>(one(r, ASG, "web-backend-asg"), "instanceRefresh") as { preferences: Record<string, unknown> };
        assert.equal(prefs.preferences.autoRollback, true);
        assert.equal(prefs.preferences.alarmSpecification, undefined);
        assert.equal(ofType(r, ALARM).filter((a) => String(input(a, "name")).startsWith("ecomm-dev-backend-")).length, 0);
    });
});

describe("a correct first deploy pages nobody; an outage still pages within 2 minutes", () => {
    for (const stack of ["dev", "prod"] as const) {
        describe(stack, () => {
            let r: StackRun;
            before(async () => {
                r = await runStack({ stack });
            });

            it("waits, on creation, for minSize healthy targets before the group counts as created", () => {
                for (const role of ROLES) {
                    const asg = one(r, ASG, `web-${role}-asg`);
                    assert.equal(input(asg, "minElbCapacity"), input(asg, "minSize"));
                    assert.ok(Number(input(asg, "minSize")) >= 1);
                }
            });

            it("creates every alarm on a service's target group or group only after that group exists", () => {
                for (const role of ROLES) {
                    const asg = one(r, ASG, `web-${role}-asg`);
                    const tg = one(r, TG, `web-${role}-tg`);
                    const own = ofType(r, ALARM).filter((a) => {
                        const dims = (a.inputs.dimensions ?? {}) as Record<string, string>;
                        return a.name.startsWith("monitoring-") && (dims.TargetGroup === tg.state.arnSuffix || dims.AutoScalingGroupName === asg.state.name);
                    });
                    assert.equal(own.length, 4, `${role}: unhealthy, below-min, no-healthy and in-service alarms`);
                    for (const a of own) assert.ok(a.dependencies.includes(asg.urn), `${a.name} waits for ${asg.name}`);
                }
                const siteDown = one(r, COMPOSITE);
                for (const role of ROLES) {
                    const member = one(r, ALARM, `monitoring-${role}-no-healthy-hosts`);
                    assert.ok(siteDown.dependencies.includes(member.urn), "the composite waits for its members");
                }
            });

            it("does not count missing data as 'no healthy host', and still alarms on 2 minutes of zero", () => {
                for (const role of ROLES) {
                    const a = one(r, ALARM, `monitoring-${role}-no-healthy-hosts`);
                    assert.deepEqual(
                        [input(a, "metricName"), input(a, "statistic"), input(a, "comparisonOperator"), input(a, "threshold"), input(a, "period"), input(a, "evaluationPeriods"), input(a, "datapointsToAlarm"), input(a, "treatMissingData")],
                        ["HealthyHostCount", "Maximum", "LessThanThreshold", 1, 60, 2, 2, "notBreaching"],
                    );
                }
            });
        });
    }
});

describe("the grace period covers a cold boot", () => {
    it("adds up the boot script's steps", () => {
        assert.equal(COLD_BOOT_SECONDS, 160);
        assert.equal(COLD_BOOT_STEPS.reduce((a, s) => a + s.seconds, 0), COLD_BOOT_SECONDS);
        for (const s of COLD_BOOT_STEPS) assert.ok(s.source.length > 0, s.step);
        assert.equal(minimumGraceSeconds({ intervalSeconds: 10, healthyThreshold: 2 }), 180);
        assert.equal(minimumGraceSeconds({ intervalSeconds: 5, healthyThreshold: 2 }), 170);
        assert.equal(defaultGraceSeconds({ intervalSeconds: 5, healthyThreshold: 2 }), 180);
        assert.equal(defaultGraceSeconds({ intervalSeconds: 30, healthyThreshold: 5 }), 330);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the ASGs' grace covers boot + healthy checks, and the scorecard says by how much`, async () => {
            const r = await runStack({ stack });
            const s = buildScorecard(r.resources, stack);
            const healthy = stack === "prod" ? 10 : 20;
            for (const role of ROLES) assert.equal(input(one(r, ASG, `web-${role}-asg`), "healthCheckGracePeriod"), 180);
            assert.deepEqual(s.grace.map((f) => f.value), [180 - 160 - healthy, 180 - 160 - healthy]);
            assert.ok(s.replacement.every((f) => f.formula.includes(`boot ${COLD_BOOT_SECONDS} s`)));
        });
    }

    it("refuses a grace period shorter than a cold boot, naming the key", async () => {
        const err = await refused("prod", patched("prod", "ecomm:frontend", { healthCheckGracePeriodSeconds: 120 }));
        assert.match(err.message, /ecomm:frontend\.healthCheckGracePeriodSeconds = 120: must be at least 170: a cold boot takes about 160 s/);
    });
});
