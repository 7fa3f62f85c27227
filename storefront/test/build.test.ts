/**
 * The artifacts the program ships: deterministic bytes and hash, a different hash for a different source
 * (per service), real tar.gz files that `tar` lists and extracts, and a bundled backend that serves a real
 * database with plain `node` (no tsx, no node_modules). `npm run app:build` as typed is the second build of the determinism test.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { artifactKey, buildBackend, buildFrontend, buildStorefront, contentMtime, STOREFRONT_DIR, type StorefrontBuild } from "../build";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../local/embedded-postgres";
import { http, postOrder, spawnProcess } from "./harness";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-build-"));
let build: StorefrontBuild;

before(async () => {
    build = await buildStorefront();
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function extract(bytes: Buffer, name: string): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    const file = path.join(tmp, `${name}.tar.gz`);
    fs.writeFileSync(file, bytes);
    execFileSync("tar", ["-xzf", file, "-C", dir]);
    return dir;
}

describe("artifacts", () => {
    test("the same sources give byte-identical artifacts and hashes (npm run app:build in another process vs this one)", async () => {
        const out = path.join(tmp, "dist");
        const proc = spawnProcess("npm", ["run", "-s", "app:build", "--", "--out", out], {});
        const bad = spawnProcess("npm", ["run", "-s", "app:build", "--", "--outdir", out], {});
        const exit = await proc.exited;
        assert.equal(exit.code, 0, proc.output());
        const summary = JSON.parse(proc.output());
        for (const s of ["frontend", "backend"] as const) {
            assert.equal(summary[s].sha256, build[s].sha256, `${s}: the script's build hashes as this process's`);
            assert.equal(summary[s].file, path.join(out, `${s}-${build[s].sha256}.tar.gz`));
            assert.ok(fs.readFileSync(summary[s].file).equals(build[s].bytes), `${s}: byte-identical`);
            assert.equal(build[s].sha256, sha256(build[s].bytes));
            assert.equal(build[s].key, `storefront/${s}/${build[s].sha256}.tar.gz`);
            assert.equal(summary[s].key, build[s].key);
            assert.equal(artifactKey(s, build[s].sha256), build[s].key);
        }
        // gzip header: no timestamp, OS = Unix.
        assert.deepEqual([...build.backend.bytes.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
        assert.equal((await bad.exited).code, 1);
        assert.match(bad.output(), /unknown argument "--outdir"; expected --out DIR/);
    });

    test("a changed frontend file changes the frontend hash", async () => {
        const dir = path.join(tmp, "frontend-copy");
        fs.cpSync(path.join(STOREFRONT_DIR, "frontend"), dir, { recursive: true });
        assert.equal(buildFrontend(dir).sha256, build.frontend.sha256, "a copy elsewhere hashes the same");
        fs.appendFileSync(path.join(dir, "style.css"), "/* changed */\n");
        // (The backend artifact does not read the frontend directory, so its hash cannot move.)
        assert.notEqual(buildFrontend(dir).sha256, build.frontend.sha256);
    });

    test("a changed backend source changes the backend hash", async () => {
        const entry = path.join(tmp, "server-variant.ts");
        fs.writeFileSync(entry, `import { runMain } from ${JSON.stringify(path.join(STOREFRONT_DIR, "backend", "main"))};\nconsole.log("variant");\nvoid runMain();\n`);
        assert.notEqual((await buildBackend(entry)).sha256, build.backend.sha256);
    });

    test("a process asking again gets its backend bundle back until a file it was made from changes", async () => {
        const frontendDir = path.join(tmp, "frontend-again");
        fs.cpSync(path.join(STOREFRONT_DIR, "frontend"), frontendDir, { recursive: true });
        const backendEntry = path.join(tmp, "server-again.ts");
        const main = JSON.stringify(path.join(STOREFRONT_DIR, "backend", "main"));
        fs.writeFileSync(backendEntry, `import { runMain } from ${main};\nvoid runMain();\n`);
        const first = await buildStorefront({ frontendDir, backendEntry });
        assert.equal(first.frontend.sha256, build.frontend.sha256, "a copy of the frontend builds the same");
        const again = await buildStorefront({ frontendDir, backendEntry });
        assert.equal(again.backend, first.backend, "unchanged sources: the same bundle, not a new one");
        fs.appendFileSync(path.join(frontendDir, "style.css"), "/* changed */\n");
        const styled = await buildStorefront({ frontendDir, backendEntry });
        assert.notEqual(styled.frontend.sha256, first.frontend.sha256, "the frontend is packed afresh");
        assert.equal(styled.backend, first.backend);
        fs.writeFileSync(backendEntry, `import { runMain } from ${main};\nconsole.log("again");\nvoid runMain();\n`);
        const changed = await buildStorefront({ frontendDir, backendEntry });
        assert.notEqual(changed.backend.sha256, first.backend.sha256, "a changed backend source is bundled again");
        assert.equal(changed.backend.sha256, (await buildBackend(backendEntry)).sha256, "and equals a fresh bundle");
    });

    test("tar lists the files with the manifest's hashes, root-owned, mtimes from content", () => {
        const listing = execFileSync("tar", ["-tvzf", "-", "--numeric-owner"], { input: build.frontend.bytes, encoding: "utf8" });
        assert.match(listing, /-rw-r--r-- 0\/0 +\d+ \S+ \S+ index\.html/);
        const dir = extract(build.frontend.bytes, "frontend");
        assert.deepEqual(fs.readdirSync(dir).sort(), ["app.js", "cart.html", "index.html", "manifest.json", "order.html", "product.html", "style.css"]);
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
        assert.deepEqual(manifest, JSON.parse(JSON.stringify(build.frontend.manifest)));
        for (const f of manifest.files) {
            const data = fs.readFileSync(path.join(dir, f.path));
            assert.equal(sha256(data), f.sha256, f.path);
            assert.equal(Math.floor(fs.statSync(path.join(dir, f.path)).mtimeMs / 1000), contentMtime(data), f.path);
        }
        assert.deepEqual(
            build.backend.manifest.files.map((f) => f.path),
            ["server.js"],
        );
        assert.equal(build.backend.manifest.entry, "server.js");
        for (const dep of ["fastify", "pg", "@aws-sdk/client-secrets-manager", "zod"]) assert.ok(build.backend.manifest.bundled?.[dep], `${dep} is bundled`);
    });
});

describe("the bundled backend with plain node", () => {
    let pg: EmbeddedPostgres;
    before(async () => {
        pg = await startEmbeddedPostgres();
    });
    after(async () => {
        await pg?.destroy();
    });

    test("serves a real database without node_modules, and drains on SIGTERM", async () => {
        const dir = extract(build.backend.bytes, "backend");
        const js = fs.readFileSync(path.join(dir, "server.js"), "utf8");
        assert.ok(!js.includes(path.resolve(STOREFRONT_DIR, "..")), "no absolute paths of this checkout in the bundle");
        // Run from the extracted directory with NODE_PATH empty: only the bundle's own code.
        const proc = spawnProcess(process.execPath, [path.join(dir, "server.js")], { PORT: "0", HOST: "127.0.0.1", DATABASE_URL: pg.url, LOG_LEVEL: "warn", NODE_PATH: "", NODE_OPTIONS: "" });
        try {
            const [, url] = await proc.waitFor(/storefront backend listening on (http:\/\/[^"\s]+)/);
            assert.equal((await http(`${url}/api/ready`)).status, 200);
            assert.equal((await http(`${url}/api/products`)).body.length, 6);
            const order = await postOrder(url, randomUUID(), [{ productId: "milk-jug", quantity: 2 }]);
            assert.equal(order.status, 201);
            assert.equal(order.body.total, "45.00");
            proc.child.kill("SIGTERM");
            assert.equal((await proc.exited).code, 0, proc.output());
        } finally {
            if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
        }
    });
});
