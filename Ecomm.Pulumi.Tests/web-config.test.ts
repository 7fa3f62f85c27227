import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { patched, refused } from "./harness";

/** Bad web-tier input is refused before any resource exists, naming the key, the value and what is allowed. */
describe("web-tier config refused", () => {
    const cases: [string, "dev" | "prod", Record<string, unknown>, RegExp][] = [
        [
            "health-check timeout not below the interval",
            "prod",
            patched("prod", "ecomm:frontend", { healthCheck: { timeoutSeconds: 5 } }),
            /ecomm:frontend\.healthCheck\.timeoutSeconds = 5: must be less than healthCheck\.intervalSeconds \(5\)/,
        ],
        [
            "health-check interval below the ALB's 5 s",
            "dev",
            patched("dev", "ecomm:backend", { healthCheck: { intervalSeconds: 4, timeoutSeconds: 2 } }),
            /ecomm:backend\.healthCheck\.intervalSeconds = 4: must be a whole number from 5 to 300/,
        ],
        [
            "unhealthy threshold above 10",
            "dev",
            patched("dev", "ecomm:frontend", { healthCheck: { unhealthyThreshold: 11 } }),
            /ecomm:frontend\.healthCheck\.unhealthyThreshold = 11: must be a whole number from 2 to 10/,
        ],
        [
            "a path pattern without a leading /",
            "prod",
            patched("prod", "ecomm:backend", { pathPatterns: ["api/*"] }),
            /ecomm:backend\.pathPatterns\[0\] = "api\/\*": must be a path pattern such as \/api\/\*/,
        ],
        [
            "more than 5 path patterns",
            "dev",
            patched("dev", "ecomm:backend", { pathPatterns: ["/a", "/b", "/c", "/d", "/e", "/f"] }),
            /ecomm:backend\.pathPatterns = .*: an ALB rule allows at most 5 path patterns/,
        ],
        [
            "path patterns on the frontend",
            "dev",
            patched("dev", "ecomm:frontend", { pathPatterns: ["/shop/*"] }),
            /ecomm:frontend\.pathPatterns = \["\/shop\/\*"\]: is for the backend only/,
        ],
        ["a malformed AMI id", "prod", patched("prod", "ecomm:frontend", { ami: "ami-123" }), /ecomm:frontend\.ami = "ami-123": must be an AMI id/],
        ["minSize above maxSize", "prod", patched("prod", "ecomm:backend", { minSize: 13 }), /ecomm:backend\.minSize = 13: must be <= maxSize \(12\)/],
        [
            "desired capacity above maxSize",
            "dev",
            patched("dev", "ecomm:frontend", { desiredCapacity: 3 }),
            /ecomm:frontend\.desiredCapacity = 3: must be between minSize \(1\) and maxSize \(2\)/,
        ],
        ["a health-check path without /", "dev", patched("dev", "ecomm:backend", { healthCheckPath: "health" }), /ecomm:backend\.healthCheckPath = "health": must be a URL path/],
        [
            "a deregistration delay above 3600 s",
            "dev",
            patched("dev", "ecomm:frontend", { deregistrationDelaySeconds: 4000 }),
            /ecomm:frontend\.deregistrationDelaySeconds = 4000: must be a whole number from 0 to 3600/,
        ],
        [
            "an x86 type mixed into a Graviton group",
            "prod",
            patched("prod", "ecomm:frontend", { mixedInstanceTypes: ["m7i.large"] }),
            /ecomm:frontend\.mixedInstanceTypes\[0\] = "m7i\.large": must have the same architecture as instanceType m7g\.large \(arm64\)/,
        ],
        [
            "a warm pool together with mixed instance types",
            "prod",
            patched("prod", "ecomm:backend", { warmPool: { enabled: true }, mixedInstanceTypes: ["m6g.large"] }),
            /ecomm:backend\.warmPool\.enabled = true: cannot be combined with mixedInstanceTypes/,
        ],
        ["a prod stack without a certificate", "prod", { "ecomm:certificateArn": undefined }, /ecomm:certificateArn = \(not set\): is required in prod/],
        [
            "a malformed certificate ARN",
            "dev",
            { "ecomm:certificateArn": "arn:aws:acm:us-east-1:123:certificate/x" },
            /ecomm:certificateArn = "arn:aws:acm:us-east-1:123:certificate\/x": must be an ACM certificate ARN/,
        ],
        [
            "an unknown load-balancer key",
            "dev",
            patched("dev", "ecomm:loadBalancer", { wafEnabled: true }),
            /ecomm:loadBalancer\.wafEnabled = true: unknown key\(s\) "wafEnabled"/,
        ],
        [
            "an idle timeout of 0",
            "dev",
            patched("dev", "ecomm:loadBalancer", { idleTimeoutSeconds: 0 }),
            /ecomm:loadBalancer\.idleTimeoutSeconds = 0: must be a whole number from 1 to 4000/,
        ],
    ];

    for (const [what, stack, config, message] of cases) {
        // Offline, prod's missing certificate is stood in: its absence is the real engine's refusal.
        const realEngine = config["ecomm:certificateArn"] === undefined && "ecomm:certificateArn" in config;
        it(`refuses ${what} (${stack})`, async () => {
            const err = await refused(stack, config, { realEngine });
            assert.match(err.message, message);
        });
    }

    it("reports every web-tier problem at once", async () => {
        const err = await refused("prod", {
            ...patched("prod", "ecomm:frontend", { healthCheck: { timeoutSeconds: 9 }, ami: "ami-xyz" }),
            ...patched("prod", "ecomm:backend", { pathPatterns: ["api"] }),
        });
        assert.match(err.message, /\(3 problems\)/);
        for (const key of ["ecomm:frontend.healthCheck.timeoutSeconds", "ecomm:frontend.ami", "ecomm:backend.pathPatterns[0]"]) {
            assert.ok(err.message.includes(key), key);
        }
    });
});
