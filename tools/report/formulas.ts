/**
 * Pure availability arithmetic behind the plan's HA scorecard. Every function is a formula the
 * scorecard prints beside its result; each is tested with hand-computed cases.
 */

import { healthCheckTiming, type HealthCheckTiming } from "../../Ecomm.Pulumi/web/health-check";

/**
 * The defaults the scorecard assumes when a recorded target group leaves a setting unset (ELB target
 * group docs: interval 30 s, timeout 5 s, healthy threshold 5, deregistration delay 300 s).
 */
export const TARGET_GROUP_DEFAULTS = { intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 3, deregistrationDelaySeconds: 300 } as const;

/** A target group's `healthCheck` input as recorded (every field may be unset). */
export interface RecordedHealthCheck {
    readonly interval?: number;
    readonly timeout?: number;
    readonly healthyThreshold?: number;
    readonly unhealthyThreshold?: number;
}

/**
 * A recorded target group's timing: the program's one formula (`web/health-check.ts` `healthCheckTiming`:
 * detection = interval × unhealthy threshold, healthy = interval × healthy threshold, drain = the
 * deregistration delay), with `TARGET_GROUP_DEFAULTS` for what the inputs leave unset.
 */
export function targetGroupTiming(hc: RecordedHealthCheck = {}, deregistrationDelaySeconds?: number): HealthCheckTiming {
    const d = TARGET_GROUP_DEFAULTS;
    return healthCheckTiming(
        {
            intervalSeconds: hc.interval ?? d.intervalSeconds,
            timeoutSeconds: hc.timeout ?? d.timeoutSeconds,
            healthyThreshold: hc.healthyThreshold ?? d.healthyThreshold,
            unhealthyThreshold: hc.unhealthyThreshold ?? d.unhealthyThreshold,
        },
        deregistrationDelaySeconds ?? d.deregistrationDelaySeconds,
    );
}

/** Minutes in the 30-day month the SLAs are measured over. */
export const MINUTES_PER_MONTH = 30 * 24 * 60;

/** Seconds from failure to a healthy replacement in service: detection + launch + boot + grace period. */
export function replacementSeconds(detection: number, launch: number, boot: number, gracePeriod: number): number {
    return detection + launch + boot + gracePeriod;
}

/**
 * Seconds from a bad instance's registration to its refresh rolling back: the ALB marks it unhealthy
 * (interval × unhealthy threshold), then the fastest watched alarm sees enough bad minutes (datapoints ×
 * period) plus one period for the last datapoint to be published.
 */
export function rollbackTriggerSeconds(detection: number, datapoints: number, periodSeconds: number): number {
    return detection + datapoints * periodSeconds + periodSeconds;
}

/** Seconds from a load spike to new capacity counting: alarm datapoints × period + instance warmup. */
export function scaleOutSeconds(datapoints: number, periodSeconds: number, warmupSeconds: number): number {
    return datapoints * periodSeconds + warmupSeconds;
}

/**
 * Instances left when the AZ holding the most of them fails, with `instances` spread as evenly as the
 * ASG does over `azCount` AZs (the fullest AZ holds ceil(instances / azCount)).
 */
export function capacityAfterAzLoss(instances: number, azCount: number): number {
    if (azCount <= 1) return 0;
    return instances - Math.ceil(instances / azCount);
}

/** Availability of components in series: the product of their availabilities. */
export function serial(availabilities: readonly number[]): number {
    return availabilities.reduce((a, b) => a * b, 1);
}

/** Expected minutes of downtime a month at an availability (a fraction, e.g. 0.9993). */
export function downtimeMinutes(availability: number): number {
    return (1 - availability) * MINUTES_PER_MONTH;
}

/** Fractional reduction in downtime against a baseline (0.93 = 93 % less downtime). */
export function downtimeReduction(availability: number, baseline: number): number {
    return 1 - downtimeMinutes(availability) / downtimeMinutes(baseline);
}

/** A percentage (e.g. 99.95) as a fraction (0.9995). */
export const fraction = (percent: number) => percent / 100;
