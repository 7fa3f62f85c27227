/**
 * `npm run bench:app -- [seconds per phase, default 5]`: load on loopback against the local storefront.
 *
 *   1. a bare Node.js HTTP server answering the catalogue's exact bytes (the floor of what Node can do here);
 *   2. the backend's GET /api/products (what the ALB sends to a backend instance);
 *   3. a browse-and-checkout mix through the ALB-like router: page, catalogue twice, script, and an order
 *      with a fresh Idempotency-Key.
 * Prints requests/s and p50/p99 latency per phase and the ratio of (2) to (1) (target >= 0.5); (1) and (2) run
 * in alternating slices so that other load on the machine weighs on both. Every phase is
 * bounded in time; the whole run is bounded by a watchdog. Servers run in their own processes so the load
 * generator does not share their event loop.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import autocannon from "autocannon";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./local/embedded-postgres";
import { spawnProcess, type SpawnedProcess } from "./test/harness";

const CONNECTIONS = 10;
export const RATIO_TARGET = 0.5;

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
    const arg = process.argv[2] ?? "5";
    const seconds = Number(arg);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new Error(`bench:app: seconds per phase "${arg}" is not allowed; expected a number above 0 and at most 60`);
    const watchdog = setTimeout(() => {
        console.error("bench:app: did not finish in time; giving up");
        process.exit(1);
    }, (seconds * 4 + 60) * 1000);
    watchdog.unref();

    let pg: EmbeddedPostgres | undefined;
    const procs: SpawnedProcess[] = [];
    try {
        pg = await startEmbeddedPostgres();
        const app = spawnProcess(process.execPath, [path.join("scripts", "run-ts.cjs"), path.join("storefront", "local", "run.ts")], { PORT: "0", DATABASE_URL: pg.url, LOG_LEVEL: "warn" });
        procs.push(app);
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
        const ratio = products.rps / barePhase.rps;
        console.log(`bench:app: ${seconds} s per phase, ${CONNECTIONS} connections, loopback, ${process.arch} ${process.version}`);
        console.log(`bare node http   GET /              ${fmt(barePhase)}`);
        console.log(`backend          GET /api/products  ${fmt(products)}`);
        console.log(`storefront mix   browse+checkout    ${fmt(mix)}  orders sent ${orders}`);
        console.log(`ratio GET /api/products / bare node = ${ratio.toFixed(2)} (target >= ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? "met" : "NOT met"})`);
        if (barePhase.errors + products.errors + mix.errors + products.non2xx + mix.non2xx > 0) {
            throw new Error("bench:app: some requests failed (see non-2xx / errors above)");
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
