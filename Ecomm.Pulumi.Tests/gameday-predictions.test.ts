/** gameday's default predictions: the scorecard of an offline run of the stack's own config file. */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { offlineScorecard } from "../tools/gameday/command";
import { predictionsFromScorecard } from "../tools/gameday/measure";
import { PROJECT_ROOT } from "../tools/offline/run";

describe("gameday predictions from the offline scorecard", () => {
    it("reads prod's database failover range from its recorded graph", async () => {
        const scorecard = await offlineScorecard("prod", "prod", PROJECT_ROOT);
        assert.ok(scorecard);
        const p = predictionsFromScorecard(scorecard, "scorecard of an offline run of Pulumi.prod.yaml");
        assert.deepEqual(p.databaseRtoSeconds, [60, 120]);
        assert.equal(p.source, "scorecard of an offline run of Pulumi.prod.yaml");
    });

    it("has none for a stack without a config file", async () => {
        assert.equal(await offlineScorecard("no-such-stack", "dev", PROJECT_ROOT), undefined);
    });

    it("takes each service's first rotation and replacement figure and its fastest scale-out", () => {
        const figure = (label: string, value: number) => ({ label, value, unit: "s" as const, formula: "", from: [] });
        const p = predictionsFromScorecard(
            {
                rotation: [figure("frontend: dead instance out of rotation", 10), figure("backend: dead instance out of rotation", 15)],
                drain: [],
                replacement: [figure("frontend: failed instance replaced", 230)],
                scaleOut: [figure("backend: scale-out reaction (cpu)", 300), figure("backend: scale-out reaction (latency)", 180)],
                rollback: [],
                grace: [],
                azLoss: [],
                database: { mode: "aurora", rtoSeconds: [0, 30], rpoSeconds: 0, source: "" },
                availability: { components: [], percent: 0, downtimeMinutesPerMonth: 0, baselinePercent: 0, baselineDowntimeMinutesPerMonth: 0, downtimeReductionPercent: 0, seedClaimPercent: 35, formula: "" },
                warnings: [],
            },
            "test",
        );
        assert.deepEqual(p, {
            outOfRotationSeconds: { frontend: 10, backend: 15 },
            replacementSeconds: { frontend: 230 },
            scaleOutSeconds: { backend: 180 },
            databaseRtoSeconds: [0, 30],
            source: "test",
        });
    });
});
