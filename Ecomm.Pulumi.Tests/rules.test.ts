import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS, STRUCTURED_KEYS } from "../Ecomm.Pulumi/config/schema";
import { availabilityZoneCount } from "../Ecomm.Pulumi/network/availability-zones";
import { experimentSettingsProblems } from "../Ecomm.Pulumi/resilience/experiments";
import { problemLine } from "../Ecomm.Pulumi/shared/problems";
import { groupSizeProblems } from "../Ecomm.Pulumi/web/scaling";
import { BUILT_IN_SERVICES, routingProblems } from "../Ecomm.Pulumi/web/services";

describe("one rule, one place", () => {
    it("docs/configuration.md documents every key of the schema", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "configuration.md"), "utf8");
        assert.ok(CONFIG_KEYS.length >= 14, CONFIG_KEYS.join(", "));
        assert.deepEqual(CONFIG_KEYS.filter((k) => !new RegExp(`\`ecomm:${k}[.\`]`).test(doc)), []);
    });

    it("group size: min above max is one problem (desired is not judged against crossed bounds); desired outside is another", () => {
        assert.deepEqual(groupSizeProblems({ minSize: 3, maxSize: 2 }), [{ path: ["minSize"], input: 3, message: "must be <= maxSize (2)" }]);
        assert.deepEqual(groupSizeProblems({ minSize: 1, maxSize: 2, desiredCapacity: 3 }), [{ path: ["desiredCapacity"], input: 3, message: "must be between minSize (1) and maxSize (2)" }]);
        assert.deepEqual(groupSizeProblems({ minSize: 0, maxSize: 1 }), []);
        assert.equal(problemLine(groupSizeProblems({ minSize: 5, maxSize: 4 })[0]), "minSize (5) must be <= maxSize (4)");
    });

    it("experiment limits: every field out of range is reported, whole numbers only", () => {
        const problems = experimentSettingsProblems({ azPowerLossMinutes: 0, networkDisruptionMinutes: 61, cpuStressMinutes: 1.5, cpuStressPercent: 101 });
        assert.deepEqual(problems.map(problemLine), [
            "azPowerLossMinutes (0) must be a whole number from 1 to 60",
            "networkDisruptionMinutes (61) must be a whole number from 1 to 60",
            "cpuStressMinutes (1.5) must be a whole number from 1 to 60",
            "cpuStressPercent (101) must be a whole number from 1 to 100",
        ]);
        assert.deepEqual(experimentSettingsProblems({ azPowerLossMinutes: 60, networkDisruptionMinutes: 1, cpuStressMinutes: 5, cpuStressPercent: 100 }), []);
    });

    it("AZ count: pinned names win over the count", () => {
        assert.equal(availabilityZoneCount({ availabilityZones: 3 }), 3);
        assert.equal(availabilityZoneCount({ availabilityZones: 3, availabilityZoneNames: ["us-east-1a", "us-east-1b"] }), 2);
    });

    it("the structured keys are derived from the schema's shape: objects, lists and maps, not strings", () => {
        assert.deepEqual([...STRUCTURED_KEYS].sort(), ["app", "backend", "database", "domain", "frontend", "loadBalancer", "logs", "monitoring", "network", "resilience", "services", "tags"]);
    });
});

describe("the service table's routing rules", () => {
    const [frontend, backend] = BUILT_IN_SERVICES;
    const keyOf = (name: string) => [name];
    const admin = { name: "admin", routing: { kind: "path", priority: 10 }, databaseClient: false, userDataRole: "backend", defaultHealthCheckPath: "/health", defaultPathPatterns: [] } as const;

    it("the built-in table routes cleanly: the frontend by default, the backend's /api/* at priority 10", () => {
        assert.deepEqual(routingProblems([{ definition: frontend, pathPatterns: [] }, { definition: backend, pathPatterns: ["/api/*"] }], keyOf), []);
        assert.deepEqual(backend.routing, { kind: "path", priority: 10 });
        assert.equal(BUILT_IN_SERVICES.filter((s) => s.databaseClient).map((s) => s.name).join(), "backend");
    });

    it("refuses a repeated priority, a pattern routed twice, patterns on the default service, and more than 5 patterns", () => {
        const problems = routingProblems(
            [
                { definition: frontend, pathPatterns: ["/x"] },
                { definition: backend, pathPatterns: ["/api/*"] },
                { definition: admin, pathPatterns: ["/api/*", "/a", "/b", "/c", "/d", "/e"] },
            ],
            keyOf,
        );
        assert.deepEqual(problems.map(problemLine), [
            'frontend.pathPatterns (["/x"]) is for path-routed services only; frontend receives every request no rule matches',
            "admin.priority (10) is already the listener-rule priority of backend",
            'admin.pathPatterns (["/api/*","/a","/b","/c","/d","/e"]) must list 1 to 5 path patterns (an ALB rule allows at most 5 condition values)',
            'admin.pathPatterns[0] ("/api/*") is already routed to backend',
        ]);
    });
});
