/** Capacity decisions: the group-size rule, the response-time step policy and the mixed-instances type list. Pure. */
import type { RuleProblem } from "../shared/problems";

/** A group's size: fewest, most, and the initial desired capacity (defaults to the fewest). */
export interface GroupSize {
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity?: number;
}

/**
 * The one min ≤ desired ≤ max rule, for the config schema (`ecomm:<service>`), `ServiceComponent` and the
 * monitoring plan alike.
 */
export function groupSizeProblems(size: GroupSize): RuleProblem[] {
    if (size.minSize > size.maxSize) {
        // The desired capacity cannot be judged against crossed bounds: fix those first.
        return [{ path: ["minSize"], input: size.minSize, message: `must be <= maxSize (${size.maxSize})` }];
    }
    const desired = size.desiredCapacity ?? size.minSize;
    if (desired < size.minSize || desired > size.maxSize) {
        return [{ path: ["desiredCapacity"], input: desired, message: `must be between minSize (${size.minSize}) and maxSize (${size.maxSize})` }];
    }
    return [];
}

/** A warm pool with a mixed-instances policy: EC2 Auto Scaling supports only one of them per group. */
export function warmPoolProblems(s: { readonly warmPool?: { readonly enabled: boolean }; readonly mixedInstanceTypes?: readonly string[] }): RuleProblem[] {
    if (s.warmPool?.enabled !== true || (s.mixedInstanceTypes?.length ?? 0) === 0) return [];
    return [{ path: ["warmPool", "enabled"], input: true, message: "cannot be combined with mixedInstanceTypes (EC2 Auto Scaling does not support warm pools with a mixed instances policy)" }];
}

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
