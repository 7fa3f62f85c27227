/** The web tier's load-balancer and target-group logical names, and AWS's 32-character limit on them. Pure. */

/** AWS caps ALB and target-group names at 32 characters; Pulumi's auto-naming appends "-" and 7 characters. */
export const MAX_LB_LOGICAL_NAME = 32 - 8;

/** The logical name of the target group of `service` in the web tier called `webTier`. */
export function targetGroupLogicalName(webTier: string, service: string): string {
    return `${webTier}-${service}-tg`;
}

/** The ALB and target-group logical names a web tier called `name` creates for these services. */
export function loadBalancerNames(name: string, services: readonly string[]): { alb: string; targetGroups: Readonly<Record<string, string>> } {
    return { alb: `${name}-alb`, targetGroups: Object.fromEntries(services.map((s) => [s, targetGroupLogicalName(name, s)])) };
}

/** Problems with a web tier's name: every ALB/target-group logical name must leave room for the suffix. */
export function webTierNameProblems(name: string, services: readonly string[]): string[] {
    const names = loadBalancerNames(name, services);
    return [names.alb, ...Object.values(names.targetGroups)]
        .filter((n) => n.length > MAX_LB_LOGICAL_NAME)
        .map((n) => `"${n}" is ${n.length} characters; ALB and target-group logical names must be at most ${MAX_LB_LOGICAL_NAME} (AWS allows 32 with Pulumi's 8-character suffix)`);
}
