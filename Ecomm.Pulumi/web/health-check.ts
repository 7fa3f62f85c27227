/** Target-group health checks: their timing, the ALB's limits, and the target group's `healthCheck` input. Pure. */
import type { RuleProblem } from "../shared/problems";
import { healthySeconds } from "./cold-boot";

/** Target-group health-check settings, as in `ecomm:<service>.healthCheck`. */
export interface HealthCheckSettings {
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
}

/** How quickly the ALB reacts to an instance's health. */
export interface HealthCheckTiming {
    /** Seconds from an instance's death until the ALB stops routing to it: interval × unhealthy threshold. */
    readonly detectionSeconds: number;
    /** Seconds from a new instance answering until it receives traffic: interval × healthy threshold. */
    readonly healthySeconds: number;
    /** Seconds in-flight requests may finish on a deregistering target (the deregistration delay). */
    readonly drainSeconds: number;
}

/**
 * The one health-check timing formula. The plan's scorecard reads its figures through it
 * (`tools/report/formulas.ts` `targetGroupTiming`); the healthy part is `cold-boot.ts`'s `healthySeconds`,
 * which the grace-period rule uses.
 */
export function healthCheckTiming(hc: HealthCheckSettings, deregistrationDelaySeconds: number): HealthCheckTiming {
    return {
        detectionSeconds: hc.intervalSeconds * hc.unhealthyThreshold,
        healthySeconds: healthySeconds(hc),
        drainSeconds: deregistrationDelaySeconds,
    };
}

/** The ALB's limits for each health-check setting (whole numbers, inclusive). */
export const HEALTH_CHECK_LIMITS = {
    intervalSeconds: { min: 5, max: 300 },
    timeoutSeconds: { min: 2, max: 120 },
    healthyThreshold: { min: 2, max: 10 },
    unhealthyThreshold: { min: 2, max: 10 },
} as const satisfies Record<keyof HealthCheckSettings, { readonly min: number; readonly max: number }>;

/** The ALB's cross-field rule: a check must time out before the next one starts. */
export function healthCheckTimeoutProblem(hc: HealthCheckSettings): RuleProblem | undefined {
    return hc.timeoutSeconds >= hc.intervalSeconds
        ? { path: ["timeoutSeconds"], input: hc.timeoutSeconds, message: `must be less than healthCheck.intervalSeconds (${hc.intervalSeconds})` }
        : undefined;
}

/** The ALB's limits for a health check (ranges, then timeout < interval); every problem, empty when valid. */
export function healthCheckProblems(hc: HealthCheckSettings): RuleProblem[] {
    const problems: RuleProblem[] = [];
    for (const [key, { min, max }] of Object.entries(HEALTH_CHECK_LIMITS) as [keyof HealthCheckSettings, { min: number; max: number }][]) {
        const v = hc[key];
        if (!Number.isInteger(v) || v < min || v > max) problems.push({ path: [key], input: v, message: `must be a whole number from ${min} to ${max}` });
    }
    const timeout = healthCheckTimeoutProblem(hc);
    if (timeout) problems.push(timeout);
    return problems;
}

/** The target group's `healthCheck` input for a service. */
export function targetGroupHealthCheck(path: string, hc: HealthCheckSettings) {
    return {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path,
        matcher: "200",
        interval: hc.intervalSeconds,
        timeout: hc.timeoutSeconds,
        healthyThreshold: hc.healthyThreshold,
        unhealthyThreshold: hc.unhealthyThreshold,
    };
}
