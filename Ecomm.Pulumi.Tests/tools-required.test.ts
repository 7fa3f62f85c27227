/**
 * A machine with only Node.js and npm: the shellcheck tests skip, naming the reason, when shellcheck is not on
 * PATH; with `ECOMM_REQUIRE_TOOLS=shellcheck` (what CI sets) the same test fails instead. Spawns a tiny node
 * test through the real harness with PATH stripped down to node alone.
 */
import { describe, it, after, before } from "node:test";
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
const PROJECT_ROOT = path.resolve(__dirname, "..");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-tools-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const bin = path.join(tmp, "bin");
fs.mkdirSync(bin);
fs.symlinkSync(process.execPath, path.join(bin, "node"));
const testFile = path.join(tmp, "needs-shellcheck.test.ts");
fs.writeFileSync(
    testFile,
    `import { it } from "node:test";\nimport { SHELLCHECK, shellcheck } from ${JSON.stringify(path.join(PROJECT_ROOT, "Ecomm.Pulumi.Tests", "harness"))};\n` +
        `it("lints a script", { skip: SHELLCHECK.skip }, () => shellcheck("#!/bin/bash\\necho ok\\n"));\n`,
);

/** Runs the tiny test file through the real harness with PATH holding node alone; resolves to its exit status and output. */
function runTiny(env: Record<string, string>): Promise<{ status: number | null; out: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", testFile], {
            cwd: PROJECT_ROOT,
            env: { PATH: bin, HOME: tmp, ...env },
            timeout: 60_000,
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, out }));
    });
}

describe("a test that needs shellcheck, with shellcheck absent from PATH", () => {
    // The two runs are independent: both start at once.
    let absent: Promise<{ status: number | null; out: string }>;
    let required: Promise<{ status: number | null; out: string }>;
    before(() => {
        absent = runTiny({});
        required = runTiny({ ECOMM_REQUIRE_TOOLS: "shellcheck,chromium" });
    });

    it("skips and says why (exit 0)", async () => {
        const { status, out } = await absent;
        assert.equal(status, 0, out);
        assert.match(out, /lints a script .*# shellcheck is not installed \(looked in PATH\); install it to run this test \(ECOMM_REQUIRE_TOOLS=shellcheck makes it mandatory\)/);
        assert.match(out, /skipped 1/);
    });

    it("fails, naming the tool, when ECOMM_REQUIRE_TOOLS requires it (as in CI)", async () => {
        const { status, out } = await required;
        assert.equal(status, 1, out);
        assert.match(out, /shellcheck is not installed \(looked in PATH\), and ECOMM_REQUIRE_TOOLS=shellcheck,chromium requires it/);
        assert.match(out, /fail 1/);
    });
});
