/** `npm run bench:app` as typed: the output's shape and exit code, not the figures (those go in README). */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { parseMeasured } from "../figures";
import { spawnProcess } from "./harness";

test("npm run bench:app -- 0.3 --write=FILE prints every phase and the ratio, records them, exits 0", { timeout: 90_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-bench-"));
    const file = path.join(dir, "measured.json");
    try {
        const proc = spawnProcess("npm", ["run", "-s", "bench:app", "--", "0.3", `--write=${file}`], {});
        const bad = spawnProcess("npm", ["run", "-s", "bench:app", "--", "999"], {});
        const unknown = spawnProcess("npm", ["run", "-s", "bench:app", "--", "--writ"], {});
        const exit = await proc.exited;
        assert.equal(exit.code, 0, proc.output());
        const out = proc.output();
        assert.match(out, /^bench:app: 0\.3 s per phase, 10 connections, loopback/m);
        const line = (pattern: RegExp) => {
            const l = out.split("\n").find((x) => pattern.test(x));
            assert.ok(l, `${pattern} in:\n${out}`);
            return l;
        };
        for (const phase of [/^bare node http +GET \/ /m, /^backend +GET \/api\/products /m, /^storefront mix +browse\+checkout /m]) {
            assert.match(line(phase), /\d+ req\/s +p50 [\d.]+ ms +p99 [\d.]+ ms +\(\d+ requests, non-2xx 0, errors 0\)/);
        }
        assert.match(out, /^ratio GET \/api\/products \/ bare node = \d+\.\d\d \(target >= 0\.5: (met|NOT met)\)$/m);
        const restart = line(/^restart /).match(/database down (\d+) ms: first order (\d+) ms after it was back \(ready (\d+) ms\); health 200 x(\d+) \(other 0\); orders 503 meanwhile (\d+) \(other 0\); 201 x(\d+), not stored exactly once 0$/);
        assert.ok(restart, line(/^restart /));
        const drain = line(/^drain /).match(/^drain +SIGTERM with 8 orders in flight \(lock released after 300 ms\): 8 x 201, stored 8; new connection refused; exit 0 after (\d+) ms$/);
        assert.ok(drain, line(/^drain /));
        const rotation = line(/^rotation /).match(/^rotation +first order (\d+) ms after the secret changed \(before it: 503, health 200\); no restart$/);
        assert.ok(rotation, line(/^rotation /));
        assert.match(out, /^bench:app: wrote \S+measured\.json; npm run docs:figures renders it into README\.md$/m);

        // The file holds what was printed, in the schema docs:figures reads.
        const m = parseMeasured(fs.readFileSync(file, "utf8"), file);
        assert.equal(m.secondsPerPhase, 0.3);
        assert.equal(m.machine.cores, os.availableParallelism());
        assert.equal(m.machine.node, process.version);
        assert.deepEqual(
            [m.restart.downMs, m.restart.recoveryMs, m.restart.readyMs, m.restart.healthChecks, m.restart.refused, m.restart.ordersOk],
            restart.slice(1).map(Number),
        );
        assert.deepEqual([m.drain.inFlight, m.drain.succeeded, m.drain.exitCode, m.drain.exitMs], [8, 8, 0, Number(drain[1])]);
        assert.equal(m.rotation.recoveryMs, Number(rotation[1]));
        assert.equal(m.throughput.ratio.toFixed(2), out.match(/bare node = (\d+\.\d\d)/)![1]);

        assert.equal((await bad.exited).code, 1);
        assert.match(bad.output(), /seconds per phase "999" is not allowed; expected a number above 0 and at most 60/);
        assert.equal((await unknown.exited).code, 1);
        assert.match(unknown.output(), /argument "--writ" is not allowed; usage: npm run bench:app -- \[seconds per phase, 0 < s <= 60\] \[--write\[=FILE\]\]/);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
