/**
 * How a component refuses bad args: before it registers anything. Each component has a pure
 * `<x>ArgsProblems(args)` (built from the same rule functions the config schema calls) and calls
 * `refuseBadArgs` as the first statement of its constructor, ahead of `super(...)`, so bad args leave
 * nothing registered, not even the component itself.
 */
import * as pulumi from "@pulumi/pulumi";

/** Throws one error naming the component and every problem, when there are any. */
export function refuseBadArgs(component: string, name: string, problems: readonly string[]): void {
    if (problems.length === 0) return;
    // No resource to attach the error to: the component has not been registered, and will not be.
    throw new pulumi.ResourceError(`${component} ${name}: invalid args:\n  - ${problems.join("\n  - ")}`, undefined);
}
