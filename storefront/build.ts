/**
 * The storefront's artifacts, one per service, as the program ships them: the instances run these and build
 * nothing themselves.
 *
 *   backend:  server.js (the backend bundled by esbuild with its production dependencies: fastify, pg, the
 *             Secrets Manager client) + manifest.json. Run with `node server.js` (Node.js >= 20).
 *   frontend: the static files (index.html, product.html, cart.html, order.html, app.js, style.css) +
 *             manifest.json, for nginx's web root.
 *
 * Each is a .tar.gz that is byte-for-byte the same for the same sources (sorted entries, uid/gid 0, fixed
 * gzip header, no absolute paths in the bundle) and named by its sha256: `storefront/<service>/<sha256>.tar.gz`.
 * A file's mtime in the tar is derived from its own content (not a constant), so nginx's ETag and
 * Last-Modified change whenever a file changes. Same sources and the same esbuild and Node.js (zlib)
 * versions, as the lockfile pins for CI and Pulumi Deployments, give the same hash.
 *
 *   buildStorefront()      pure: reads the sources, returns the bytes; writes nothing
 *   npm run app:build -- [--out DIR]   (build-cli.ts) writes DIR/<service>-<sha256>.tar.gz (default storefront/dist) and prints JSON
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";

export const STOREFRONT_DIR = __dirname;
export const REPO_DIR = path.resolve(__dirname, "..");

export type StorefrontService = "frontend" | "backend";

export interface ManifestFile {
    readonly path: string;
    readonly sha256: string;
    readonly bytes: number;
}

export interface Manifest {
    readonly name: "ecomm-storefront";
    readonly service: StorefrontService;
    /** backend: the file systemd runs with `node`. */
    readonly entry?: string;
    /** backend: the Node.js versions the bundle targets. */
    readonly node?: string;
    /** backend: the npm packages bundled into server.js, with their versions. */
    readonly bundled?: Readonly<Record<string, string>>;
    readonly files: readonly ManifestFile[];
}

export interface Artifact {
    readonly service: StorefrontService;
    /** The .tar.gz. */
    readonly bytes: Buffer;
    /** sha256 of `bytes`, hex. */
    readonly sha256: string;
    /** The S3 object key the program uploads it under. */
    readonly key: string;
    readonly manifest: Manifest;
}

export interface StorefrontBuild {
    readonly frontend: Artifact;
    readonly backend: Artifact;
}

export interface BuildOptions {
    /** @default storefront/frontend */
    readonly frontendDir?: string;
    /** @default storefront/backend/server.ts */
    readonly backendEntry?: string;
}

export const BACKEND_NODE_TARGET = "node20";

/** The S3 key of an artifact: the content hash names it, so a new build never overwrites an old one. */
export function artifactKey(service: StorefrontService, sha256: string): string {
    return `storefront/${service}/${sha256}.tar.gz`;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** 2020-01-01T00:00:00Z plus up to ~194 days taken from the file's hash. */
const MTIME_BASE = 1_577_836_800;
export function contentMtime(data: Buffer): number {
    return MTIME_BASE + createHash("sha256").update(data).digest().readUIntBE(0, 3);
}

function octal(value: number, width: number): string {
    return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** A POSIX ustar archive of regular files, in the order given. */
export function tar(files: readonly { path: string; data: Buffer; mode?: number }[]): Buffer {
    const blocks: Buffer[] = [];
    for (const f of files) {
        if (Buffer.byteLength(f.path) > 100) throw new Error(`tar: path longer than 100 bytes: ${f.path}`);
        const h = Buffer.alloc(512);
        h.write(f.path, 0, "utf8");
        h.write(octal(f.mode ?? 0o644, 8), 100);
        h.write(octal(0, 8), 108); // uid
        h.write(octal(0, 8), 116); // gid
        h.write(octal(f.data.length, 12), 124);
        h.write(octal(contentMtime(f.data), 12), 136);
        h.write("        ", 148); // checksum placeholder
        h.write("0", 156); // regular file
        h.write("ustar\u000000", 257);
        h.write("root", 265);
        h.write("root", 297);
        let sum = 0;
        for (const b of h) sum += b;
        h.write(octal(sum, 7) + " ", 148);
        blocks.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
}

/** gzip with a fixed header: mtime 0 (zlib's default) and OS = 3 (Unix) whatever platform built it. */
export function gzipDeterministic(data: Buffer): Buffer {
    const out = gzipSync(data, { level: 9 });
    out.writeUInt32LE(0, 4);
    out[9] = 3;
    return out;
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
        .sort();
}

function pack(service: StorefrontService, files: { path: string; data: Buffer }[], extra: Omit<Manifest, "name" | "service" | "files">): Artifact {
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifest: Manifest = { name: "ecomm-storefront", service, ...extra, files: sorted.map((f) => ({ path: f.path, sha256: sha256(f.data), bytes: f.data.length })) };
    const bytes = gzipDeterministic(tar([...sorted, { path: "manifest.json", data: Buffer.from(JSON.stringify(manifest, null, 2) + "\n") }]));
    const hash = sha256(bytes);
    return { service, bytes, sha256: hash, key: artifactKey(service, hash), manifest };
}

/** The bundled packages and versions, from esbuild's metafile inputs (`node_modules/<pkg>/...`), and the package.json files read. */
function bundledPackages(inputs: readonly string[]): { readonly versions: Record<string, string>; readonly read: string[] } {
    const out: Record<string, string> = {};
    const read: string[] = [];
    for (const input of inputs) {
        const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (!m || out[m[1]]) continue;
        const dir = input.slice(0, m.index + m[0].length);
        const file = path.join(REPO_DIR, dir, "package.json");
        read.push(file);
        out[m[1]] = (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    }
    return { versions: Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1))), read };
}

/** Files that steer how esbuild resolves and compiles the backend without being inputs of the bundle. */
const RESOLUTION_FILES = [path.join(REPO_DIR, "package.json"), path.join(REPO_DIR, "tsconfig.json"), path.join(STOREFRONT_DIR, "package.json"), path.join(STOREFRONT_DIR, "tsconfig.json")];

export async function buildBackend(entry = path.join(STOREFRONT_DIR, "backend", "server.ts")): Promise<Artifact> {
    return (await bundleBackend(entry)).artifact;
}

/** The backend artifact and every file its bytes were made from (sources, packages, their package.json). */
async function bundleBackend(entry: string): Promise<{ readonly artifact: Artifact; readonly read: readonly string[] }> {
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
        entryPoints: [entry],
        absWorkingDir: REPO_DIR,
        bundle: true,
        platform: "node",
        target: BACKEND_NODE_TARGET,
        format: "cjs",
        write: false,
        outfile: "server.js",
        metafile: true,
        minify: false,
        sourcemap: false,
        legalComments: "eof",
        charset: "utf8",
        // pg's optional native binding is never used.
        external: ["pg-native"],
        logLevel: "silent",
    });
    const js = result.outputFiles.find((f) => f.path.endsWith("server.js"));
    if (!js) throw new Error("esbuild produced no server.js");
    const banner = "// ecomm storefront backend. Generated by storefront/build.ts; run: node server.js\n";
    const inputs = Object.keys(result.metafile.inputs);
    const bundled = bundledPackages(inputs);
    const artifact = pack("backend", [{ path: "server.js", data: Buffer.concat([Buffer.from(banner), Buffer.from(js.contents)]) }], {
        entry: "server.js",
        node: ">=20",
        bundled: bundled.versions,
    });
    return { artifact, read: [...inputs.map((i) => path.resolve(REPO_DIR, i)), ...bundled.read, ...RESOLUTION_FILES] };
}

export function buildFrontend(dir = path.join(STOREFRONT_DIR, "frontend")): Artifact {
    const files = listFiles(dir).map((p) => ({ path: p, data: fs.readFileSync(path.join(dir, p)) }));
    if (!files.some((f) => f.path === "index.html")) throw new Error(`${dir} has no index.html`);
    return pack("frontend", files, {});
}

/**
 * Both artifacts from the sources; deterministic, writes nothing. A process that asks again (a test process
 * runs the stack program many times, and each run ships the storefront) gets the same backend back while
 * every file it was bundled from is unchanged (same size, modification time and inode) instead of bundling
 * and compressing it again, which was about half of a stack run's time. The frontend (a few small files) is
 * always packed afresh.
 */
export async function buildStorefront(options: BuildOptions = {}): Promise<StorefrontBuild> {
    const backendEntry = path.resolve(options.backendEntry ?? path.join(STOREFRONT_DIR, "backend", "server.ts"));
    const known = backends.get(backendEntry);
    let backend = known && stampOf(known.read) === known.stamp ? known.artifact : undefined;
    if (!backend) {
        const bundled = await bundleBackend(backendEntry);
        backends.set(backendEntry, { ...bundled, stamp: stampOf(bundled.read) });
        backend = bundled.artifact;
    }
    return { frontend: buildFrontend(options.frontendDir), backend };
}

/** This process's backend bundles, by entry, with the files each was made from and their stamp. */
const backends = new Map<string, { readonly artifact: Artifact; readonly read: readonly string[]; readonly stamp: string }>();

/** Size, modification time (ns) and inode of each file: equal stamps, same bundle. */
function stampOf(files: readonly string[]): string {
    return files
        .map((f) => {
            const st = fs.statSync(f, { bigint: true, throwIfNoEntry: false });
            return st ? `${f}\0${st.size}\0${st.mtimeNs}\0${st.ino}` : `${f}\0missing`;
        })
        .join("\n");
}
