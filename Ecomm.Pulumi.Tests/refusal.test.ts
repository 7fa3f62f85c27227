import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { patched, refused } from "./harness";

// The program itself (not only the parser) refuses bad config before registering any resource.
describe("the stack program refuses bad config before registering anything", () => {
    const cases: [string, "dev" | "prod", Record<string, unknown>, string][] = [
        ["prod without certificate", "prod", { "ecomm:certificateArn": undefined }, "ecomm:certificateArn"],
        ["unknown key", "dev", { "ecomm:databse": { mode: "aurora" } }, "ecomm:databse"],
        ["min above max", "dev", patched("dev", "ecomm:backend", { minSize: 5 }), "ecomm:backend.minSize"],
        ["single-AZ database in prod", "prod", patched("prod", "ecomm:database", { mode: "single-az" }), "ecomm:database.mode"],
        ["bad CIDR", "dev", patched("dev", "ecomm:network", { cidrBlock: "10.0.0.0/33" }), "ecomm:network.cidrBlock"],
    ];
    for (const [what, stack, config, key] of cases) {
        it(what, async () => {
            const err = await refused(stack, config);
            assert.ok(err.message.includes(key), err.message);
        });
    }
});
