import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { refused } from "./harness";
import { CASES } from "./bad-config-cases";
import { readStackConfig } from "../tools/offline/run";

/** The config overrides that turn the stack file's raw map into the case's map (changed or removed keys). */
function overrides(stack: string, mutate: (raw: Record<string, string>) => Record<string, string>): Record<string, unknown> {
    const raw = readStackConfig(stack).config;
    const next = mutate({ ...raw });
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(raw), ...Object.keys(next)])) {
        if (raw[key] !== next[key]) out[key] = next[key];
    }
    return out;
}

// The whole bad-input table through the real program: each is refused before any resource registers,
// with a message naming the key, the value and what is allowed.
describe("the stack program refuses every bad config before registering anything", () => {
    it(`the table has at least 25 distinct cases (${CASES.length})`, () => {
        assert.ok(CASES.length >= 25);
        assert.equal(new Set(CASES.map(([what]) => what)).size, CASES.length);
    });
    for (const [what, stack, mutate, key, allowed, options] of CASES) {
        it(`${what} (${key})${options?.realEngine ? " under the real engine" : ""}`, async () => {
            const err = await refused(stack, overrides(stack, mutate), options);
            assert.ok(err.message.includes(key), err.message);
            assert.ok(err.message.includes(allowed), err.message);
            assert.match(err.message, new RegExp(`${key.replace(/[.[\]]/g, "\\$&")} = `), "the message shows the bad value");
        });
    }
});
