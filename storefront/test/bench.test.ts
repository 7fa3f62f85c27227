/** `npm run bench:app` as typed: the output's shape and exit code, not the figures (those go in README). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnProcess } from "./harness";

test("npm run bench:app -- 0.3 prints every phase and the ratio, exits 0", { timeout: 90_000 }, async () => {
    const proc = spawnProcess("npm", ["run", "-s", "bench:app", "--", "0.3"], {});
    const bad = spawnProcess("npm", ["run", "-s", "bench:app", "--", "999"], {});
    const exit = await proc.exited;
    assert.equal(exit.code, 0, proc.output());
    const out = proc.output();
    assert.match(out, /^bench:app: 0\.3 s per phase, 10 connections, loopback/m);
    for (const phase of [/^bare node http +GET \/ /m, /^backend +GET \/api\/products /m, /^storefront mix +browse\+checkout /m]) {
        const line = out.split("\n").find((l) => phase.test(l));
        assert.ok(line, `${phase} in:\n${out}`);
        assert.match(line, /\d+ req\/s +p50 [\d.]+ ms +p99 [\d.]+ ms +\(\d+ requests, non-2xx 0, errors 0\)/);
    }
    assert.match(out, /^ratio GET \/api\/products \/ bare node = \d+\.\d\d \(target >= 0\.5: (met|NOT met)\)$/m);
    assert.equal((await bad.exited).code, 1);
    assert.match(bad.output(), /seconds per phase "999" is not allowed; expected a number above 0 and at most 60/);
});
