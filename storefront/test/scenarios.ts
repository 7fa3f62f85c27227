/**
 * The storefront's resilience scenarios, written once: the tests (resilience.test.ts) assert their contract,
 * `npm run bench:app` reports their timings. Each drives a real PostgreSQL server (stopped and started, its
 * password changed) and a real backend (in this process or spawned, with whatever database settings the
 * caller chose), and returns what it observed; it asserts nothing itself.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pg from "pg";
import type { EmbeddedPostgres } from "../local/embedded-postgres";
import { http, postOrder, sleep, sql, type HttpResult, type SpawnedProcess } from "./harness";

/** The basket every scenario orders. */
export const SCENARIO_ITEMS = [{ productId: "espresso-cup", quantity: 1 }];

const orderCount = async (server: EmbeddedPostgres) => Number((await sql<{ n: string }>(server.adminUrl, "SELECT count(*) AS n FROM orders"))[0].n);

export interface RestartObservation {
    /** From the stop being asked for to the server accepting connections again. */
    readonly downMs: number;
    /** From the server being back to the start of the first order that got 201. */
    readonly recoveryMs: number | undefined;
    /** From the server being back to the first /api/ready 200. */
    readonly readyMs: number | undefined;
    /** Every /api/health status (0: no answer). */
    readonly health: readonly number[];
    /** /api/ready statuses between 200 ms after the stop and the server being back. */
    readonly readyWhileDown: readonly number[];
    /** Orders that got 201. */
    readonly ordersOk: number;
    /** What the other orders got: a status, or the error of a request that got no answer. */
    readonly refused: readonly (number | string)[];
    /** Keys of 201 orders not stored exactly once under the id they were answered with (expected: none). */
    readonly notStoredOnce: readonly string[];
}

/**
 * Steady traffic (health, ready, three order loops) against `backendUrl`; the server is stopped, kept down
 * `downMs`, started again; traffic runs until an order started after the restart succeeds (at most
 * `maxRecoveryMs`), then a little longer.
 */
export async function restartUnderTraffic(server: EmbeddedPostgres, backendUrl: string, options: { readonly downMs: number; readonly maxRecoveryMs?: number }): Promise<RestartObservation> {
    const maxRecoveryMs = options.maxRecoveryMs ?? 6000;
    const health: number[] = [];
    const ready: { at: number; status: number }[] = [];
    const orders: { at: number; key: string; res?: HttpResult; error?: string }[] = [];
    let running = true;
    const loopEnd = Date.now() + options.downMs + maxRecoveryMs + 6000; // a bound, whatever happens
    const worker = async (body: () => Promise<void>, pauseMs: number) => {
        while (running && Date.now() < loopEnd) {
            await body();
            await sleep(pauseMs);
        }
    };
    const workers = [
        worker(async () => {
            health.push((await http(`${backendUrl}/api/health`, { timeoutMs: 2000 }).catch(() => ({ status: 0 }))).status);
        }, 20),
        worker(async () => {
            ready.push({ at: Date.now(), status: (await http(`${backendUrl}/api/ready`, { timeoutMs: 3000 }).catch(() => ({ status: 0 }))).status });
        }, 25),
        ...[0, 1, 2].map(() =>
            worker(async () => {
                const key = randomUUID();
                const at = Date.now();
                try {
                    orders.push({ at, key, res: await postOrder(backendUrl, key, SCENARIO_ITEMS, 10_000) });
                } catch (err) {
                    orders.push({ at, key, error: (err as Error).message });
                }
            }, 10),
        ),
    ];
    let stoppedAt = 0;
    let backAt = 0;
    try {
        await sleep(300);
        stoppedAt = Date.now();
        await server.stop();
        await sleep(options.downMs);
        await server.start();
        backAt = Date.now();
        while (Date.now() < backAt + maxRecoveryMs && !orders.some((o) => o.at >= backAt && o.res?.status === 201)) await sleep(50);
        await sleep(300);
    } finally {
        running = false;
        await Promise.all(workers);
    }
    const ok = orders.filter((o) => o.res?.status === 201);
    const rows = await sql<{ id: string; idempotency_key: string }>(server.adminUrl, "SELECT id, idempotency_key FROM orders WHERE idempotency_key = ANY($1)", [ok.map((o) => o.key)]);
    const idsByKey = new Map<string, string[]>();
    for (const r of rows) idsByKey.set(r.idempotency_key, [...(idsByKey.get(r.idempotency_key) ?? []), r.id]);
    const firstOk = orders.find((o) => o.at >= backAt && o.res?.status === 201);
    const readyBack = ready.find((r) => r.at >= backAt && r.status === 200);
    return {
        downMs: backAt - stoppedAt,
        recoveryMs: firstOk && firstOk.at - backAt,
        readyMs: readyBack && readyBack.at - backAt,
        health,
        readyWhileDown: ready.filter((r) => r.at > stoppedAt + 200 && r.at < backAt).map((r) => r.status),
        ordersOk: ok.length,
        refused: orders.filter((o) => o.res?.status !== 201).map((o) => o.res?.status ?? o.error ?? "no answer"),
        notStoredOnce: ok.filter((o) => { const ids = idsByKey.get(o.key) ?? []; return ids.length !== 1 || ids[0] !== o.res!.body.id; }).map((o) => o.key),
    };
}

/** A backend the rotation scenario starts: its URL and how to stop it. */
export interface ScenarioBackend {
    readonly url: string;
    close(): Promise<void>;
}

export interface RotationObservation {
    /** The order before the rotation. */
    readonly before: number;
    /** An order while the database has the new password and the secret the old one. */
    readonly during: { readonly status: number; readonly message: string };
    /** /api/health meanwhile. */
    readonly healthDuring: number;
    /** From the secret changing to the start of the first order that got 201 (at most `maxRecoveryMs`). */
    readonly recoveryMs: number;
    /** That order's status (201 unless it never recovered). */
    readonly after: number;
    /** With `bothAtOnceAfterMs`: the status of the next order after both changed together, and the backend's sessions then. */
    readonly bothAtOnce?: { readonly status: number; readonly sessions: number };
}

/**
 * RDS's rotation order: the password changes in the database first (existing sessions are cut here so new
 * ones must authenticate), then in the secret the backend reads (a `{"username","password"}` file, the local
 * stand-in for the managed secret). `start` gets the backend's environment: a URL without password and
 * `ECOMM_DB_SECRET_FILE`. The role's password is restored at the end.
 */
export async function rotateCredentials(
    server: EmbeddedPostgres,
    start: (env: Record<string, string>) => Promise<ScenarioBackend>,
    options: { readonly maxRecoveryMs?: number; readonly bothAtOnceAfterMs?: number } = {},
): Promise<RotationObservation> {
    const maxRecoveryMs = options.maxRecoveryMs ?? 3000;
    const terminateAppSessions = () => sql(server.adminUrl, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", [server.user]);
    const setPassword = (password: string) => sql(server.adminUrl, `ALTER ROLE ${server.user} PASSWORD '${password.replace(/'/g, "''")}'`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-secret-"));
    const secretFile = path.join(dir, "secret.json");
    const writeSecret = (password: string) => fs.writeFileSync(secretFile, JSON.stringify({ username: server.user, password }));
    writeSecret(server.password);
    let backend: ScenarioBackend | undefined;
    try {
        backend = await start({ DATABASE_URL: server.url.replace(/:[^:@/]+@/, "@"), ECOMM_DB_SECRET_FILE: secretFile });
        const url = backend.url;
        const before = (await postOrder(url, randomUUID(), SCENARIO_ITEMS)).status;

        await setPassword("rotated-1");
        await terminateAppSessions();
        const during = await postOrder(url, randomUUID(), SCENARIO_ITEMS);
        const healthDuring = (await http(`${url}/api/health`)).status;

        writeSecret("rotated-1");
        const changedAt = Date.now();
        let attemptAt = Date.now();
        let res = await postOrder(url, randomUUID(), SCENARIO_ITEMS);
        while (res.status !== 201 && Date.now() - changedAt < maxRecoveryMs) {
            await sleep(50);
            attemptAt = Date.now();
            res = await postOrder(url, randomUUID(), SCENARIO_ITEMS);
        }
        const observed = {
            before,
            during: { status: during.status, message: String(during.body?.error?.message ?? "") },
            healthDuring,
            recoveryMs: attemptAt - changedAt,
            after: res.status,
        };
        if (options.bothAtOnceAfterMs === undefined) return observed;

        await setPassword("rotated-2");
        writeSecret("rotated-2");
        await terminateAppSessions();
        await sleep(options.bothAtOnceAfterMs);
        const next = await postOrder(url, randomUUID(), SCENARIO_ITEMS);
        const sessions = (await sql(server.adminUrl, "SELECT 1 FROM pg_stat_activity WHERE usename = $1", [server.user])).length;
        return { ...observed, bothAtOnce: { status: next.status, sessions } };
    } finally {
        await backend?.close();
        await setPassword(server.password);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Holds a lock that makes every INSERT INTO orders wait, so requests are really in flight. */
export async function lockOrders(server: EmbeddedPostgres): Promise<pg.Client> {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query("BEGIN");
    await admin.query("LOCK TABLE orders IN EXCLUSIVE MODE");
    return admin;
}

/** Resolves once `n` sessions wait on the orders table's lock; throws after 5 s. */
export async function waitForLockWaiters(server: EmbeddedPostgres, n: number): Promise<void> {
    const until = Date.now() + 5000;
    while (Date.now() < until) {
        const rows = await sql(server.adminUrl, "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'orders' AND NOT l.granted");
        if (rows.length >= n) return;
        await sleep(20);
    }
    throw new Error(`fewer than ${n} requests waiting on the lock`);
}

export interface DrainObservation {
    /** The in-flight orders' statuses. */
    readonly statuses: readonly number[];
    /** A new connection made while draining was refused. */
    readonly newConnectionRefused: boolean;
    readonly exitCode: number | null;
    /** From SIGTERM to the process's exit. */
    readonly exitMs: number;
    /** Orders stored during the scenario. */
    readonly stored: number;
}

/**
 * `inFlight` orders held on a table lock, SIGTERM to the spawned backend, a new connection tried, the lock
 * released `holdMs` after the signal; then the process's exit.
 */
export async function drainInFlight(server: EmbeddedPostgres, backend: SpawnedProcess & { url: string }, options: { readonly inFlight: number; readonly holdMs: number }): Promise<DrainObservation> {
    const before = await orderCount(server);
    const admin = await lockOrders(server);
    try {
        const inFlight = Array.from({ length: options.inFlight }, () => postOrder(backend.url, randomUUID(), SCENARIO_ITEMS, 10_000).then((r) => r.status, () => 0));
        await waitForLockWaiters(server, options.inFlight);
        const signalledAt = Date.now();
        backend.child.kill("SIGTERM");
        await backend.waitFor(/SIGTERM: draining/, 3000);
        const newConnectionRefused = await http(`${backend.url}/api/health`, { timeoutMs: 1000 }).then(() => false, () => true);
        await sleep(Math.max(0, signalledAt + options.holdMs - Date.now()));
        await admin.query("COMMIT");
        const statuses = await Promise.all(inFlight);
        const exit = await backend.exited;
        return { statuses, newConnectionRefused, exitCode: exit.code, exitMs: exit.at - signalledAt, stored: (await orderCount(server)) - before };
    } finally {
        await admin.end().catch(() => undefined);
        if (backend.child.exitCode === null) backend.child.kill("SIGKILL");
    }
}
