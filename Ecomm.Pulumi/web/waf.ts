/** The WAF web ACL's rules: AWS managed rule groups, blocking or counting. Pure. */

/** `ecomm:loadBalancer.wafMode`: `block` (managed rules block) or `count` (they only count). */
export const WAF_MODES = ["block", "count"] as const;

/** `block`: the managed rules block what they match; `count`: they only count it (a new site's first days). */
export type WafMode = (typeof WAF_MODES)[number];

/** AWS managed WAF rule groups, in evaluation order. */
export const MANAGED_RULE_GROUPS = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

/**
 * Rules of the managed groups that only count, whatever the mode. The core rule set's `SizeRestrictions_BODY`
 * blocks every request body over 8 KB (AWS WAF Developer Guide, "Core rule set (CRS) managed rule group"):
 * cart and checkout POSTs above that would get a 403 the application never sees. Counted, it still shows
 * in the web ACL's metrics and sampled requests, with its label on the request.
 */
export const COUNTED_MANAGED_RULES: Readonly<Partial<Record<(typeof MANAGED_RULE_GROUPS)[number], readonly string[]>>> = {
    AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"],
};

/**
 * The web ACL's rules. In `block` mode each managed group acts as AWS ships it, except the counted rules
 * above; in `count` mode every group is overridden to count (`overrideAction: count`), so nothing is blocked
 * while the site's real traffic shows what would be. The ACL's default action is `allow` in both modes.
 */
export function webAclRules(metricPrefix: string, mode: WafMode) {
    return MANAGED_RULE_GROUPS.map((group, i) => {
        const counted = COUNTED_MANAGED_RULES[group] ?? [];
        return {
            name: group,
            priority: i + 1,
            overrideAction: mode === "count" ? { count: {} } : { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    ...(counted.length > 0 ? { ruleActionOverrides: counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
                },
            },
            visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}-${group}` },
        };
    });
}
