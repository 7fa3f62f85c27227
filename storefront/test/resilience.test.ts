/**
 * What the storefront does when the database goes away, when its password rotates, and when the process is
 * told to stop: measured against a real PostgreSQL server (stopped and started for real) and a real backend
 * process (signalled for real). The figures are printed as diagnostics; the assertions are the contract.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../local/embedded-postgres";
import { http, inProcessBackend, postOrder, sleep, spawnBackend, sql, type HttpResult } from "./harness";

let server: EmbeddedPostgres;
before(async () => {
    server = await startEmbeddedPostgres();
});
after(async () => {
    await server?.destroy();
});

const items = [{ productId: "espresso-cup", quantity: 1 }];

describe("database failover", () => {
    test("stop the server under steady traffic, start it again: health stays 200, ready dips, orders resume within 5 s, each 201 stored once", async (t) => {
        // Production backoff and timeouts (not the fast test ones): these are the figures the README reports.
        const backend = await inProcessBackend({ DATABASE_URL: server.url }, { database: {} });
        const health: number[] = [];
        const ready: { at: number; status: number }[] = [];
        const orders: { at: number; key: string; res?: HttpResult; error?: string }[] = [];
        let running = true;
        const loopEnd = Date.now() + 12_000; // a bound, whatever happens
        const worker = async (body: () => Promise<void>, pauseMs: number) => {
            while (running && Date.now() < loopEnd) {
                await body();
                await sleep(pauseMs);
            }
        };
        const workers = [
            worker(async () => {
                health.push((await http(`${backend.url}/api/health`, { timeoutMs: 2000 }).catch(() => ({ status: 0 }))).status);
            }, 20),
            worker(async () => {
                ready.push({ at: Date.now(), status: (await http(`${backend.url}/api/ready`, { timeoutMs: 3000 }).catch(() => ({ status: 0 }))).status });
            }, 25),
            ...[0, 1, 2].map(() =>
                worker(async () => {
                    const key = randomUUID();
                    const at = Date.now();
                    try {
                        orders.push({ at, key, res: await postOrder(backend.url, key, items, 10_000) });
                    } catch (err) {
                        orders.push({ at, key, error: (err as Error).message });
                    }
                }, 10),
            ),
        ];
        try {
            await sleep(300);
            const stoppedAt = Date.now();
            await server.stop();
            await sleep(1000);
            await server.start();
            const backAt = Date.now();
            // Run until an order started after the restart succeeds, and a little longer; at most 6 s.
            while (Date.now() < backAt + 6000 && !orders.some((o) => o.at >= backAt && o.res?.status === 201)) await sleep(50);
            await sleep(300);
            running = false;
            await Promise.all(workers);

            assert.ok(health.length > 20, `health was checked ${health.length} times`);
            assert.deepEqual([...new Set(health)], [200], "every /api/health answer was 200");

            const downReady = ready.filter((r) => r.at > stoppedAt + 200 && r.at < backAt);
            assert.ok(downReady.length > 0 && downReady.every((r) => r.status === 503), `/api/ready while down: ${downReady.map((r) => r.status)}`);
            const readyBack = ready.find((r) => r.at >= backAt && r.status === 200);
            assert.ok(readyBack, "/api/ready came back to 200");

            const firstOk = orders.find((o) => o.at >= backAt && o.res?.status === 201);
            assert.ok(firstOk, "an order succeeded after the restart");
            const recoveryMs = firstOk.at - backAt;
            assert.ok(recoveryMs < 5000, `orders resumed ${recoveryMs} ms after the server was back`);
            // Down: refused with 503 and a reason, never a 500 or a hang.
            const failed = orders.filter((o) => o.res?.status !== 201);
            assert.ok(failed.length > 0, "some orders were refused while the database was down");
            assert.deepEqual([...new Set(failed.map((o) => o.res?.status ?? o.error))], [503]);

            const ok = orders.filter((o) => o.res?.status === 201);
            const rows = await sql<{ id: string; idempotency_key: string }>(server.url, "SELECT id, idempotency_key FROM orders WHERE idempotency_key = ANY($1)", [ok.map((o) => o.key)]);
            assert.equal(rows.length, ok.length, "every 201 order is in the database exactly once");
            const byKey = new Map(rows.map((r) => [r.idempotency_key, r.id]));
            for (const o of ok) assert.equal(byKey.get(o.key), o.res!.body.id);
            t.diagnostic(
                `failover: down ${backAt - stoppedAt} ms; orders ok ${ok.length}, refused ${failed.length} (503); ` +
                    `first order ${recoveryMs} ms and ready ${readyBack.at - backAt} ms after the server was back; health ${health.length}x 200`,
            );
        } finally {
            running = false;
            await Promise.all(workers);
            await backend.close();
        }
    });
});

describe("credential rotation", () => {
    const terminateAppSessions = () => sql(server.adminUrl, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'shop' AND pid <> pg_backend_pid()");

    test("new password in the database and the secret: the next order succeeds, no restart", async (t) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-secret-"));
        const secretFile = path.join(dir, "secret.json");
        fs.writeFileSync(secretFile, JSON.stringify({ username: "shop", password: server.password }));
        const urlWithoutPassword = server.url.replace(/:[^:@/]+@/, "@");
        const backend = await inProcessBackend({ DATABASE_URL: urlWithoutPassword, ECOMM_DB_SECRET_FILE: secretFile });
        try {
            assert.equal((await postOrder(backend.url, randomUUID(), items)).status, 201);

            // Rotation step 1: the database has the new password, the secret still the old one (RDS sets the
            // password, then promotes the new secret version). Existing sessions live on; new ones fail.
            await sql(server.adminUrl, "ALTER ROLE shop PASSWORD 'rotated-1'");
            await terminateAppSessions();
            const during = await postOrder(backend.url, randomUUID(), items);
            assert.equal(during.status, 503);
            assert.match(during.body.error.message, /28P01|password authentication failed/);
            assert.equal((await http(`${backend.url}/api/health`)).status, 200);

            // Step 2: the secret has the new password: the backend re-reads it and reconnects.
            fs.writeFileSync(secretFile, JSON.stringify({ username: "shop", password: "rotated-1" }));
            const started = Date.now();
            let res = await postOrder(backend.url, randomUUID(), items);
            while (res.status !== 201 && Date.now() - started < 3000) {
                await sleep(50);
                res = await postOrder(backend.url, randomUUID(), items);
            }
            assert.equal(res.status, 201, JSON.stringify(res.body));
            const recovered = Date.now() - started;

            // Both changed at once (the usual case once rotation is done): the very next order succeeds.
            await sql(server.adminUrl, "ALTER ROLE shop PASSWORD 'rotated-2'");
            fs.writeFileSync(secretFile, JSON.stringify({ username: "shop", password: "rotated-2" }));
            await terminateAppSessions();
            await sleep(250); // past the refresh rate limit of the fast test settings
            const next = await postOrder(backend.url, randomUUID(), items);
            assert.equal(next.status, 201, JSON.stringify(next.body));
            const sessions = await sql(server.adminUrl, "SELECT 1 FROM pg_stat_activity WHERE usename = 'shop'");
            assert.ok(sessions.length > 0, "the backend is connected with the new password");
            t.diagnostic(`rotation: recovered ${recovered} ms after the secret changed`);
        } finally {
            await backend.close();
            await sql(server.adminUrl, `ALTER ROLE shop PASSWORD '${server.password}'`);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("drain on SIGTERM", () => {
    /** Holds a lock that makes every INSERT INTO orders wait, so requests are really in flight. */
    async function lockOrders(): Promise<pg.Client> {
        const admin = new pg.Client({ connectionString: server.adminUrl });
        await admin.connect();
        await admin.query("BEGIN");
        await admin.query("LOCK TABLE orders IN EXCLUSIVE MODE");
        return admin;
    }
    async function waitForLockWaiters(n: number): Promise<void> {
        const until = Date.now() + 5000;
        while (Date.now() < until) {
            const rows = await sql(server.adminUrl, "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'orders' AND NOT l.granted");
            if (rows.length >= n) return;
            await sleep(20);
        }
        throw new Error(`fewer than ${n} requests waiting on the lock`);
    }

    test("requests in flight all finish; new connections are refused; the process exits 0 within its bound", async (t) => {
        const backend = await spawnBackend({ DATABASE_URL: server.url, ECOMM_SHUTDOWN_GRACE_MS: "5000" });
        let admin: pg.Client | undefined;
        try {
            assert.equal((await http(`${backend.url}/api/ready`)).status, 200);
            const before = Number((await sql<{ n: string }>(server.url, "SELECT count(*) AS n FROM orders"))[0].n);
            admin = await lockOrders();
            const inFlight = Array.from({ length: 8 }, () => postOrder(backend.url, randomUUID(), items, 10_000));
            await waitForLockWaiters(8);
            const signalledAt = Date.now();
            backend.child.kill("SIGTERM");
            await backend.waitFor(/SIGTERM: draining/, 3000);
            await assert.rejects(http(`${backend.url}/api/health`, { timeoutMs: 1000 }), "a new connection is refused while draining");
            await sleep(300);
            await admin.query("COMMIT");
            const results = await Promise.all(inFlight);
            assert.deepEqual(
                results.map((r) => r.status),
                Array(8).fill(201),
            );
            const exit = await backend.exited;
            assert.equal(exit.code, 0, backend.output());
            const drainMs = exit.at - signalledAt;
            assert.ok(drainMs < 5000, `exited ${drainMs} ms after SIGTERM`);
            assert.match(backend.output(), /drained in \d+ ms/);
            const afterCount = Number((await sql<{ n: string }>(server.url, "SELECT count(*) AS n FROM orders"))[0].n);
            assert.equal(afterCount, before + 8);
            t.diagnostic(`drain: 8 in-flight orders all 201; exited 0 after ${drainMs} ms (lock held 300 ms after SIGTERM)`);
        } finally {
            await admin?.end().catch(() => undefined);
            if (backend.child.exitCode === null) backend.child.kill("SIGKILL");
        }
    });

    test("a request stuck past the grace period: the process exits 1 at the bound instead of hanging", async () => {
        const backend = await spawnBackend({ DATABASE_URL: server.url, ECOMM_SHUTDOWN_GRACE_MS: "800" });
        const admin = await lockOrders();
        try {
            const stuck = postOrder(backend.url, randomUUID(), items, 10_000).catch((err: Error) => err);
            await waitForLockWaiters(1);
            const signalledAt = Date.now();
            backend.child.kill("SIGTERM");
            const exit = await backend.exited;
            assert.equal(exit.code, 1);
            const ms = exit.at - signalledAt;
            assert.ok(ms >= 750 && ms < 2500, `exited after ${ms} ms, bound 800 ms`);
            assert.match(backend.output(), /drain not finished within 800 ms/);
            assert.ok((await stuck) instanceof Error, "the stuck request was cut");
        } finally {
            await admin.query("ROLLBACK").catch(() => undefined);
            await admin.end();
            if (backend.child.exitCode === null) backend.child.kill("SIGKILL");
        }
    });
});
