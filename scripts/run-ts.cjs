#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this repository with plain node: only the repository's own `.ts`
 * files are transpiled (esbuild, per file, no type checking — `npm run typecheck` does that), so the
 * Pulumi SDKs in node_modules load at native speed. Transpiled files are cached by content hash in
 * node_modules/.cache/ecomm-run-ts. `npm run plan`, `npm run gameday` and the docs scripts use it.
 *   node scripts/run-ts.cjs <file.ts> [args...]
 * ECOMM_SOURCE_MAPS=1 maps stack traces back to the .ts lines; it is off by default because Pulumi
 * captures a stack trace for every promise it creates, and mapping them doubles the time of a plan.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
// Node >= 22.1 keeps V8's compiled code of every module on disk (loading @pulumi/pulumi is ~40 % compilation,
// TypeScript's compiler included); Node 20 has no such cache and skips this.
require("node:module").enableCompileCache?.(path.join(root, "node_modules", ".cache", "ecomm-node-compile"));
const nodeModules = path.join(root, "node_modules") + path.sep;
const cacheDir = path.join(root, "node_modules", ".cache", "ecomm-run-ts");
const sourceMaps = process.env.ECOMM_SOURCE_MAPS === "1";
let esbuild;

function transpile(filename, source) {
    esbuild ??= require("esbuild");
    const key = crypto.createHash("sha256").update(`${esbuild.version}\0${sourceMaps}\0cjs-import\0${filename}\0${source}`).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    // `supported: { "dynamic-import": false }`: an `await import("./x")` becomes a require of ./x. Left as a
    // native import() it goes through Node's ESM resolver, which neither finds an extensionless "./x" nor
    // runs this hook, so `npm run gameday` could not load the offline engine for its predictions.
    const { code } = esbuild.transformSync(source, {
        loader: "ts",
        format: "cjs",
        target: "node20",
        supported: { "dynamic-import": false },
        sourcefile: filename,
        sourcemap: sourceMaps ? "inline" : false,
    });
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        fs.writeFileSync(`${cached}.${process.pid}`, code);
        fs.renameSync(`${cached}.${process.pid}`, cached);
    } catch {
        // a read-only tree just runs uncached
    }
    return code;
}

require.extensions[".ts"] = function compileTs(module, filename) {
    if (filename.startsWith(nodeModules)) throw new Error(`run-ts: refusing to transpile ${filename}`);
    module._compile(transpile(filename, fs.readFileSync(filename, "utf8")), filename);
};
if (sourceMaps) process.setSourceMapsEnabled(true);

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
    console.error("usage: node scripts/run-ts.cjs <file.ts> [args...]");
    process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
