/**
 * The storefront's measured figures: what `npm run bench:app -- --write` records in `storefront/measured.json`
 * and `npm run docs:figures` renders into README (between `<!-- storefront:start -->` and
 * `<!-- storefront:end -->`). One schema for the writer and the reader.
 */
import * as path from "node:path";
import { z } from "zod";

export const MEASURED_FILE = path.join(__dirname, "measured.json");

const ms = z.number().int().min(0);
const phase = z.strictObject({ rps: z.number().min(0), p50: z.number().min(0), p99: z.number().min(0), requests: z.number().int().min(0) });

export const measuredSchema = z.strictObject({
    /** ISO 8601 time the run finished. */
    date: z.iso.datetime(),
    machine: z.strictObject({
        cores: z.number().int().min(1),
        arch: z.string().min(1),
        node: z.string().regex(/^v\d+\.\d+\.\d+/),
        /** 1-minute load average when the run started: other work on a shared machine weighs on every figure. */
        loadAverage: z.number().min(0),
    }),
    secondsPerPhase: z.number().positive(),
    connections: z.number().int().min(1),
    throughput: z.strictObject({
        bare: phase,
        products: phase,
        mix: phase.extend({ orders: z.number().int().min(0) }),
        ratio: z.number().min(0),
        ratioTarget: z.number().min(0),
    }),
    restart: z.strictObject({ downMs: ms, recoveryMs: ms, readyMs: ms, healthChecks: z.number().int().min(1), ordersOk: z.number().int().min(1), refused: z.number().int().min(0) }),
    rotation: z.strictObject({ recoveryMs: ms }),
    drain: z.strictObject({ inFlight: z.number().int().min(1), succeeded: z.number().int().min(0), holdMs: ms, exitCode: z.number().int(), exitMs: ms }),
});
export type Measured = z.infer<typeof measuredSchema>;

/** Reads and checks a measured.json; the error names the file and each bad field. */
export function parseMeasured(text: string, file = MEASURED_FILE): Measured {
    const r = measuredSchema.safeParse(JSON.parse(text));
    if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    return r.data;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const lat = (p: { p50: number; p99: number }) => `p50 ${int(p.p50)} ms, p99 ${int(p.p99)} ms`;

/** README's storefront table (the lines between the markers). */
export function renderStorefrontFigures(m: Measured): string {
    const t = m.throughput;
    return [
        "| measured (real PostgreSQL, loopback) | figure |",
        "|---|---|",
        `| database stopped ${int(m.restart.downMs)} ms under order traffic, then started: first order after it was back | **${int(m.restart.recoveryMs)} ms** (ready ${int(m.restart.readyMs)} ms); \`/api/health\` 200 ×${int(m.restart.healthChecks)}; ${int(m.restart.refused)} orders 503 meanwhile; ${int(m.restart.ordersOk)} × 201, each stored once |`,
        `| password rotated in the database, then in the secret: first order after the secret changed | **${int(m.rotation.recoveryMs)} ms**, no restart |`,
        `| SIGTERM with ${m.drain.inFlight} orders in flight (lock released after ${int(m.drain.holdMs)} ms) | ${m.drain.succeeded} of ${m.drain.inFlight} → 201, exit ${m.drain.exitCode} after **${int(m.drain.exitMs)} ms** |`,
        `| \`GET /api/products\` vs a bare Node.js server (${m.connections} connections) | ${int(t.products.rps)} vs ${int(t.bare.rps)} req/s: **ratio ${t.ratio.toFixed(2)}** (target ≥ ${t.ratioTarget}); ${lat(t.products)} |`,
        `| browse-and-checkout mix through the router | ${int(t.mix.rps)} req/s, ${lat(t.mix)}, ${int(t.mix.orders)} orders |`,
        "",
        `\`npm run bench:app -- --write\` (${m.secondsPerPhase} s per phase) on ${m.date.slice(0, 10)}: ${m.machine.cores} cores ${m.machine.arch}, Node.js ${m.machine.node}, load average ${m.machine.loadAverage.toFixed(1)} at the start (shared: figures vary with the load); rendered from [storefront/measured.json](storefront/measured.json) by \`npm run docs:figures\`.`,
    ].join("\n");
}
