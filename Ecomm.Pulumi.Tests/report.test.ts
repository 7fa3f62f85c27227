import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { patched, run, type StackRun } from "./harness";
import { buildScorecard } from "../tools/report/scorecard";
import { estimateCost, loadPriceTable, renderCost, unpricedRegion, USAGE_KEYS, type PriceTable } from "../tools/report/cost";
import { nodeId, renderDiagram } from "../tools/report/diagram";
import { buildReport, planJson } from "../tools/plan/plan";
import { PROJECT_ROOT } from "../tools/offline/run";

const table = loadPriceTable("us-east-1")!;

describe("scorecard of the real stacks", () => {
    let prod: StackRun;
    let dev: StackRun;
    before(async () => {
        prod = await run("prod");
        dev = await run("dev");
    });

    it("prod: a dead instance is out of rotation in 10 s and drained in 30 s, per target group", () => {
        const s = buildScorecard(prod.resources, "prod");
        assert.deepEqual(s.rotation.map((f) => [f.label, f.value]), [["frontend: dead instance out of rotation", 10], ["backend: dead instance out of rotation", 10]]);
        assert.deepEqual(s.drain.map((f) => f.value), [30, 30]);
        assert.equal(s.rotation[0].formula, "interval 5 s × unhealthy threshold 2 = 10 s");
        assert.deepEqual(s.rotation[0].from, ["web-frontend-tg.healthCheck.interval", "web-frontend-tg.healthCheck.unhealthyThreshold"]);
    });

    it("prod: replacement, scale-out, AZ loss and database failover", () => {
        const s = buildScorecard(prod.resources, "prod");
        // detection 10 + launch 40 + cold boot 160 (web/cold-boot.ts) + grace 180
        assert.deepEqual(s.replacement.map((f) => f.value), [390, 390]);
        // every policy: 3 datapoints x 60 s + 120 s warmup; 3 policies per service
        assert.deepEqual(s.scaleOut.map((f) => f.value), [300, 300, 300, 300, 300, 300]);
        assert.deepEqual(s.azLoss.map((f) => [f.value, f.minSize, f.staticallyStable, f.minForStaticStability]), [[2, 3, false, 5], [2, 3, false, 5]]);
        assert.deepEqual(s.database, { mode: "multi-az-instance", rtoSeconds: [60, 120], rpoSeconds: 0, source: s.database.source });
        assert.match(s.database.source, /60–120 seconds/);
        assert.deepEqual(s.warnings, []);
    });

    it("prod: modeled availability >= 99.9 % and >= 90 % less downtime than single-AZ", () => {
        const a = buildScorecard(prod.resources, "prod").availability;
        assert.deepEqual(a.components.map((c) => c.percent), [99.99, 99.99, 99.95]);
        assert.equal(a.percent, 99.93);
        assert.ok(a.percent >= 99.9);
        assert.equal(a.downtimeMinutesPerMonth, 30.2);
        assert.equal(a.baselineDowntimeMinutesPerMonth, 435.2);
        assert.equal(a.downtimeReductionPercent, 93.1);
        assert.ok(a.downtimeReductionPercent >= 90);
    });

    it("dev: slower detection and the warnings a dev shape deserves", () => {
        const s = buildScorecard(dev.resources, "dev");
        assert.deepEqual(s.rotation.map((f) => f.value), [30, 30]);
        assert.equal(s.database.mode, "single-az");
        assert.ok(s.warnings.some((w) => w.startsWith("NAT gateway in one AZ only")), s.warnings.join("\n"));
        assert.ok(s.warnings.some((w) => w.startsWith("database has no standby")));
        assert.ok(!s.warnings.some((w) => w.includes("in prod")));
        // One instance per service is a single instance for the EC2 SLA, whatever subnets it may use.
        assert.deepEqual(s.availability.components.map((c) => c.percent), [99.99, 99.5, 99.5]);
        assert.equal(s.availability.percent, s.availability.baselinePercent);
        assert.equal(s.availability.downtimeReductionPercent, 0);
    });

    it("warnings fire for deliberately weakened prod configs", async () => {
        const weak = await run("prod", {
            ...patched("prod", "ecomm:network", { natGateways: "single" }),
            ...patched("prod", "ecomm:frontend", { healthCheck: { intervalSeconds: 30, timeoutSeconds: 5, unhealthyThreshold: 3 }, deregistrationDelaySeconds: 300 }),
        });
        const s = buildScorecard(weak.resources, "prod");
        assert.ok(s.warnings.includes("frontend: health checks take 90 s to take a dead instance out of rotation (over 30 s)"), s.warnings.join("\n"));
        assert.ok(s.warnings.includes("frontend: a 300 s deregistration delay slows every deployment and scale-in"));
        assert.ok(s.warnings.some((w) => w.startsWith("NAT gateway in one AZ only")));
        // the dev shape judged as prod: min 1 per service
        assert.ok(buildScorecard(dev.resources, "prod").warnings.includes("frontend: minSize 1 in prod — one instance failure takes the service down"));
    });

    it("cost: dev's total recomputed by hand from the price table", () => {
        const c = estimateCost(dev.resources, table);
        const h = 730;
        const u = table.unit as Record<string, number>;
        const ec2 = 2 * 1 * 0.0168 * h; // frontend + backend, 1 x t4g.small each at min
        const ebs = 2 * 1 * 20 * u.ebsGp3PerGbMonth;
        const alb = h * u.albPerHour + h * 2 * u.albLcuPerHour + 2 * h * u.publicIpv4PerHour; // 2 LCU, 2 AZ nodes
        const nat = 1 * (h * u.natGatewayPerHour + 50 * u.natGatewayPerGb) + 1 * h * u.publicIpv4PerHour;
        const rds = 0.016 * h + 20 * u.rdsGp3PerGbMonth + u.secretPerMonth; // single-AZ db.t4g.micro, 20 GiB, managed secret
        const kms = 2 * u.kmsKeyPerMonth; // database key + alert-topic key
        const alarms = 18 * u.alarmStandardPerMonth + u.compositeAlarmPerMonth + u.dashboardPerMonth;
        const flow = 5 * (u.logsIngestPerGb + u.logsStoragePerGbMonth);
        const appLogs = 2 * 2 * (u.logsIngestPerGb + u.logsStoragePerGbMonth); // 2 services x 2 GB
        const expected = ec2 + ebs + alb + nat + rds + kms + alarms + flow + appLogs;
        assert.ok(Math.abs(c.totalAtMin! - expected) < 0.05, `${c.totalAtMin} vs hand-computed ${expected.toFixed(2)}`);
        assert.deepEqual(c.pricedSubtotal, { atMin: c.totalAtMin, atMax: c.totalAtMax });
        assert.deepEqual(c.unpriced, []);
        assert.equal(c.lines.find((l) => l.item === "EC2 frontend")?.monthlyAtMax, Math.round(2 * 0.0168 * h * 100) / 100);
    });

    it("cost: prod runs a Multi-AZ database (instance and storage doubled) and a NAT per AZ", () => {
        const c = estimateCost(prod.resources, table);
        const rds = c.lines.find((l) => l.item === "RDS instance")!;
        assert.equal(rds.monthly, Math.round(2 * 0.168 * 730 * 100) / 100);
        assert.equal(c.lines.find((l) => l.item === "NAT gateways")?.detail, "3 × (730 h + 50 GB)");
        assert.ok(c.totalAtMin! > 500 && c.totalAtMax! > c.totalAtMin!, `${c.totalAtMin} / ${c.totalAtMax}`);
    });

    it("cost: usage assumptions are overridable", () => {
        const base = estimateCost(dev.resources, table);
        const more = estimateCost(dev.resources, table, { natGbPerMonthPerGateway: 1050 });
        assert.ok(Math.abs(more.totalAtMin! - base.totalAtMin! - 1000 * (table.unit.natGatewayPerGb as number)) < 0.02);
    });

    it("cost: an instance type or region with no price is reported, never counted as zero", async () => {
        const odd = await run("dev", patched("dev", "ecomm:frontend", { instanceType: "t4g.nano" }));
        const c = estimateCost(odd.resources, table);
        assert.deepEqual(c.unpriced, ["EC2 t4g.nano"]);
        const line = c.lines.find((l) => l.item === "EC2 frontend")!;
        assert.equal(line.monthly, null);
        assert.match(line.detail, /no price for EC2 t4g.nano in us-east-1/);
        // A partial sum is not a total: none in the JSON, no dollar figure on the text's total line.
        assert.deepEqual([c.totalAtMin, c.totalAtMax], [null, null]);
        assert.ok(c.pricedSubtotal.atMin < estimateCost(dev.resources, table).totalAtMin!);
        const total = renderCost(c).split("\n").find((l) => l.trimStart().startsWith("total"))!;
        assert.doesNotMatch(total, /\$/);
        assert.match(total, /^ {2}total +unknown +unknown {2}INCOMPLETE: no price for EC2 t4g\.nano, so no total$/);
        const none: PriceTable | undefined = loadPriceTable("ap-south-2");
        assert.equal(none, undefined);
        const region = unpricedRegion("ap-south-2");
        assert.deepEqual([region.unpriced, region.totalAtMin, region.totalAtMax], [["region ap-south-2"], null, null]);
        assert.doesNotMatch(renderCost(region), /\$/);
    });

    it("cost: the --usage keys are the price table's usage keys", () => {
        assert.deepEqual(Object.keys(USAGE_KEYS).sort(), Object.keys(table.usage).filter((k) => k !== "note").sort());
    });

    it("plan --json keeps a stable shape", () => {
        const doc = planJson(buildReport(prod));
        assert.deepEqual(Object.keys(doc), ["version", "stack", "resourceCount", "countsByType", "resources", "outputs", "scorecard", "cost", "standIns"]);
        assert.deepEqual(Object.keys(doc.standIns[0]), ["key", "value", "why", "fix"]);
        assert.equal(doc.version, 2);
        assert.deepEqual(Object.keys(doc.scorecard), ["rotation", "drain", "replacement", "scaleOut", "rollback", "grace", "azLoss", "database", "availability", "warnings"]);
        assert.deepEqual(Object.keys(doc.cost), ["region", "currency", "asOf", "lines", "totalAtMin", "totalAtMax", "pricedSubtotal", "unpriced", "usage"]);
        assert.deepEqual(Object.keys(doc.scorecard.rotation[0]), ["label", "value", "unit", "formula", "from"]);
        assert.deepEqual(Object.keys(doc.cost.lines[0]), ["item", "detail", "monthly", "monthlyAtMax", "source"]);
    });

    it("the diagram's nodes are the recorded load balancer, listeners, target groups, ASGs and database", () => {
        const azs = prod.outputs.availabilityZones as string[];
        const text = renderDiagram(prod.resources, azs);
        const kinds = ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener", "aws:lb/targetGroup:TargetGroup", "aws:autoscaling/group:Group", "aws:rds/instance:Instance", "aws:sns/topic:Topic"];
        for (const r of prod.resources.filter((x) => kinds.includes(x.type))) assert.ok(text.includes(nodeId(r)), `${r.name} missing from the diagram`);
        for (const asg of prod.resources.filter((x) => x.type === "aws:autoscaling/group:Group")) {
            for (const az of azs) assert.ok(text.includes(`${nodeId(asg)}_${az.replace(/-/g, "_")}`), `${asg.name} in ${az}`);
        }
        assert.match(text, /-->\|"\/api\/\*"\| web_backend_tg/);
        assert.match(text, /synchronous standby/);
        assert.ok(!text.includes("undefined"));
    });

    it("README embeds the current prod diagram", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const expected = renderDiagram(prod.resources, prod.outputs.availabilityZones as string[]);
        const m = /<!-- diagram:start -->\n```mermaid\n([\s\S]*?)\n```\n<!-- diagram:end -->/.exec(readme);
        assert.ok(m, "README has no diagram block between <!-- diagram:start --> and <!-- diagram:end -->");
        assert.equal(m[1], expected, "README's diagram is stale: run `npm run docs:diagram`");
    });
});
