/**
 * Pure decisions for the web tier: health-check timing, listener layout, AMI parameter, access-log
 * principal, instance-refresh preferences (user data: `userdata/render.ts`). No Pulumi resources, no AWS calls;
 * tested without the engine in `web-plan.test.ts`.
 */
import { isGraviton, WAF_MODES } from "../config/schema";

/** The TLS policy for HTTPS listeners: TLS 1.3, with TLS 1.2 for older clients (AWS's recommended policy). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

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

/** The listeners the ALB gets: HTTPS with an HTTP→HTTPS redirect when a certificate is set, else HTTP only. */
export interface ListenerPlan {
    /** The port serving traffic (forward to the services). */
    readonly servingPort: 80 | 443;
    readonly servingProtocol: "HTTP" | "HTTPS";
    /** Whether port 80 only redirects (301) to 443. */
    readonly redirectHttp: boolean;
    /** Ports open to the internet on the ALB's security group. */
    readonly openPorts: readonly number[];
    /** The site's URL scheme. */
    readonly scheme: "http" | "https";
}

export function listenerPlan(hasCertificate: boolean): ListenerPlan {
    return hasCertificate
        ? { servingPort: 443, servingProtocol: "HTTPS", redirectHttp: true, openPorts: [80, 443], scheme: "https" }
        : { servingPort: 80, servingProtocol: "HTTP", redirectHttp: false, openPorts: [80], scheme: "http" };
}

/** The public SSM parameter holding the latest Amazon Linux 2023 AMI for the instance type's architecture. */
export function al2023AmiParameter(instanceType: string): string {
    const arch = isGraviton(instanceType) ? "arm64" : "x86_64";
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

/**
 * Regions where ELB writes access logs from its own AWS account (the bucket policy names that account):
 * every Region available before August 2022, Asia Pacific (Jakarta, ap-southeast-3, account
 * 589379963580) included. Regions opened since August 2022 use the
 * `logdelivery.elasticloadbalancing.amazonaws.com` principal.
 * Source: ELB User Guide, "Enable access logs for your Application Load Balancer", step 2.
 */
export const ELB_ACCOUNT_REGIONS: ReadonlySet<string> = new Set([
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1",
    "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
]);

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Which principal the access-log bucket policy must allow in a region. */
export function accessLogPrincipalKind(region: string): "elb-account" | "service" {
    return ELB_ACCOUNT_REGIONS.has(region) ? "elb-account" : "service";
}

/** What makes a refresh roll itself back (see `ServiceComponentArgs.refreshRollback`). */
export interface RefreshRollback {
    readonly alarmNames: readonly string[];
    readonly checkpointDelaySeconds: number;
}

/**
 * Checkpoints of a rolling refresh: half the group, then all of it. At each, EC2 Auto Scaling pauses for the
 * checkpoint delay; the pause at 100 % is what lets the alarms judge the last instances before the refresh
 * counts as done (a finished refresh can no longer roll back).
 */
export const REFRESH_CHECKPOINT_PERCENTAGES = [50, 100] as const;

/** StartInstanceRefresh accepts at most 10 alarms in an alarm specification. */
export const MAX_REFRESH_ALARMS = 10;

/**
 * Instance-refresh preferences: keep `minHealthyPercent` of the group in service, and (without a warm
 * pool) launch replacements before terminating (max healthy = min + 100, at most 200), so a 3-instance
 * group never drops to 2 while refreshing. Instances already on the new template are skipped.
 *
 * Always `autoRollback`: a refresh that fails (new instances never healthy) is undone without a person. It
 * works because the group pins a numbered template version whose image is an AMI id, not `$Latest` nor an
 * SSM alias (EC2 Auto Scaling API Reference, RefreshPreferences.AutoRollback). With `rollback` alarms, it
 * also rolls back as soon as one of them goes to ALARM, and pauses at each checkpoint for them to judge.
 */
export function instanceRefreshPreferences(minHealthyPercent: number, instanceWarmupSeconds: number, warmPool: boolean, rollback?: RefreshRollback) {
    if (rollback) {
        if (rollback.alarmNames.length === 0 || rollback.alarmNames.length > MAX_REFRESH_ALARMS)
            throw new Error(`an instance refresh watches 1 to ${MAX_REFRESH_ALARMS} alarms, not ${rollback.alarmNames.length}`);
        if (!Number.isInteger(rollback.checkpointDelaySeconds) || rollback.checkpointDelaySeconds < 0 || rollback.checkpointDelaySeconds > 172800)
            throw new Error(`checkpointDelaySeconds (${rollback.checkpointDelaySeconds}) must be a whole number from 0 to 172800`);
    }
    return {
        minHealthyPercentage: minHealthyPercent,
        ...(warmPool ? {} : { maxHealthyPercentage: Math.min(200, minHealthyPercent + 100) }),
        instanceWarmup: String(instanceWarmupSeconds),
        skipMatching: true,
        autoRollback: true,
        ...(rollback
            ? {
                  alarmSpecification: { alarms: [...rollback.alarmNames] },
                  checkpointPercentages: [...REFRESH_CHECKPOINT_PERCENTAGES],
                  checkpointDelay: String(rollback.checkpointDelaySeconds),
              }
            : {}),
    };
}

// ---------------------------------------------------------------------------------------------------
// WAF
// ---------------------------------------------------------------------------------------------------

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
