/** Target-group health checks: their timing, the ALB's limits, and the target group's `healthCheck` input. Pure. */

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

export function healthCheckTiming(hc: HealthCheckSettings, deregistrationDelaySeconds: number): HealthCheckTiming {
    return {
        detectionSeconds: hc.intervalSeconds * hc.unhealthyThreshold,
        healthySeconds: hc.intervalSeconds * hc.healthyThreshold,
        drainSeconds: deregistrationDelaySeconds,
    };
}

/** The ALB's limits for a health check; returns every problem (empty when valid). */
export function healthCheckProblems(hc: HealthCheckSettings): string[] {
    const problems: string[] = [];
    const range = (v: number, min: number, max: number, what: string) => {
        if (!Number.isInteger(v) || v < min || v > max) problems.push(`${what} (${v}) must be a whole number from ${min} to ${max}`);
    };
    range(hc.intervalSeconds, 5, 300, "intervalSeconds");
    range(hc.timeoutSeconds, 2, 120, "timeoutSeconds");
    range(hc.healthyThreshold, 2, 10, "healthyThreshold");
    range(hc.unhealthyThreshold, 2, 10, "unhealthyThreshold");
    if (hc.timeoutSeconds >= hc.intervalSeconds) {
        problems.push(`timeoutSeconds (${hc.timeoutSeconds}) must be less than intervalSeconds (${hc.intervalSeconds})`);
    }
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
