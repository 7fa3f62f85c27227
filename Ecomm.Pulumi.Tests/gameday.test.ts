/**
 * `npm run gameday` without AWS: the SDK clients are stubbed with aws-sdk-client-mock and answer from a
 * script keyed by a fake clock, so a whole experiment plays out in milliseconds with exact figures.
 */
import { describe, it, beforeEach, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { awsClients, awsProbes } from "../tools/gameday/probes";
import { gamedayCommand, USAGE, type CommandIo } from "../tools/gameday/command";
import { parseStackOutputs } from "../tools/gameday/outputs";

// The registry's newest @aws-sdk/client-fis (3.523) still builds on @smithy/types 2, whose Client type
// is not the one aws-sdk-client-mock 4 declares; the stub itself (on the prototype's send) is the same.
// So its stub is typed loosely here; the other clients' stubs keep aws-sdk-client-mock's full types.
interface LooseStub {
    on(command: unknown): { callsFake(fn: () => unknown): unknown; resolves(value: unknown): unknown };
    commandCalls(command: unknown): { args: [{ input: unknown }] }[];
    reset(): void;
}
const fis = mockClient(FisClient as unknown as Parameters<typeof mockClient>[0]) as unknown as LooseStub;
const elb = mockClient(ElasticLoadBalancingV2Client);
const autoscaling = mockClient(AutoScalingClient);
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

const FE_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-frontend-tg/0123456789abcdef";
const BE_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-backend-tg/fedcba9876543210";
const ADMIN_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-admin-tg/00112233aabbccdd";
const T0 = Date.UTC(2026, 10, 25, 17, 0, 0);
const service = (name: string, tg: string) => ({ asgName: `web-${name}-asg`, targetGroupArn: tg, targetGroupArnSuffix: tg.split(":").at(-1) ?? "", securityGroupId: `sg-0${name.length}a1b2c3d4e5f6a7b8` });

const OUTPUTS = {
    environment: "dev",
    region: "us-east-1",
    experimentTemplateIds: { azPower: "EXTAZPOWER000001", azNetwork: "EXTAZNETWORK0002", cpu: "EXTCPU0000000003", dbFailover: "EXTDBFAILOVER004" },
    frontendTargetGroupArn: FE_TG,
    backendTargetGroupArn: BE_TG,
    frontendAsgName: "web-frontend-asg",
    backendAsgName: "web-backend-asg",
    services: { frontend: service("frontend", FE_TG), backend: service("backend", BE_TG) },
    albArnSuffix: "app/web-alb/0123456789abcdef",
    dbMode: "multi-az-instance",
    dbInstanceIdentifiers: ["ecomm-db"],
};

type State = [id: string, az: string, state: string];

/** What each service looks like at a second since the start: [instance, AZ, target state]. */
interface Script {
    experiment(t: number): string;
    frontend(t: number): State[];
    backend(t: number): State[];
    /** A third service (`ecomm:services.admin`), when the stack has one. */
    admin?(t: number): State[];
    db(t: number): [status: string, az: string];
    /** The backend ASG's desired capacity (2 unless scripted). */
    desired?(t: number): number;
}

const steady = (a: string, b: string): ((t: number) => State[]) => () => [[a, "us-east-1a", "healthy"], [b, "us-east-1b", "healthy"]];

/** az-power: the AZ-a instances stop; the ALB takes them out; replacements launch in us-east-1b. */
const AZ_POWER: Script = {
    experiment: (t) => (t < 5 ? "initiating" : t < 40 ? "running" : "completed"),
    frontend: (t) =>
        t < 10 ? [["i-fa", "us-east-1a", "healthy"], ["i-fb", "us-east-1b", "healthy"]]
        : t < 15 ? [["i-fa", "us-east-1a", "unhealthy"], ["i-fb", "us-east-1b", "healthy"]]
        : t < 20 ? [["i-fa", "us-east-1a", "draining"], ["i-fb", "us-east-1b", "healthy"], ["i-fc", "us-east-1b", "initial"]]
        : t < 25 ? [["i-fb", "us-east-1b", "healthy"], ["i-fc", "us-east-1b", "initial"]]
        : [["i-fb", "us-east-1b", "healthy"], ["i-fc", "us-east-1b", "healthy"]],
    backend: (t) =>
        t < 15 ? [["i-ba", "us-east-1a", "healthy"], ["i-bb", "us-east-1b", "healthy"]]
        : t < 20 ? [["i-ba", "us-east-1a", "unhealthy"], ["i-bb", "us-east-1b", "healthy"]]
        : t < 35 ? [["i-bb", "us-east-1b", "healthy"], ["i-bc", "us-east-1b", "initial"]]
        : [["i-bb", "us-east-1b", "healthy"], ["i-bc", "us-east-1b", "healthy"]],
    db: () => ["available", "us-east-1a"],
};

/** db-failover: the instance reboots with failover; its writer moves to us-east-1b. */
const DB_FAILOVER: Script = {
    experiment: (t) => (t < 5 ? "running" : "completed"),
    frontend: steady("i-fa", "i-fb"),
    backend: steady("i-ba", "i-bb"),
    db: (t) => (t < 10 ? ["available", "us-east-1a"] : t < 75 ? ["rebooting", "us-east-1a"] : ["available", "us-east-1b"]),
};

/** cpu: the backend runs hot; target tracking raises desired capacity to 3 and a third target comes up. */
const CPU: Script = {
    experiment: (t) => (t < 420 ? "running" : "completed"),
    frontend: steady("i-fa", "i-fb"),
    backend: (t) =>
        t < 200 ? [["i-ba", "us-east-1a", "healthy"], ["i-bb", "us-east-1b", "healthy"]]
        : t < 260 ? [["i-ba", "us-east-1a", "healthy"], ["i-bb", "us-east-1b", "healthy"], ["i-bc", "us-east-1a", "initial"]]
        : [["i-ba", "us-east-1a", "healthy"], ["i-bb", "us-east-1b", "healthy"], ["i-bc", "us-east-1a", "healthy"]],
    db: () => ["available", "us-east-1a"],
    desired: (t) => (t < 180 ? 2 : 3),
};

let clock = T0;
const secondsIn = () => Math.floor((clock - T0) / 1000);

function play(script: Script): void {
    fis.on(StartExperimentCommand).callsFake(() => ({ experiment: { id: "EXPGAMEDAY000001" } }));
    fis.on(GetExperimentCommand).callsFake(() => ({ experiment: { id: "EXPGAMEDAY000001", state: { status: script.experiment(secondsIn()) } } }));
    fis.on(StopExperimentCommand).resolves({ experiment: { id: "EXPGAMEDAY000001", state: { status: "stopping" } } });
    elb.on(DescribeTargetHealthCommand).callsFake((input: { TargetGroupArn?: string }) => {
        const of = input.TargetGroupArn === FE_TG ? script.frontend : input.TargetGroupArn === ADMIN_TG ? script.admin : script.backend;
        if (!of) throw new Error(`no target group ${input.TargetGroupArn}`);
        const states = of(secondsIn());
        return { TargetHealthDescriptions: states.map(([id, , state]) => ({ Target: { Id: id, Port: 80 }, TargetHealth: { State: state } })) };
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
        AutoScalingGroups: (["frontend", "backend", "admin"] as const).flatMap((svc) => {
            const of = script[svc];
            if (!of) return [];
            const states = of(secondsIn());
            return {
                AutoScalingGroupName: `web-${svc}-asg`,
                MinSize: 2,
                MaxSize: 4,
                DesiredCapacity: svc === "backend" && script.desired ? script.desired(secondsIn()) : 2,
                DefaultCooldown: 300,
                AvailabilityZones: ["us-east-1a", "us-east-1b"],
                HealthCheckType: "ELB",
                CreatedTime: new Date(T0),
                Instances: states.map(([id, az, state]) => ({
                    InstanceId: id,
                    AvailabilityZone: az,
                    LifecycleState: state === "draining" ? "Terminating" : state === "initial" ? "Pending" : "InService",
                    HealthStatus: state === "unhealthy" || state === "draining" ? "Unhealthy" : "Healthy",
                    ProtectedFromScaleIn: false,
                })),
            };
        }),
    }));
    rds.on(DescribeDBInstancesCommand).callsFake(() => {
        const [status, az] = script.db(secondsIn());
        return { DBInstances: [{ DBInstanceIdentifier: "ecomm-db", DBInstanceStatus: status, AvailabilityZone: az, MultiAZ: true }] };
    });
    cloudwatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
            { Id: "elb5xx", Timestamps: [new Date(T0), new Date(T0 + 60_000)], Values: [7, 2] },
            { Id: "target5xx", Timestamps: [new Date(T0), new Date(T0 + 60_000)], Values: [1, 0] },
        ],
    });
}

interface Run {
    code: number;
    out: string;
    err: string;
}

async function gameday(argv: string[], opts: { abortOnSleep?: number } = {}): Promise<Run> {
    let out = "";
    let err = "";
    const controller = new AbortController();
    let sleeps = 0;
    const io: CommandIo = {
        out: (t) => (out += `${t}\n`),
        err: (t) => (err += `${t}\n`),
        stackOutputs: () => Promise.reject(new Error("tests pass --outputs")),
        scorecard: () => Promise.resolve(undefined),
        probes: (region) => awsProbes(awsClients(region)),
        now: () => clock,
        sleep: async (ms) => {
            sleeps++;
            if (sleeps === opts.abortOnSleep) controller.abort();
            clock += ms;
        },
        signal: controller.signal,
    };
    const code = await gamedayCommand(argv, io);
    return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gameday-"));
const file = (name: string, json: unknown) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, JSON.stringify(json));
    return f;
};
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PREDICTIONS = file("predictions.json", {
    outOfRotationSeconds: { frontend: 30, backend: 10 },
    replacementSeconds: { frontend: 310, backend: 310 },
    scaleOutSeconds: { backend: 300 },
    databaseRtoSeconds: [60, 120],
});

describe("npm run gameday (SDK clients stubbed)", () => {
    beforeEach(() => {
        for (const m of [fis, elb, autoscaling, rds, cloudwatch]) m.reset();
        clock = T0;
    });

    it("az-power: prints the timeline and the measured figures beside the predictions", async () => {
        play(AZ_POWER);
        const outputs = file("dev.json", OUTPUTS);
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", outputs, "--predictions", PREDICTIONS]);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(fis.commandCalls(StartExperimentCommand).map((c) => c.args[0].input), [
            { experimentTemplateId: "EXTAZPOWER000001", tags: { Stack: "dev", StartedBy: "ecomm-gameday" } },
        ]);
        assert.equal(fis.commandCalls(StopExperimentCommand).length, 0);
        const expected = [
            "Game day: az-power on stack dev — experiment EXPGAMEDAY000001 (template EXTAZPOWER000001), AZ us-east-1a",
            "",
            "Timeline (mm:ss from the experiment's start)",
            "  +00:00  baseline: experiment not started; frontend 2 healthy (min 2), backend 2 healthy (min 2); database available in us-east-1a",
            "  +00:00  experiment not started → initiating",
            "  +00:05  experiment initiating → running",
            "  +00:10  frontend target i-fa (us-east-1a): healthy → unhealthy",
            "  +00:10  frontend: 1 healthy target (min 2)",
            "  +00:15  frontend target i-fa (us-east-1a): unhealthy → draining",
            "  +00:15  frontend target i-fc (us-east-1b): new → initial",
            "  +00:15  backend target i-ba (us-east-1a): healthy → unhealthy",
            "  +00:15  backend: 1 healthy target (min 2)",
            "  +00:20  frontend target i-fa (us-east-1a): draining → gone",
            "  +00:20  backend target i-bc (us-east-1b): new → initial",
            "  +00:20  backend target i-ba (us-east-1a): unhealthy → gone",
            "  +00:25  frontend target i-fc (us-east-1b): initial → healthy",
            "  +00:25  frontend: 2 healthy targets (min 2)",
            "  +00:35  backend target i-bc (us-east-1b): initial → healthy",
            "  +00:35  backend: 2 healthy targets (min 2)",
            "  +00:40  experiment running → completed",
            "",
            `Measured (resolution ±5 s, the poll interval) vs predicted (${PREDICTIONS})`,
            "  frontend: dead targets out of rotation           10 s                 predicted 30 s",
            "  backend: dead targets out of rotation            15 s                 predicted 10 s",
            "  frontend: capacity back to min 2                 25 s (lowest 1)      predicted 310 s",
            "  backend: capacity back to min 2                  35 s (lowest 1)      predicted 310 s",
            "  ALB 5xx during the experiment                    9 ELB + 1 target (peak 8/min)",
            "",
            "Experiment ended as: completed",
            "",
        ];
        assert.deepEqual(r.out.split("\n"), expected);
        const [metrics] = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
        assert.deepEqual([metrics.StartTime, metrics.EndTime], [new Date(T0 - 60_000), new Date(T0 + 100_000)]);
        assert.deepEqual(metrics.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.Dimensions), [
            [{ Name: "LoadBalancer", Value: "app/web-alb/0123456789abcdef" }],
            [{ Name: "LoadBalancer", Value: "app/web-alb/0123456789abcdef" }],
        ]);
    });

    it("db-failover: measures the database's unavailable window and the writer's move", async () => {
        play(DB_FAILOVER);
        const r = await gameday(["--stack", "dev", "--experiment", "db-failover", "--outputs", file("db.json", OUTPUTS), "--predictions", PREDICTIONS, "--poll", "10"]);
        assert.equal(r.code, 0, r.err);
        const measured = r.out.split("\n").filter((l) => l.startsWith("  database") || l.includes("capacity back"));
        assert.deepEqual(measured, [
            "  frontend: capacity back to min 2                 never below (lowest 2)",
            "  backend: capacity back to min 2                  never below (lowest 2)",
            "  database: unavailable (status not available)     70 s                 predicted 60–120 s",
            "  database: writer AZ                              us-east-1a → us-east-1b",
        ]);
        assert.ok(r.out.includes("  +00:10  database available → rebooting\n  +01:20  database rebooting → available\n  +01:20  database writer us-east-1a → us-east-1b"), r.out);
    });

    it("cpu: measures when the backend scaled out", async () => {
        play(CPU);
        const r = await gameday(["--stack", "dev", "--experiment", "cpu", "--outputs", file("cpu.json", OUTPUTS), "--predictions", PREDICTIONS, "--poll", "20"]);
        assert.equal(r.code, 0, r.err);
        assert.ok(r.out.includes("  +03:00  backend ASG desired capacity 2 → 3\n  +03:20  backend target i-bc (us-east-1a): new → initial\n"), r.out);
        assert.deepEqual(r.out.split("\n").filter((l) => l.includes("scale-out")), ["  backend: scale-out serving                       260 s                predicted 300 s"]);
        assert.ok(!r.out.includes("dead targets out of rotation"), "not an AZ experiment");
    });

    it("refuses a prod stack without --i-know-this-is-prod, before starting anything", async () => {
        play(AZ_POWER);
        const prod = file("prod.json", { ...OUTPUTS, environment: "prod" });
        const r = await gameday(["--stack", "prod", "--experiment", "az-power", "--outputs", prod]);
        assert.equal(r.code, 2);
        assert.match(r.err, /^gameday refused: refusing to run against a prod stack \(its environment output is prod\)/);
        assert.equal(fis.commandCalls(StartExperimentCommand).length, 0);
        assert.equal(elb.commandCalls(DescribeTargetHealthCommand).length, 0);

        const allowed = await gameday(["--stack", "prod", "--experiment", "az-power", "--outputs", prod, "--i-know-this-is-prod", "--predictions", PREDICTIONS]);
        assert.equal(allowed.code, 0, allowed.err);
        assert.equal(fis.commandCalls(StartExperimentCommand).length, 1);
    });

    it("stops the experiment when interrupted, and reports what it saw", async () => {
        play(AZ_POWER);
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", file("int.json", OUTPUTS), "--predictions", PREDICTIONS], { abortOnSleep: 3 });
        assert.equal(r.code, 130);
        assert.deepEqual(fis.commandCalls(StopExperimentCommand).map((c) => c.args[0].input), [{ id: "EXPGAMEDAY000001" }]);
        assert.match(r.err, /interrupted: stopping experiment EXPGAMEDAY000001/);
        assert.ok(r.out.includes("  frontend: dead targets out of rotation           10 s"), r.out);
        assert.ok(r.out.endsWith("Experiment ended as: stopping (interrupted by Ctrl-C)\n"), r.out);
    });

    it("finds the target AZ itself (the stack exports none): the AZ of the first target that fell", async () => {
        play(AZ_POWER);
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", file("noaz.json", OUTPUTS), "--predictions", PREDICTIONS]);
        assert.equal(r.code, 0, r.err);
        assert.ok(r.out.startsWith("Game day: az-power on stack dev — experiment EXPGAMEDAY000001 (template EXTAZPOWER000001), AZ us-east-1a\n"), r.out);
        assert.deepEqual(r.out.split("\n").filter((l) => l.includes("out of rotation")), [
            "  frontend: dead targets out of rotation           10 s                 predicted 30 s",
            "  backend: dead targets out of rotation            15 s                 predicted 10 s",
        ]);
    });

    it("stops the experiment when it can no longer watch the stack", async () => {
        play(AZ_POWER);
        elb.on(DescribeTargetHealthCommand).callsFake(() => {
            if (secondsIn() >= 10) throw new Error("Rate exceeded");
            return { TargetHealthDescriptions: [] };
        });
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", file("throttled.json", OUTPUTS), "--predictions", PREDICTIONS]);
        assert.equal(r.code, 1);
        assert.match(r.err, /poll failed \(1\/3\): Rate exceeded\npoll failed \(2\/3\): Rate exceeded\npoll failed \(3\/3\): Rate exceeded\n3 polls in a row failed, so the stack is not being watched: stopping experiment EXPGAMEDAY000001\n/);
        assert.deepEqual(fis.commandCalls(StopExperimentCommand).map((c) => c.args[0].input), [{ id: "EXPGAMEDAY000001" }]);
    });

    it("says how to stop the experiment by hand when StopExperiment fails", async () => {
        play(AZ_POWER);
        fis.on(StopExperimentCommand).callsFake(() => {
            throw new Error("ExpiredToken");
        });
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", file("expired.json", OUTPUTS)], { abortOnSleep: 1 });
        assert.equal(r.code, 130);
        assert.match(r.err, /could not stop experiment EXPGAMEDAY000001 \(ExpiredToken\); stop it yourself: aws fis stop-experiment --id EXPGAMEDAY000001/);
        assert.match(r.out, /Experiment ended as: still running \(StopExperiment failed\) \(interrupted by Ctrl-C\)\n$/);
    });

    it("refuses an experiment the stack has no template for, and bad usage", async () => {
        const templates: Record<string, string> = { ...OUTPUTS.experimentTemplateIds };
        delete templates.dbFailover;
        const single = file("single.json", { ...OUTPUTS, dbMode: "single-az", experimentTemplateIds: templates });
        const r = await gameday(["--stack", "dev", "--experiment", "db-failover", "--outputs", single]);
        assert.equal(r.code, 2);
        assert.match(r.err, /the stack has no db-failover template \(experimentTemplateIds has: az-power, az-network, cpu\)/);
        const bad = await gameday(["--stack", "dev", "--experiment", "reboot"]);
        assert.equal(bad.code, 2);
        assert.match(bad.err, /^--experiment must be one of az-power, az-network, db-failover, cpu, not reboot/);
        assert.equal(fis.commandCalls(StartExperimentCommand).length, 0);
    });

    it("names every missing output", () => {
        assert.throws(
            () => parseStackOutputs({ environment: "dev", region: "us-east-1", experimentTemplateIds: {} }),
            (e: Error) => ["services", "albArnSuffix"].every((k) => e.message.includes(`  - ${k}: must be`)),
        );
    });

    it("watches every service of the stack's services output: a third one is sampled, in the timeline and measured", async () => {
        play({
            ...AZ_POWER,
            admin: (t) =>
                t < 10 ? [["i-aa", "us-east-1a", "healthy"], ["i-ab", "us-east-1b", "healthy"]]
                : t < 30 ? [["i-ab", "us-east-1b", "healthy"]]
                : [["i-ab", "us-east-1b", "healthy"], ["i-ac", "us-east-1b", "healthy"]],
        });
        const outputs = file("admin.json", { ...OUTPUTS, services: { ...OUTPUTS.services, admin: service("admin", ADMIN_TG) } });
        const r = await gameday(["--stack", "dev", "--experiment", "az-power", "--outputs", outputs]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /baseline: experiment not started; frontend 2 healthy \(min 2\), backend 2 healthy \(min 2\), admin 2 healthy \(min 2\)/);
        assert.match(r.out, /admin target i-aa \(us-east-1a\): healthy → gone/);
        assert.match(r.out, /admin: dead targets out of rotation\s+10 s/);
        assert.match(r.out, /admin: capacity back to min 2\s+30 s \(lowest 1\)/);
        const asgCalls = autoscaling.commandCalls(DescribeAutoScalingGroupsCommand);
        assert.deepEqual(asgCalls[0].args[0].input.AutoScalingGroupNames, ["web-frontend-asg", "web-backend-asg", "web-admin-asg"]);
    });

    it("--help documents the command", async () => {
        const r = await gameday(["--help"]);
        assert.equal(r.code, 0);
        assert.equal(r.out, `${USAGE}\n`);
        assert.match(USAGE, /--i-know-this-is-prod/);
        assert.match(USAGE, /Ctrl-C stops the experiment \(FIS StopExperiment\)/);
    });
});
