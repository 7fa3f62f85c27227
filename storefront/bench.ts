/**
 * `npm run bench:app -- [seconds per phase, default 5] [--write[=FILE]]`: load on loopback against the local
 * storefront, then its resilience scenarios against the same real PostgreSQL server.
 *
 *   1. a bare Node.js HTTP server answering the catalogue's exact bytes (the floor of what Node can do here);
 *   2. the backend's GET /api/products (what the ALB sends to a backend instance);
 *   3. a browse-and-checkout mix through the ALB-like router: page, catalogue twice, script, and an order
 *      with a fresh Idempotency-Key.
 * Prints requests/s and p50/p99 latency per phase and the ratio of (2) to (1) (target >= 0.5); (1) and (2) run
 * in alternating slices so that other load on the machine weighs on both. Then, with the backend's production
 * backoff and timeouts (test/scenarios.ts, the scenarios resilience.test.ts asserts):
 *   4. restart: steady order traffic, the PostgreSQL server stopped (1 s, less for runs under 1 s per phase)
 *      and started: time from the server being back to the first 201 order; health stayed 200; each 201
 *      stored once;
 *   5. drain: SIGTERM to a backend process with 8 orders in flight: how many got 201, exit code and time;
 *   6. rotation: the password changed in the database, then in the secret file the backend reads: time from
 *      the secret changing to the first 201 order.
 * A broken contract (a health failure, an order lost, a drain that drops requests) fails the run (exit 1).
 * `--write` records the figures with the date and machine in storefront/measured.json (or FILE), which
 * `npm run docs:figures` renders into README. Every phase is bounded in time; the whole run is bounded by a
 * watchdog. Servers run in their own processes so the load generator does not share their event loop (the
 * rotation's backend excepted: it carries a handful of requests, not load).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./local/embedded-postgres";
import { MEASURED_FILE, measuredSchema, type Measured } from "./figures";
import { http, inProcessBackend, sleep, spawnBackend, spawnProcess, type SpawnedProcess } from "./test/harness";
import { drainInFlight, restartUnderTraffic, rotateCredentials } from "./test/scenarios";

const CONNECTIONS = 10;
export const RATIO_TARGET = 0.5;
/** Orders held in flight when the drain phase sends SIGTERM, and how long the lock holds them after it. */
const DRAIN_IN_FLIGHT = 8;
const DRAIN_HOLD_MS = 300;

interface BenchArgs {
    readonly seconds: number;
    /** Where to record the figures; undefined: print only. */
    readonly write?: string;
}

/** `[seconds] [--write[=FILE]]`; throws naming the bad argument and what is allowed. */
function parseBenchArgs(argv: readonly string[]): BenchArgs {
    let seconds = 5;
    let write: string | undefined;
    let positional = 0;
    for (const arg of argv) {
        if (arg === "--write") write = MEASURED_FILE;
        else if (arg.startsWith("--write=") && arg.length > "--write=".length) write = path.resolve(arg.slice("--write=".length));
        else if (!arg.startsWith("-") && positional++ === 0) {
            seconds = Number(arg);
            if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new Error(`bench:app: seconds per phase "${arg}" is not allowed; expected a number above 0 and at most 60`);
        } else throw new Error(`bench:app: argument "${arg}" is not allowed; usage: npm run bench:app -- [seconds per phase, 0 < s <= 60] [--write[=FILE]]`);
    }
    return { seconds, write };
}

interface Phase {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly total: number;
    readonly seconds: number;
    readonly non2xx: number;
    readonly errors: number;
}

async function load(options: autocannon.Options): Promise<Phase> {
    // sampleInt 100 ms: autocannon stops at the first sample tick after `duration` (1 s ticks by default).
    const r = await autocannon({ connections: CONNECTIONS, pipelining: 1, timeout: 10, sampleInt: 100, ...options });
    const seconds = Math.max(r.duration, 0.001);
    return { rps: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, seconds, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Slices of one phase: requests/s over their summed time, the median slice's p50, the worst slice's p99. */
function combine(slices: readonly Phase[]): Phase {
    const seconds = slices.reduce((a, p) => a + p.seconds, 0);
    const total = slices.reduce((a, p) => a + p.total, 0);
    const p50s = slices.map((p) => p.p50).sort((a, b) => a - b);
    return {
        rps: total / seconds,
        p50: p50s[Math.floor(p50s.length / 2)],
        p99: Math.max(...slices.map((p) => p.p99)),
        total,
        seconds,
        non2xx: slices.reduce((a, p) => a + p.non2xx, 0),
        errors: slices.reduce((a, p) => a + p.errors, 0),
    };
}

const fmt = (p: Phase) => `${p.rps.toFixed(0).padStart(7)} req/s  p50 ${p.p50.toFixed(1)} ms  p99 ${p.p99.toFixed(1)} ms  (${p.total} requests, non-2xx ${p.non2xx}, errors ${p.errors})`;

async function main(): Promise<void> {
    const { seconds, write } = parseBenchArgs(process.argv.slice(2));
    const loadAverage = os.loadavg()[0];
    const watchdog = setTimeout(() => {
        console.error("bench:app: did not finish in time; giving up");
        process.exit(1);
    }, (seconds * 4 + 90) * 1000);
    watchdog.unref();

    let pg: EmbeddedPostgres | undefined;
    const procs: SpawnedProcess[] = [];
    try {
        pg = await startEmbeddedPostgres();
        const app = spawnProcess(process.execPath, [path.join("scripts", "run-ts.cjs"), path.join("storefront", "local", "run.ts")], { PORT: "0", DATABASE_URL: pg.url, LOG_LEVEL: "warn" });
        procs.push(app);
        // The drain phase's backend starts now, while the app does, so that no phase waits for it.
        const draining = spawnBackend({ DATABASE_URL: pg.url });
        draining.catch(() => undefined);
        const [, routerUrl] = await app.waitFor(/storefront: open (\S+)/, 30_000);
        const [, backendUrl] = await app.waitFor(/storefront: backend (\S+)/);
        const catalogue = await (await fetch(`${backendUrl}/api/products`)).text();
        const bare = spawnProcess(
            process.execPath,
            [
                "-e",
                `const body = Buffer.from(process.env.BODY);
                 require("node:http").createServer((q, s) => { s.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length }); s.end(body); })
                   .listen(0, "127.0.0.1", function () { console.log("bare http://127.0.0.1:" + this.address().port); });`,
            ],
            { BODY: catalogue },
        );
        procs.push(bare);
        const [, bareUrl] = await bare.waitFor(/bare (\S+)/);

        const warm = Math.min(0.5, seconds);
        await load({ url: bareUrl, duration: warm });
        await load({ url: `${backendUrl}/api/products`, duration: warm });
        // Bare and backend alternate in 3 slices each, so load from anything else on this (shared) machine
        // falls on both alike and the ratio compares like with like.
        const bareSlices: Phase[] = [];
        const productSlices: Phase[] = [];
        for (let round = 0; round < 3; round++) {
            bareSlices.push(await load({ url: bareUrl, duration: seconds / 3 }));
            productSlices.push(await load({ url: `${backendUrl}/api/products`, duration: seconds / 3 }));
        }
        const barePhase = combine(bareSlices);
        const products = combine(productSlices);
        const order = JSON.stringify({ items: [{ productId: "espresso-cup", quantity: 1 }, { productId: "paper-filters", quantity: 2 }] });
        let orders = 0;
        const mix = await load({
            url: routerUrl,
            duration: seconds,
            requests: [
                { method: "GET", path: "/" },
                { method: "GET", path: "/api/products" },
                { method: "GET", path: "/app.js" },
                { method: "GET", path: "/api/products" },
                {
                    method: "POST",
                    path: "/api/orders",
                    body: order,
                    setupRequest: (req) => {
                        orders++;
                        return { ...req, headers: { ...req.headers, "content-type": "application/json", "idempotency-key": randomUUID() } };
                    },
                },
            ],
        });
        const ratio = Number((products.rps / barePhase.rps).toFixed(3)); // as recorded, so the print and the file agree
        console.log(`bench:app: ${seconds} s per phase, ${CONNECTIONS} connections, loopback, ${process.arch} ${process.version}`);
        console.log(`bare node http   GET /              ${fmt(barePhase)}`);
        console.log(`backend          GET /api/products  ${fmt(products)}`);
        console.log(`storefront mix   browse+checkout    ${fmt(mix)}  orders sent ${orders}`);
        console.log(`ratio GET /api/products / bare node = ${ratio.toFixed(2)} (target >= ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? "met" : "NOT met"})`);
        const broken: string[] = [];
        if (barePhase.errors + products.errors + mix.errors + products.non2xx + mix.non2xx > 0) broken.push("some requests failed (see non-2xx / errors above)");

        // 4. The app's backend (its own process, production backoff) while the server stops and starts.
        const restart = await restartUnderTraffic(pg, backendUrl, { downMs: Math.round(Math.max(0.3, Math.min(1, seconds)) * 1000) });
        const healthBad = restart.health.filter((s) => s !== 200).length;
        const refusedOther = restart.refused.filter((r) => r !== 503);
        console.log(
            `restart          database down ${restart.downMs} ms: first order ${restart.recoveryMs ?? "never"} ms after it was back (ready ${restart.readyMs ?? "never"} ms); ` +
                `health 200 x${restart.health.length - healthBad} (other ${healthBad}); orders 503 meanwhile ${restart.refused.length - refusedOther.length} (other ${refusedOther.length}); ` +
                `201 x${restart.ordersOk}, not stored exactly once ${restart.notStoredOnce.length}`,
        );
        if (restart.recoveryMs === undefined || restart.readyMs === undefined) broken.push("restart: no order succeeded after the database was back");
        if (healthBad > 0) broken.push(`restart: /api/health answered other than 200 ${healthBad} times`);
        if (refusedOther.length > 0) broken.push(`restart: orders refused other than with 503: ${[...new Set(refusedOther)].join(", ")}`);
        if (restart.notStoredOnce.length > 0) broken.push(`restart: ${restart.notStoredOnce.length} orders answered 201 are not stored exactly once`);
        // 5. A backend process as systemd runs it (started with the app), with its production drain bound.
        const drained = await draining;
        procs.push(drained);
        const readyBy = Date.now() + 5000; // it lived through the restart too
        while ((await http(`${drained.url}/api/ready`, { timeoutMs: 1000 }).catch(() => ({ status: 0 }))).status !== 200 && Date.now() < readyBy) await sleep(50);
        const drain = await drainInFlight(pg, drained, { inFlight: DRAIN_IN_FLIGHT, holdMs: DRAIN_HOLD_MS });
        const succeeded = drain.statuses.filter((s) => s === 201).length;
        console.log(
            `drain            SIGTERM with ${DRAIN_IN_FLIGHT} orders in flight (lock released after ${DRAIN_HOLD_MS} ms): ${succeeded} x 201, stored ${drain.stored}; ` +
                `new connection ${drain.newConnectionRefused ? "refused" : "ACCEPTED"}; exit ${drain.exitCode} after ${drain.exitMs} ms`,
        );
        if (succeeded !== DRAIN_IN_FLIGHT || drain.stored !== DRAIN_IN_FLIGHT || drain.exitCode !== 0 || !drain.newConnectionRefused) broken.push("drain: an in-flight order was dropped, a new connection accepted, or the exit was not 0");

        // 6. A backend with the production credential refresh bound, reading the secret file; the app, whose
        // sessions would meet the rotation, is stopped first.
        app.child.kill("SIGTERM");
        const rotation = await rotateCredentials(pg, (env) => inProcessBackend(env, { database: {} }), { maxRecoveryMs: 5000 });
        console.log(`rotation         first order ${rotation.recoveryMs} ms after the secret changed (before it: ${rotation.during.status}, health ${rotation.healthDuring}); no restart`);
        if (rotation.before !== 201 || rotation.after !== 201) broken.push(`rotation: orders before / after the rotation answered ${rotation.before} / ${rotation.after}, expected 201`);
        if (rotation.during.status !== 503 || rotation.healthDuring !== 200) broken.push(`rotation: while the secret was old, orders answered ${rotation.during.status} (expected 503) and health ${rotation.healthDuring} (expected 200)`);

        if (broken.length > 0) throw new Error(`bench:app: ${broken.join("; ")}`);
        if (write) {
            const phaseOf = (p: Phase) => ({ rps: Number(p.rps.toFixed(1)), p50: p.p50, p99: p.p99, requests: p.total });
            const measured: Measured = measuredSchema.parse({
                date: new Date().toISOString(),
                machine: { cores: os.availableParallelism(), arch: process.arch, node: process.version, loadAverage: Number(loadAverage.toFixed(2)) },
                secondsPerPhase: seconds,
                connections: CONNECTIONS,
                throughput: { bare: phaseOf(barePhase), products: phaseOf(products), mix: { ...phaseOf(mix), orders }, ratio, ratioTarget: RATIO_TARGET },
                restart: { downMs: restart.downMs, recoveryMs: restart.recoveryMs, readyMs: restart.readyMs, healthChecks: restart.health.length, ordersOk: restart.ordersOk, refused: restart.refused.length },
                rotation: { recoveryMs: rotation.recoveryMs },
                drain: { inFlight: DRAIN_IN_FLIGHT, succeeded, holdMs: DRAIN_HOLD_MS, exitCode: drain.exitCode, exitMs: drain.exitMs },
            });
            fs.writeFileSync(write, `${JSON.stringify(measured, null, 2)}\n`);
            console.log(`bench:app: wrote ${path.relative(process.cwd(), write) || write}; npm run docs:figures renders it into README.md`);
        }
    } finally {
        for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGTERM");
        await Promise.all(procs.map((p) => p.exited));
        await pg?.destroy();
    }
}

main().then(
    () => process.exit(0),
    (err: unknown) => {
        console.error((err as Error).message);
        process.exit(1);
    },
);
