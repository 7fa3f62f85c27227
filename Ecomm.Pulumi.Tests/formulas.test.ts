import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
    capacityAfterAzLoss, downtimeMinutes, downtimeReduction, fraction, replacementSeconds, scaleOutSeconds, serial,
    targetGroupTiming,
} from "../tools/report/formulas";

const close = (actual: number, expected: number, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `${actual} != ${expected}`);

describe("scorecard formulas (hand-computed)", () => {
    // The scorecard's timing is the program's formula (web/health-check.ts healthCheckTiming) with defaults.
    it("detection = interval x unhealthy threshold, with AWS defaults 30 s x 3", () => {
        assert.equal(targetGroupTiming({ interval: 5, unhealthyThreshold: 2 }).detectionSeconds, 10);
        assert.equal(targetGroupTiming({ interval: 10, unhealthyThreshold: 3 }).detectionSeconds, 30);
        assert.equal(targetGroupTiming().detectionSeconds, 90);
        assert.equal(targetGroupTiming({ unhealthyThreshold: 2 }).detectionSeconds, 60);
    });
    it("healthy = interval x healthy threshold, with AWS defaults 30 s x 5", () => {
        assert.equal(targetGroupTiming({ interval: 10, healthyThreshold: 2 }).healthySeconds, 20);
        assert.equal(targetGroupTiming().healthySeconds, 150);
    });
    it("drain = deregistration delay, AWS default 300 s", () => {
        assert.equal(targetGroupTiming({}, 30).drainSeconds, 30);
        assert.equal(targetGroupTiming().drainSeconds, 300);
        assert.equal(targetGroupTiming({}, 0).drainSeconds, 0);
    });
    it("replacement = detection + launch + boot + grace", () => {
        assert.equal(replacementSeconds(10, 40, 60, 120), 230);
    });
    it("scale-out = datapoints x period + warmup", () => {
        assert.equal(scaleOutSeconds(3, 60, 120), 300);
        assert.equal(scaleOutSeconds(2, 60, 0), 120);
    });
    it("capacity after losing the fullest AZ", () => {
        assert.equal(capacityAfterAzLoss(3, 3), 2);
        assert.equal(capacityAfterAzLoss(4, 3), 2); // 2+1+1: losing the AZ with 2 leaves 2
        assert.equal(capacityAfterAzLoss(1, 2), 0);
        assert.equal(capacityAfterAzLoss(6, 3), 4);
        assert.equal(capacityAfterAzLoss(5, 1), 0);
    });
    it("serial availability and downtime", () => {
        close(serial([0.9999, 0.9999, 0.9995]), 0.9999 * 0.9999 * 0.9995);
        close(downtimeMinutes(0.999), 43.2);
        close(downtimeMinutes(1), 0);
        close(fraction(99.95), 0.9995);
        // prod path vs a single-AZ, single-instance baseline
        const prod = serial([0.9999, 0.9999, 0.9995]);
        const baseline = serial([0.9999, 0.995, 0.995]);
        close(downtimeMinutes(prod), 30.2352, 1e-3);
        close(downtimeMinutes(baseline), 435.4, 1);
        assert.ok(downtimeReduction(prod, baseline) > 0.93);
        close(downtimeReduction(0.99, 0.98), 0.5);
    });
});
