import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { patched, run, OWN_APP, type StackRun } from "./harness";
import { PROJECT_ROOT } from "../tools/offline/run";

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const RUNBOOK = path.join(PROJECT_ROOT, "docs", "RUNBOOK.md");

/** The alarm names in the runbook's `###` headings (every backticked name on the heading line). */
function runbookAlarms(text: string): string[] {
    return text
        .split("\n")
        .filter((line) => line.startsWith("### `"))
        .flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

/**
 * A recorded alarm's name as the runbook writes it: the stack as `<stack>`, numbered DB instances as
 * `db<N>`, and alarms Pulumi names (no explicit name) as their logical name plus `-*`.
 */
function documentedName(r: StackRun, type: string, name: string, inputs: Record<string, unknown>): string {
    const explicit = type === COMPOSITE_ALARM ? inputs.alarmName : inputs.name;
    if (typeof explicit !== "string") return `${name}-*`;
    return explicit.replace(`ecomm-${r.stack}-`, "ecomm-<stack>-").replace(/-db\d+-/, "-db<N>-");
}

describe("docs/RUNBOOK.md", () => {
    const runs: [string, string, Record<string, unknown>][] = [
        ["dev", "dev", {}],
        ["prod", "prod", {}],
        ["prod aurora", "prod", patched("prod", "ecomm:database", { mode: "aurora", engineVersion: "16", instanceClass: "db.r7g.large" })],
        [
            "prod multi-az-cluster",
            "prod",
            { ...patched("prod", "ecomm:database", { mode: "multi-az-cluster", engine: "mysql", engineVersion: "8.0", instanceClass: "db.m6gd.large", allocatedStorageGb: 400 }), ...OWN_APP },
        ],
    ];
    const recorded = new Map<string, string[]>();
    let documented: string[];
    before(async () => {
        documented = runbookAlarms(fs.readFileSync(RUNBOOK, "utf8"));
        for (const [label, stack, config] of runs) {
            const r = await run(stack, config);
            recorded.set(
                label,
                r.resources.filter((x) => x.type === METRIC_ALARM || x.type === COMPOSITE_ALARM).map((x) => documentedName(r, x.type, x.name, x.inputs)),
            );
        }
    });

    for (const [label] of runs) {
        it(`has a section for every alarm ${label} creates`, () => {
            const alarms = recorded.get(label) ?? [];
            assert.ok(alarms.length >= 18, String(alarms.length));
            const missing = alarms.filter((a) => !documented.includes(a));
            assert.deepEqual(missing, [], `alarms without a runbook section: ${missing.join(", ")}`);
        });
    }

    it("documents no alarm the program does not create (no stale sections), each once", () => {
        const all = new Set([...recorded.values()].flat());
        assert.deepEqual(documented.filter((d) => !all.has(d)), []);
        assert.equal(new Set(documented).size, documented.length);
    });

    it("covers the procedures the issue asks for, with the real commands", () => {
        const text = fs.readFileSync(RUNBOOK, "utf8");
        for (const needle of [
            "aws autoscaling rollback-instance-refresh",
            "aws rds reboot-db-instance --db-instance-identifier $DB --force-failover",
            "aws rds failover-db-cluster",
            "aws rds restore-db-instance-to-point-in-time",
            "aws ssm start-session",
            "aws secretsmanager rotate-secret",
            "/ecomm/<stack>/database/",
        ]) {
            assert.ok(text.includes(needle), needle);
        }
        assert.ok(!/\bssh\s+-i\b/.test(text), "no SSH instructions");
    });
});
