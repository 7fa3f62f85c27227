/** The `ecomm:resilience` key: defaults per environment, and every bad value refused by its full key. */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ConfigError, parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { offlineStackConfig, patched, refused } from "./harness";

const raw = (stack: string, resilience?: unknown) => {
    const config = offlineStackConfig(stack);
    return resilience === undefined ? config : { ...config, "ecomm:resilience": JSON.stringify(resilience) };
};

function problems(config: Record<string, string>): string[] {
    try {
        parseStackConfig(config);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
    }
    return assert.fail("expected the config to be refused");
}

describe("ecomm:resilience defaults", () => {
    it("is on in dev with the documented durations", () => {
        assert.deepEqual(parseStackConfig(raw("dev")).resilience, {
            enabled: true,
            azPowerLossMinutes: 10,
            networkDisruptionMinutes: 5,
            cpuStressMinutes: 5,
            cpuStressPercent: 90,
        });
    });

    it("is off in prod until opted in", () => {
        assert.equal(parseStackConfig(raw("prod")).resilience.enabled, false);
        const optedIn = parseStackConfig(raw("prod", { enabled: true, targetAvailabilityZone: "us-east-1b" })).resilience;
        assert.equal(optedIn.enabled, true);
        assert.equal(optedIn.targetAvailabilityZone, "us-east-1b");
    });
});

describe("ecomm:resilience bad values name the key", () => {
    const cases: [string, unknown, string][] = [
        ["enabled as a string", { enabled: "yes" }, 'ecomm:resilience.enabled = "yes": must be true or false'],
        ["an AZ that is not an AZ name", { targetAvailabilityZone: "us-east-1" }, 'ecomm:resilience.targetAvailabilityZone = "us-east-1": must be an availability zone name such as us-east-1a'],
        ["zero minutes of disruption", { networkDisruptionMinutes: 0 }, "ecomm:resilience.networkDisruptionMinutes = 0: must be a whole number from 1 to 60"],
        ["an hour and a half of power loss", { azPowerLossMinutes: 90 }, "ecomm:resilience.azPowerLossMinutes = 90: must be a whole number from 1 to 60"],
        ["fractional stress minutes", { cpuStressMinutes: 2.5 }, "ecomm:resilience.cpuStressMinutes = 2.5: must be a whole number from 1 to 60"],
        ["stress above 100 %", { cpuStressPercent: 150 }, "ecomm:resilience.cpuStressPercent = 150: must be a whole number from 1 to 100"],
    ];
    for (const [what, value, expected] of cases) {
        it(what, () => assert.deepEqual(problems(raw("dev", value)), [expected]));
    }

    it("a misspelt key, listing the allowed ones", () => {
        const [p] = problems(raw("dev", { durationMinutes: 5 }));
        assert.match(p, /^ecomm:resilience\.durationMinutes = 5: unknown key\(s\) "durationMinutes"; allowed keys: enabled, targetAvailabilityZone, azPowerLossMinutes/);
    });

    it("a target AZ outside the pinned AZs", () => {
        const config = {
            ...raw("dev", { targetAvailabilityZone: "us-east-1c" }),
            "ecomm:network": JSON.stringify({ availabilityZones: 2, availabilityZoneNames: ["us-east-1a", "us-east-1b"] }),
        };
        assert.deepEqual(problems(config), [
            'ecomm:resilience.targetAvailabilityZone = "us-east-1c": must be one of the VPC\'s availability zones (ecomm:network.availabilityZoneNames): us-east-1a, us-east-1b',
        ]);
    });

    it("the stack program refuses it before registering anything", async () => {
        const err = await refused("dev", patched("dev", "ecomm:resilience", { cpuStressPercent: 0 }));
        assert.match(err.message, /ecomm:resilience\.cpuStressPercent = 0: must be a whole number from 1 to 100/);
    });
});
