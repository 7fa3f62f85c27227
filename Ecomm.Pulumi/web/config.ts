/**
 * The web tier's part of the schema: each service of the service table (`ecomm:frontend`, `ecomm:backend`),
 * the load balancer (`ecomm:loadBalancer`) and the instances' logs (`ecomm:logs`), with their defaults per
 * environment. The rules live in the web modules (group size in scaling.ts, health checks in
 * health-check.ts, the grace period in cold-boot.ts, routing across services in services.ts); the schema
 * calls them.
 */
import { z } from "zod";
import { addProblems, between, bool, int, logRetentionDays, oneOf, strict } from "../config/fields";
import type { Environment, PerEnvironment } from "../config/environments";
import { isGraviton } from "./ami";
import { COLD_BOOT_SECONDS, defaultGraceSeconds, healthySeconds, minimumGraceSeconds } from "./cold-boot";
import { HEALTH_CHECK_LIMITS, healthCheckTimeoutProblem } from "./health-check";
import { groupSizeProblems, warmPoolProblems } from "./scaling";
import { ALB_LIMITS, builtInService, configuredService, serviceNameProblem, type BuiltInServiceName, type ServiceDefinition } from "./services";
import { WAF_MODES } from "./waf";

/** Defaults every service of an environment starts from. */
export interface ServiceDefaults {
    readonly instanceType: string;
    readonly minSize: number;
    readonly maxSize: number;
    readonly healthCheckIntervalSeconds: number;
    readonly healthCheckTimeoutSeconds: number;
    readonly unhealthyThreshold: number;
    readonly instanceRefreshMinHealthyPercent: number;
}

export const SERVICE_DEFAULTS: PerEnvironment<ServiceDefaults> = {
    dev: { instanceType: "t4g.small", minSize: 1, maxSize: 2, healthCheckIntervalSeconds: 10, healthCheckTimeoutSeconds: 5, unhealthyThreshold: 3, instanceRefreshMinHealthyPercent: 50 },
    prod: { instanceType: "m7g.large", minSize: 3, maxSize: 12, healthCheckIntervalSeconds: 5, healthCheckTimeoutSeconds: 3, unhealthyThreshold: 2, instanceRefreshMinHealthyPercent: 90 },
};

export interface LoadBalancerDefaults {
    readonly accessLogs: boolean;
    readonly waf: boolean;
    readonly deletionProtection: boolean;
}

export const LOAD_BALANCER_DEFAULTS: PerEnvironment<LoadBalancerDefaults> = {
    dev: { accessLogs: false, waf: false, deletionProtection: false },
    prod: { accessLogs: true, waf: true, deletionProtection: true },
};

/** Days the instances' web-server and system logs are kept in CloudWatch Logs. */
export const LOG_RETENTION_DEFAULTS: PerEnvironment<number> = { dev: 14, prod: 90 };

/** EC2 instance types such as `t4g.small`, `m7g.large`, `c7gn.2xlarge`. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge|metal-\d+xl)$/;
const instanceType = () =>
    z.string({ error: "must be an EC2 instance type such as t4g.small" }).regex(INSTANCE_TYPE, {
        error: "must be an EC2 instance type such as t4g.small or m7g.large",
    });
const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/*?]*$/;

const limited = (key: keyof typeof HEALTH_CHECK_LIMITS) => int(HEALTH_CHECK_LIMITS[key].min, HEALTH_CHECK_LIMITS[key].max);

function healthCheckSchema(d: ServiceDefaults) {
    return strict({
        /** Seconds between checks (ALB: 5–300). */
        intervalSeconds: limited("intervalSeconds").default(d.healthCheckIntervalSeconds),
        /** Seconds to wait for a response (ALB: 2–120, and below the interval). */
        timeoutSeconds: limited("timeoutSeconds").default(d.healthCheckTimeoutSeconds),
        /** Consecutive successes before a target is healthy (2–10). */
        healthyThreshold: limited("healthyThreshold").default(2),
        /** Consecutive failures before a target is unhealthy (2–10). */
        unhealthyThreshold: limited("unhealthyThreshold").default(d.unhealthyThreshold),
    }).prefault({});
}

/** The fields every service has, defaulted for `service`. */
function serviceShape(env: Environment, service: ServiceDefinition) {
    const d = SERVICE_DEFAULTS[env];
    return {
        instanceType: instanceType().default(d.instanceType),
        minSize: int(0, 100).default(d.minSize),
        maxSize: int(1, 100).default(d.maxSize),
        /** Initial desired capacity; scaling owns it afterwards. Defaults to `minSize`. */
        desiredCapacity: int(0, 100).optional(),
        /**
         * A pinned AMI id: the OS changes only when this does. Required in prod (`npm run ami:latest -- --stack
         * prod --write` writes the current Amazon Linux 2023 id); absent in dev, the latest AL2023 for the
         * instance's architecture, read from its public SSM parameter on every run.
         */
        ami: z.string().regex(AMI_ID, { error: "must be an AMI id such as ami-0123456789abcdef0" }).optional(),
        /** The port the web server listens on. */
        port: int(1, 65535).default(80),
        healthCheckPath: z
            .string()
            .regex(URL_PATH, { error: "must be a URL path starting with /, such as /health" })
            .max(1024, { error: "must be at most 1024 characters" })
            .default(service.defaultHealthCheckPath),
        healthCheck: healthCheckSchema(d),
        /** Seconds the ALB lets in-flight requests finish on a deregistering target (0–3600). */
        deregistrationDelaySeconds: int(0, 3600).default(30),
        /**
         * Seconds after launch before ELB health checks may mark an instance unhealthy. At least a cold boot
         * plus the healthy threshold's checks (cold-boot.ts); defaults to that, rounded up to 30 s.
         */
        healthCheckGracePeriodSeconds: int(0, 7200).optional(),
        /** Seconds a new instance warms up before its metrics count for scaling. */
        instanceWarmupSeconds: int(0, 3600).default(120),
        /** Root EBS volume size (GiB, gp3, encrypted). */
        rootVolumeGb: int(8, 1024).default(20),
        /** Path patterns routed to this service (path-routed services; the frontend is the default action). */
        pathPatterns: z
            .array(z.string().regex(PATH_PATTERN, { error: "must be a path pattern such as /api/*" }))
            .min(1, { error: "must list at least one path pattern" })
            .max(ALB_LIMITS.conditionValuesPerRule, { error: `an ALB rule allows at most ${ALB_LIMITS.conditionValuesPerRule} path patterns` })
            .default([...service.defaultPathPatterns]),
        scaling: strict({
            /** Target average CPU utilisation (%) for target tracking. */
            cpuTargetPercent: int(10, 90).default(50),
            /** Target ALB requests per target per minute. */
            requestsPerTarget: int(10, 100000).default(1000),
            /** Target response time (s) above which the step policy adds instances. */
            responseTimeThresholdSeconds: between(0.05, 30, "number of seconds").default(1),
        }).prefault({}),
        instanceRefreshMinHealthyPercent: int(0, 100).default(d.instanceRefreshMinHealthyPercent),
        /** A pool of pre-initialised stopped instances for faster scale-out (costs EBS while stopped). */
        warmPool: strict({
            enabled: bool().default(false),
            minSize: int(0, 100).default(1),
        }).prefault({}),
        /** Extra instance types for a mixed-instances policy (same architecture as `instanceType`). */
        mixedInstanceTypes: z.array(instanceType()).max(10, { error: "at most 10 instance types" }).default([]),
    };
}

interface ServiceFields {
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity?: number;
    readonly instanceType: string;
    readonly mixedInstanceTypes: readonly string[];
    readonly warmPool: { readonly enabled: boolean };
    readonly healthCheck: { readonly intervalSeconds: number; readonly timeoutSeconds: number; readonly healthyThreshold: number; readonly unhealthyThreshold: number };
    readonly healthCheckGracePeriodSeconds?: number;
}

/** The rules of one service's settings (each a function of its own module), as issues. */
function serviceRules(s: ServiceFields, ctx: z.RefinementCtx): void {
    addProblems(ctx, groupSizeProblems(s));
    const timeout = healthCheckTimeoutProblem(s.healthCheck);
    if (timeout) addProblems(ctx, [timeout], ["healthCheck"]);
    addProblems(ctx, warmPoolProblems(s));
    const grace = s.healthCheckGracePeriodSeconds;
    if (grace !== undefined && grace < minimumGraceSeconds(s.healthCheck)) {
        ctx.addIssue({
            code: "custom",
            path: ["healthCheckGracePeriodSeconds"],
            input: grace,
            message: `must be at least ${minimumGraceSeconds(s.healthCheck)}: a cold boot takes about ${COLD_BOOT_SECONDS} s before nginx answers, then healthCheck.intervalSeconds × healthyThreshold = ${healthySeconds(s.healthCheck)} s to turn healthy (cold-boot.ts); a shorter grace replaces instances that were still booting`,
        });
    }
    const arch = (t: string) => (isGraviton(t) ? "arm64" : "x86_64");
    s.mixedInstanceTypes.forEach((t, i) => {
        if (arch(t) !== arch(s.instanceType)) {
            ctx.addIssue({
                code: "custom",
                path: ["mixedInstanceTypes", i],
                input: t,
                message: `must have the same architecture as instanceType ${s.instanceType} (${arch(s.instanceType)})`,
            });
        }
    });
}

const withGrace = <T extends { healthCheck: { intervalSeconds: number; healthyThreshold: number }; healthCheckGracePeriodSeconds?: number }>(s: T) => ({
    ...s,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds ?? defaultGraceSeconds(s.healthCheck),
});

/** `ecomm:frontend` / `ecomm:backend`. */
export function serviceSchema(env: Environment, name: BuiltInServiceName) {
    const service = builtInService(name);
    return strict(serviceShape(env, service))
        .prefault({})
        .superRefine((s, ctx) => {
            serviceRules(s, ctx);
            if (service.routing.kind === "default" && s.pathPatterns.length > 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["pathPatterns"],
                    input: s.pathPatterns,
                    message: `is for the backend only; the ${name} receives every request no rule matches`,
                });
            }
        })
        .transform(withGrace);
}

/**
 * `ecomm:services`: services beyond the built-in two, by name, each with the settings of `ecomm:frontend`
 * plus the path patterns the ALB routes to it and its listener-rule priority:
 *
 * ```yaml
 * ecomm:services:
 *   admin:
 *     pathPatterns: ["/admin/*"]
 *     priority: 20
 * ```
 * Names, priorities and patterns across services are checked by `routingProblems` (services.ts).
 */
export function extraServicesSchema(env: Environment) {
    const service = strict({
        ...serviceShape(env, configuredService("", ALB_LIMITS.minPriority)),
        /** The listener-rule priority (1–50000, unique; lower is evaluated first; the backend's is 10). */
        priority: int(ALB_LIMITS.minPriority, ALB_LIMITS.maxPriority),
    })
        .superRefine(serviceRules)
        .transform(withGrace);
    return z
        .record(z.string(), service, { error: "must be a map of service names to their settings" })
        .default({})
        .superRefine((services, ctx) => {
            for (const name of Object.keys(services)) {
                const problem = serviceNameProblem(name);
                if (problem) ctx.addIssue({ code: "custom", path: [name], input: name, message: problem });
            }
        });
}

export function loadBalancerSchema(env: Environment) {
    const d = LOAD_BALANCER_DEFAULTS[env];
    return strict({
        accessLogs: strict({
            enabled: bool().default(d.accessLogs),
            /** Days before access-log objects expire. */
            retentionDays: int(1, 3650).default(90),
        }).prefault({}),
        /** A WAF web ACL with AWS managed rule groups in front of the ALB. */
        waf: bool().default(d.waf),
        /** `block` (the managed rules block) or `count` (they only count: a new site's first days). */
        wafMode: oneOf(WAF_MODES).default("block"),
        deletionProtection: bool().default(d.deletionProtection),
        idleTimeoutSeconds: int(1, 4000).default(60),
    })
        .prefault({})
        .superRefine((lb, ctx) => {
            if (lb.wafMode === "count" && !lb.waf)
                ctx.addIssue({ code: "custom", path: ["wafMode"], input: lb.wafMode, message: "has no effect without a web ACL: set ecomm:loadBalancer.waf to true, or remove wafMode" });
        });
}

export function logsSchema(env: Environment) {
    return strict({
        /** Days CloudWatch Logs keeps each service's access, error and system logs. */
        retentionDays: logRetentionDays().default(LOG_RETENTION_DEFAULTS[env]),
    }).prefault({});
}

export type ServiceConfig = z.output<ReturnType<typeof serviceSchema>>;
/** One entry of `ecomm:services`. */
export type ExtraServiceConfig = z.output<ReturnType<typeof extraServicesSchema>>[string];
export type LoadBalancerConfig = z.output<ReturnType<typeof loadBalancerSchema>>;
