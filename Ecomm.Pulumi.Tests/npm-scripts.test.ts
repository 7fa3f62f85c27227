/**
 * Every user-facing npm script, spawned as a user types it (`npm run -s <script> -- ...`), with its output and
 * exit code checked. Scripts tested elsewhere the same way: ami:latest (ami-latest.test.ts), app, app:build,
 * bench:app (storefront/test/). `npm test` is this suite itself.
 */
import { before, describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { predictionsFromScorecard } from "../tools/gameday/measure";
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

describe("npm run plan", () => {
    let dev: NpmResult;
    before(async () => {
        dev = await npmRun(["run", "-s", "plan", "--", "--stack", "dev", "--json"]);
    });

    it("-s plan -- --stack dev --json prints one JSON document on stdout and exits 0", () => {
        assert.equal(dev.code, 0, dev.stderr);
        // Larger than a pipe's buffer: the command must drain stdout before it exits, or the JSON is cut short.
        assert.ok(dev.stdout.length > 65_536, `${dev.stdout.length} bytes`);
        const doc = JSON.parse(dev.stdout) as PlanJson;
        assert.equal(doc.stack, "dev");
        assert.equal(doc.resources.length, doc.resourceCount);
    });

    it("--help prints the usage and exits 0", async () => {
        const r = await npmRun(["run", "-s", "plan", "--", "--help"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^usage: npm run plan -- --stack <[a-z|]+> \[--json\]/);
    });

    describe("npm run gameday", () => {
        it("--dry-run shows the predictions of an offline run of the stack (the import works under run-ts), calls no AWS", async () => {
            const outputs = path.join(tmp, "dev-outputs.json");
            const doc = JSON.parse(dev.stdout) as PlanJson;
            fs.writeFileSync(outputs, JSON.stringify({ ...doc.outputs, experimentTemplateIds: { azPower: "EXTAZPOWER000001" } }));
            const r = await npmRun(["run", "-s", "gameday", "--", "--stack", "dev", "--experiment", "az-power", "--outputs", outputs, "--dry-run"], { env: NO_AWS });
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

        it("--help exits 0; a missing --experiment exits 2 with the usage", async () => {
            const help = await npmRun(["run", "-s", "gameday", "--", "--help"]);
            assert.equal(help.code, 0, help.stderr);
            assert.match(help.stdout, /^usage: npm run gameday -- --stack <name> --experiment <az-power\|az-network\|db-failover\|cpu>/);
            const bad = await npmRun(["run", "-s", "gameday", "--", "--stack", "dev"]);
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /--experiment must be one of az-power, az-network, db-failover, cpu, not \(none\)/);
        });
    });
});

describe("npm run bench", () => {
    it("-- --stack dev --runs 1 prints the floor, the plan and their ratio", async () => {
        const r = await npmRun(["run", "-s", "bench", "--", "--stack", "dev", "--runs", "1"]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 3, r.stdout);
        assert.match(lines[0], /^floor \(node importing @pulumi\/pulumi, aws, awsx\): median \d+ ms over 1 runs \[\d+\]$/);
        assert.match(lines[1], /^plan --stack dev: +median \d+ ms over 1 runs \[\d+\]$/);
        assert.match(lines[2], /^ratio plan\/floor: \d+\.\d\dx \(target <= 1\.50x\)$/);
    });

    it("refuses --runs lots (exit 2)", async () => {
        const r = await npmRun(["run", "-s", "bench", "--", "--runs", "lots"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--runs must be a whole number of at least 1, not lots/);
    });
});

describe("the docs and snapshot scripts, in --check mode (nothing written)", () => {
    for (const [script, expected] of [
        ["docs:diagram", /^README\.md diagram is up to date$/],
        ["docs:outputs", /^docs\/outputs\.md outputs table is up to date\.$/],
        ["docs:figures", /^README\.md figures are up to date$/],
        ["snapshot:outputs", /^Ecomm\.Pulumi\.Tests\/__snapshots__\/outputs\.json is up to date$/],
        ["snapshot:update", /^Ecomm\.Pulumi\.Tests\/__snapshots__\/urns\.json is up to date$/],
    ] as const) {
        it(`npm run -s ${script} -- --check says the committed copy is current and exits 0`, async () => {
            const docs = ["README.md", "docs/outputs.md"].map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"));
            const r = await npmRun(["run", "-s", script, "--", "--check"]);
            assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
            assert.match(r.stdout.trim(), expected);
            assert.deepEqual(["README.md", "docs/outputs.md"].map((f) => fs.readFileSync(path.join(ROOT, f), "utf8")), docs, "--check writes nothing");
        });
    }
});

describe("npm run typecheck and lint", () => {
    it("typecheck covers every TypeScript file in the repository", async () => {
        const r = await npmRun(["run", "-s", "typecheck", "--", "--showConfig"]);
        assert.equal(r.code, 0, r.stderr);
        const config = JSON.parse(r.stdout) as { files: string[]; compilerOptions: { strict: boolean } };
        assert.equal(config.compilerOptions.strict, true);
        const checked = new Set(config.files.map((f) => path.normalize(f.replace(/^\.\//, ""))));
        const { stdout } = await exec("git", ["ls-files", "*.ts"], { cwd: ROOT });
        const missing = stdout.split("\n").filter((f) => f && !f.endsWith(".d.ts") && !checked.has(path.normalize(f)));
        assert.deepEqual(missing, [], "tsconfig.json's include misses these files");
    });

    it("lint refuses an unused variable (exit 1, the rule named)", async () => {
        const r = await npmRun(["run", "-s", "lint", "--", "--stdin", "--stdin-filename", "scripts/probe.cjs"], { input: '"use strict";\nconst unused = 1;\n' });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /'unused' is assigned a value but never used.*no-unused-vars/);
    });
});
