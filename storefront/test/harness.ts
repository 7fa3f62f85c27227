/** Shared by the storefront's tests: real servers, real processes, nothing mocked. */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import pg from "pg";
import { loadConfig } from "../backend/config";
import { startBackend, type Backend, type StartOptions } from "../backend/main";

export const REPO = path.resolve(__dirname, "..", "..");

/** Fast backoff and short timeouts, so failure tests finish quickly (the production defaults are larger). */
export const FAST_DATABASE: NonNullable<StartOptions["database"]> = { backoffInitialMs: 50, backoffMaxMs: 500, credentialRefreshMinIntervalMs: 200 };

/** The backend in this process, on a loopback port, with no catalogue cache unless asked. */
export async function inProcessBackend(env: Record<string, string>, options: StartOptions = {}): Promise<Backend> {
    const config = loadConfig({ env: { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", ECOMM_CATALOGUE_TTL_MS: "0", ...env } });
    return startBackend(config, { database: FAST_DATABASE, ...options, env });
}

export interface SpawnedProcess {
    readonly child: ChildProcess;
    /** Everything printed so far (stdout and stderr). */
    output(): string;
    /** Resolves with the first stdout/stderr match of `pattern`, or rejects after `timeoutMs` / on exit. */
    waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
    /** Resolves when the process exits. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnProcess(command: string, args: readonly string[], env: Record<string, string | undefined>, options: { detached?: boolean } = {}): SpawnedProcess {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
    let out = "";
    const listeners = new Set<() => void>();
    const onData = (chunk: Buffer) => {
        out += chunk.toString("utf8");
        for (const l of listeners) l();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
        child.on("exit", (code, signal) => {
            resolve({ code, signal, at: Date.now() });
            for (const l of listeners) l();
        });
    });
    let done = false;
    void exited.then(() => (done = true));
    return {
        child,
        output: () => out,
        exited,
        waitFor: (pattern, timeoutMs = 15_000) =>
            new Promise((resolve, reject) => {
                const check = () => {
                    const m = out.match(pattern);
                    if (m) {
                        cleanup();
                        resolve(m);
                    } else if (done) {
                        cleanup();
                        reject(new Error(`exited before printing ${pattern}:\n${out}`));
                    }
                };
                const timer = setTimeout(() => {
                    cleanup();
                    reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}`));
                }, timeoutMs);
                const cleanup = () => {
                    clearTimeout(timer);
                    listeners.delete(check);
                };
                listeners.add(check);
                check();
            }),
    };
}

/** The backend as a service process (`server.ts` through scripts/run-ts.cjs), as systemd runs the bundle. */
export async function spawnBackend(env: Record<string, string>): Promise<SpawnedProcess & { url: string }> {
    const proc = spawnProcess(process.execPath, [path.join("scripts", "run-ts.cjs"), path.join("storefront", "backend", "server.ts")], { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env });
    const m = await proc.waitFor(/storefront backend listening on (http:\/\/[^"\s]+)/);
    return { ...proc, url: m[1] };
}

export interface HttpResult {
    readonly status: number;
    readonly headers: Headers;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field
    readonly body: any;
}

export async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<HttpResult> {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
    const text = await res.text();
    let body: unknown = text;
    try {
        body = text ? JSON.parse(text) : undefined;
    } catch {
        // not JSON
    }
    return { status: res.status, headers: res.headers, body };
}

export function postOrder(base: string, key: string | undefined, items: unknown, timeoutMs?: number): Promise<HttpResult> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== undefined) headers["idempotency-key"] = key;
    return http(`${base}/api/orders`, { method: "POST", headers, body: typeof items === "string" ? items : JSON.stringify({ items }), timeoutMs });
}

/** One query on a fresh connection (the test's own view of the database). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
        return (await client.query<T>(text, values)).rows;
    } finally {
        await client.end();
    }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
