/** Capacity decisions: the response-time step policy and the mixed-instances type list. Pure. */

/** Instance types for a mixed-instances policy: the primary type first, then the extras, without repeats. */
export function instanceTypeOverrides(primary: string, extras: readonly string[]): string[] {
    return [...new Set([primary, ...extras])];
}

/**
 * Step-scaling steps above the response-time alarm's threshold (bounds relative to the threshold):
 * +1 instance up to twice the threshold, +2 beyond.
 */
export function responseTimeSteps(thresholdSeconds: number) {
    return [
        { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(thresholdSeconds), scalingAdjustment: 1 },
        { metricIntervalLowerBound: String(thresholdSeconds), scalingAdjustment: 2 },
    ];
}
