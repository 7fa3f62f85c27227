/**
 * Every user-facing npm script, spawned as a user types it (`npm run -s <script> -- ...`), with its output and
 * exit code checked. Scripts tested elsewhere the same way: ami:latest (ami-latest.test.ts), app, app:build,
 * bench:app (storefront/test/). `npm test` is this suite itself.
 *
 * One spawn per script (its real output and exit code); a script's other variants run its command in-process
 * (plan.test.ts, gameday.test.ts and here). The spawns are independent, so they all start in this file's
 * `before`, a few at a time, rather than one after another; each test then checks its own result.
 */
import { before, describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { predictionsFromScorecard } from "../tools/gameday/measure";
import { gamedayCommand } from "../tools/gameday/command";
import { planCommand } from "../tools/plan/command";
import type { PlanJson } from "../tools/plan/plan";

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-npm-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

export interface NpmResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** `npm <args>` in the repository, as typed in a shell; never throws on a non-zero exit. */
export async function npmRun(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<NpmResult> {
    try {
        const child = exec(npm, [...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...options.env }, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
        if (options.input !== undefined) child.child.stdin?.end(options.input);
        const { stdout, stderr } = await child;
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

/** No AWS credentials anywhere: no keys, no profile files, no instance metadata. */
const NO_AWS: NodeJS.ProcessEnv = {
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_PROFILE: "",
    AWS_CONFIG_FILE: path.join(tmp, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "none"),
    AWS_EC2_METADATA_DISABLED: "true",
};

/** Runs `jobs` (started lazily) at most `limit` at a time, in the order they were asked for. */
function pool(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async (job) => {
        if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
        running++;
        try {
            return await job();
        } finally {
            running--;
            waiting.shift()?.();
        }
    };
}

/** The docs and snapshot scripts with `--check`, and what each says when the committed copy is current. */
const CHECKS = [
    ["snapshot:update", /^Ecomm\.Pulumi\.Tests\/__snapshots__\/urns\.json is up to date$/],
    ["snapshot:outputs", /^Ecomm\.Pulumi\.Tests\/__snapshots__\/outputs\.json is up to date$/],
    ["docs:figures", /^README\.md figures are up to date$/],
    ["docs:diagram", /^README\.md diagram is up to date$/],
    ["docs:outputs", /^docs\/outputs\.md outputs table is up to date\.$/],
] as const;
const DOCS = ["README.md", "docs/outputs.md"];
const readDocs = () => DOCS.map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"));

/** Every spawn of this file, started together in `before` (heaviest first), three at a time. */
let spawned: {
    readonly docsBefore: string[];
    readonly planDev: Promise<NpmResult>;
    readonly gamedayDryRun: Promise<{ readonly run: NpmResult; readonly doc: PlanJson }>;
    readonly bench: Promise<NpmResult>;
    readonly benchBadRuns: Promise<NpmResult>;
    readonly checks: ReadonlyMap<string, Promise<NpmResult>>;
    readonly typecheck: Promise<NpmResult>;
    readonly lint: Promise<NpmResult>;
};
before(() => {
    const slot = pool(3);
    const docsBefore = readDocs();
    const bench = slot(() => npmRun(["run", "-s", "bench", "--", "--stack", "dev", "--runs", "1"]));
    const checks = new Map(CHECKS.map(([script]) => [script, slot(() => npmRun(["run", "-s", script, "--", "--check"]))]));
    const planDev = slot(() => npmRun(["run", "-s", "plan", "--", "--stack", "dev", "--json"]));
    const gamedayDryRun = planDev.then(async (dev) => {
        const doc = JSON.parse(dev.stdout) as PlanJson;
        const outputs = path.join(tmp, "dev-outputs.json");
        fs.writeFileSync(outputs, JSON.stringify({ ...doc.outputs, experimentTemplateIds: { azPower: "EXTAZPOWER000001" } }));
        const run = await slot(() => npmRun(["run", "-s", "gameday", "--", "--stack", "dev", "--experiment", "az-power", "--outputs", outputs, "--dry-run"], { env: NO_AWS }));
        return { run, doc };
    });
    const typecheck = slot(() => npmRun(["run", "-s", "typecheck", "--", "--showConfig"]));
    const lint = slot(() => npmRun(["run", "-s", "lint", "--", "--stdin", "--stdin-filename", "scripts/probe.cjs"], { input: '"use strict";\nconst unused = 1;\n' }));
    const benchBadRuns = slot(() => npmRun(["run", "-s", "bench", "--", "--runs", "lots"]));
    // A failed parse or spawn is reported by the test that awaits it, not as an unhandled rejection here.
    gamedayDryRun.catch(() => undefined);
    spawned = { docsBefore, planDev, gamedayDryRun, bench, benchBadRuns, checks, typecheck, lint };
});

/** A command's output captured in-process: exit code, stdout, stderr. */
async function captured(command: (io: { out: (t: string) => void; err: (t: string) => void }) => Promise<number>): Promise<NpmResult> {
    let stdout = "";
    let stderr = "";
    const code = await command({ out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
    return { code, stdout, stderr };
}

/** `npm run gameday -- <argv>` in-process, for usage paths that never reach a stack or AWS. */
const gamedayInProcess = (argv: string[]) =>
    captured((io) =>
        gamedayCommand(argv, {
            ...io,
            stackOutputs: () => Promise.reject(new Error("usage paths read no stack outputs")),
            scorecard: () => Promise.reject(new Error("usage paths need no scorecard")),
            probes: () => {
                throw new Error("usage paths call no AWS");
            },
            now: () => 0,
            sleep: () => Promise.resolve(),
            signal: new AbortController().signal,
        }),
    );

describe("npm run plan", () => {
    let dev: NpmResult;
    before(async () => {
        dev = await spawned.planDev;
    });

    it("-s plan -- --stack dev --json prints one JSON document on stdout and exits 0", () => {
        assert.equal(dev.code, 0, dev.stderr);
        // Larger than a pipe's buffer: the command must drain stdout before it exits, or the JSON is cut short.
        assert.ok(dev.stdout.length > 65_536, `${dev.stdout.length} bytes`);
        const doc = JSON.parse(dev.stdout) as PlanJson;
        assert.equal(doc.stack, "dev");
        assert.equal(doc.resources.length, doc.resourceCount);
    });

    it("--help prints the usage and exits 0 (in-process)", async () => {
        const r = await captured((io) => planCommand(["--help"], io));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^usage: npm run plan -- --stack <[a-z|]+> \[--json\]/);
    });

    describe("npm run gameday", () => {
        it("--dry-run shows the predictions of an offline run of the stack (the import works under run-ts), calls no AWS", async () => {
            const { run: r, doc } = await spawned.gamedayDryRun;
            assert.equal(r.code, 0, r.stderr);
            assert.doesNotMatch(r.stderr, /no predictions/);
            const p = predictionsFromScorecard(doc.scorecard, "plan");
            assert.deepEqual(r.stdout.trimEnd().split("\n"), [
                `Dry run: would start az-power (template EXTAZPOWER000001) on stack dev in us-east-1; nothing was started.`,
                "Predictions (scorecard of an offline run of Pulumi.dev.yaml)",
                `  dead targets out of rotation   frontend ${p.outOfRotationSeconds.frontend} s, backend ${p.outOfRotationSeconds.backend} s`,
                `  failed instance replaced       frontend ${p.replacementSeconds.frontend} s, backend ${p.replacementSeconds.backend} s`,
                `  scale-out reaction             frontend ${p.scaleOutSeconds.frontend} s, backend ${p.scaleOutSeconds.backend} s`,
                `  database failover              ${p.databaseRtoSeconds?.join("–")} s`,
            ]);
        });

        it("--help exits 0; a missing --experiment exits 2 with the usage (in-process)", async () => {
            const help = await gamedayInProcess(["--help"]);
            assert.equal(help.code, 0, help.stderr);
            assert.match(help.stdout, /^usage: npm run gameday -- --stack <name> --experiment <az-power\|az-network\|db-failover\|cpu>/);
            const bad = await gamedayInProcess(["--stack", "dev"]);
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /--experiment must be one of az-power, az-network, db-failover, cpu, not \(none\)/);
        });
    });
});

describe("npm run bench", () => {
    it("-- --stack dev --runs 1 prints the floor, the plan and their ratio", async () => {
        const r = await spawned.bench;
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 3, r.stdout);
        assert.match(lines[0], /^floor \(node importing @pulumi\/pulumi, aws, awsx\): median \d+ ms over 1 runs \[\d+\]$/);
        assert.match(lines[1], /^plan --stack dev: +median \d+ ms over 1 runs \[\d+\]$/);
        assert.match(lines[2], /^ratio plan\/floor: \d+\.\d\dx \(target <= 1\.50x\)$/);
    });

    it("refuses --runs lots (exit 2)", async () => {
        const r = await spawned.benchBadRuns;
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--runs must be a whole number of at least 1, not lots/);
    });
});

describe("the docs and snapshot scripts, in --check mode (nothing written)", () => {
    for (const [script, expected] of CHECKS) {
        it(`npm run -s ${script} -- --check says the committed copy is current and exits 0`, async () => {
            const r = await spawned.checks.get(script)!;
            assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
            assert.match(r.stdout.trim(), expected);
            // Every spawn of this file has finished by then: none of them wrote the docs.
            await Promise.allSettled([...spawned.checks.values()]);
            assert.deepEqual(readDocs(), spawned.docsBefore, "--check writes nothing");
        });
    }
});

describe("npm run typecheck and lint", () => {
    it("typecheck covers every TypeScript file in the repository", async () => {
        const r = await spawned.typecheck;
        assert.equal(r.code, 0, r.stderr);
        const config = JSON.parse(r.stdout) as { files: string[]; compilerOptions: { strict: boolean } };
        assert.equal(config.compilerOptions.strict, true);
        const checked = new Set(config.files.map((f) => path.normalize(f.replace(/^\.\//, ""))));
        const { stdout } = await exec("git", ["ls-files", "*.ts"], { cwd: ROOT });
        const missing = stdout.split("\n").filter((f) => f && !f.endsWith(".d.ts") && !checked.has(path.normalize(f)));
        assert.deepEqual(missing, [], "tsconfig.json's include misses these files");
    });

    it("lint refuses an unused variable (exit 1, the rule named)", async () => {
        const r = await spawned.lint;
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /'unused' is assigned a value but never used.*no-unused-vars/);
    });
});
