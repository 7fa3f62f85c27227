/** The web tier's load-balancer and target-group logical names, and AWS's 32-character limit on them. Pure. */

/** AWS caps ALB and target-group names at 32 characters; Pulumi's auto-naming appends "-" and 7 characters. */
export const MAX_LB_LOGICAL_NAME = 32 - 8;

/** The ALB and target-group logical names a web tier called `name` creates. */
export function loadBalancerNames(name: string): { alb: string; frontendTg: string; backendTg: string } {
    return { alb: `${name}-alb`, frontendTg: `${name}-frontend-tg`, backendTg: `${name}-backend-tg` };
}

/** Problems with a web tier's name: every ALB/target-group logical name must leave room for the suffix. */
export function webTierNameProblems(name: string): string[] {
    return Object.values(loadBalancerNames(name))
        .filter((n) => n.length > MAX_LB_LOGICAL_NAME)
        .map((n) => `"${n}" is ${n.length} characters; ALB and target-group logical names must be at most ${MAX_LB_LOGICAL_NAME} (AWS allows 32 with Pulumi's 8-character suffix)`);
}
