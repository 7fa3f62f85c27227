/**
 * What the storefront does when the database goes away, when its password rotates, and when the process is
 * told to stop: measured against a real PostgreSQL server (stopped and started for real) and a real backend
 * process (signalled for real). The scenarios are scenarios.ts's, which `npm run bench:app` times too; the
 * figures are printed as diagnostics, the assertions are the contract.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../local/embedded-postgres";
import { http, inProcessBackend, postOrder, spawnBackend } from "./harness";
import { drainInFlight, lockOrders, restartUnderTraffic, rotateCredentials, SCENARIO_ITEMS, waitForLockWaiters } from "./scenarios";

let server: EmbeddedPostgres;
before(async () => {
    server = await startEmbeddedPostgres();
});
after(async () => {
    await server?.destroy();
});

describe("database failover", () => {
    test("stop the server under steady traffic, start it again: health stays 200, ready dips, orders resume within 5 s, each 201 stored once", async (t) => {
        // Production backoff and timeouts (not the fast test ones): the figures `npm run bench:app` reports.
        const backend = await inProcessBackend({ DATABASE_URL: server.url }, { database: {} });
        try {
            const o = await restartUnderTraffic(server, backend.url, { downMs: 1000 });
            assert.ok(o.health.length > 20, `health was checked ${o.health.length} times`);
            assert.deepEqual([...new Set(o.health)], [200], "every /api/health answer was 200");
            assert.ok(o.readyWhileDown.length > 0 && o.readyWhileDown.every((s) => s === 503), `/api/ready while down: ${o.readyWhileDown}`);
            assert.notEqual(o.readyMs, undefined, "/api/ready came back to 200");
            assert.notEqual(o.recoveryMs, undefined, "an order succeeded after the restart");
            assert.ok(o.recoveryMs! < 5000, `orders resumed ${o.recoveryMs} ms after the server was back`);
            // Down: refused with 503 and a reason, never a 500 or a hang.
            assert.ok(o.refused.length > 0, "some orders were refused while the database was down");
            assert.deepEqual([...new Set(o.refused)], [503]);
            assert.ok(o.ordersOk > 0);
            assert.deepEqual(o.notStoredOnce, [], "every 201 order is in the database exactly once");
            t.diagnostic(
                `failover: down ${o.downMs} ms; orders ok ${o.ordersOk}, refused ${o.refused.length} (503); ` +
                    `first order ${o.recoveryMs} ms and ready ${o.readyMs} ms after the server was back; health ${o.health.length}x 200`,
            );
        } finally {
            await backend.close();
        }
    });
});

describe("credential rotation", () => {
    test("new password in the database and the secret: the next order succeeds, no restart", async (t) => {
        const o = await rotateCredentials(server, (env) => inProcessBackend(env), { bothAtOnceAfterMs: 250 /* past the fast settings' refresh rate limit */ });
        assert.equal(o.before, 201);
        // Step 1: the database has the new password, the secret still the old one: new sessions fail.
        assert.equal(o.during.status, 503);
        assert.match(o.during.message, /28P01|password authentication failed/);
        assert.equal(o.healthDuring, 200);
        // Step 2: the secret has the new password: the backend re-reads it and reconnects.
        assert.equal(o.after, 201);
        assert.ok(o.recoveryMs < 3000, `recovered ${o.recoveryMs} ms after the secret changed`);
        // Both changed at once (the usual case once rotation is done): the very next order succeeds.
        assert.equal(o.bothAtOnce?.status, 201);
        assert.ok(o.bothAtOnce.sessions > 0, "the backend is connected with the new password");
        t.diagnostic(`rotation: recovered ${o.recoveryMs} ms after the secret changed`);
    });
});

describe("drain on SIGTERM", () => {
    test("requests in flight all finish; new connections are refused; the process exits 0 within its bound", async (t) => {
        const backend = await spawnBackend({ DATABASE_URL: server.url, ECOMM_SHUTDOWN_GRACE_MS: "5000" });
        const ready = await http(`${backend.url}/api/ready`).catch((err: Error) => ({ status: err.message }));
        if (ready.status !== 200) backend.child.kill("SIGKILL");
        assert.equal(ready.status, 200);
        const o = await drainInFlight(server, backend, { inFlight: 8, holdMs: 300 });
        assert.equal(o.newConnectionRefused, true, "a new connection is refused while draining");
        assert.deepEqual(o.statuses, Array(8).fill(201));
        assert.equal(o.exitCode, 0, backend.output());
        assert.ok(o.exitMs >= 300 && o.exitMs < 5000, `exited ${o.exitMs} ms after SIGTERM`);
        assert.match(backend.output(), /drained in \d+ ms/);
        assert.equal(o.stored, 8);
        t.diagnostic(`drain: 8 in-flight orders all 201; exited 0 after ${o.exitMs} ms (lock held 300 ms after SIGTERM)`);
    });

    test("a request stuck past the grace period: the process exits 1 at the bound instead of hanging", async () => {
        const backend = await spawnBackend({ DATABASE_URL: server.url, ECOMM_SHUTDOWN_GRACE_MS: "800" });
        const admin = await lockOrders(server);
        try {
            const stuck = postOrder(backend.url, randomUUID(), SCENARIO_ITEMS, 10_000).catch((err: Error) => err);
            await waitForLockWaiters(server, 1);
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
