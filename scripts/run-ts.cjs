#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this repository with plain node: only the repository's own `.ts`
 * files are transpiled (esbuild, per file, no type checking — `npm run typecheck` does that), so the
 * Pulumi SDKs in node_modules load at native speed. `npm run plan` and `npm run gameday` use it.
 *   node scripts/run-ts.cjs <file.ts> [args...]
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { transformSync } = require("esbuild");

const root = path.resolve(__dirname, "..");
const nodeModules = path.join(root, "node_modules") + path.sep;

require.extensions[".ts"] = function compileTs(module, filename) {
    if (filename.startsWith(nodeModules)) throw new Error(`run-ts: refusing to transpile ${filename}`);
    const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node20",
        sourcefile: filename,
        sourcemap: "inline",
    });
    module._compile(code, filename);
};
process.setSourceMapsEnabled(true);

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
    console.error("usage: node scripts/run-ts.cjs <file.ts> [args...]");
    process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
