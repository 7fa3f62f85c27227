/**
 * The stack's configuration: one zod schema per environment is the single source of every default and
 * rule. The stack program reads config once (`loadStackConfig`), components receive the typed result and
 * never read config themselves.
 *
 * Every problem is collected and reported at once, each naming the full key (`ecomm:frontend.minSize`),
 * the bad value and what is allowed, before any resource is registered.
 */
import { z } from "zod";
import { isGraviton } from "../web/ami";
import { WAF_MODES } from "../web/waf";
import { NamespaceConfigError, parseNamespace, strictObject, type ConfigProblem } from "./parse";
import { parseCidr } from "../network/subnets";
import { databaseRuleProblems, defaultEngineVersion, requiredAvailabilityZones } from "../database/rules";
import { MAX_USER_TAGS, tagKeyProblem, tagValueProblem } from "../shared/tags";
import { AZ_NAME, isZoneOfRegion, targetZoneProblem, zoneOfRegionRule } from "../network/availability-zones";
import { REQUIRED_VALUES, requiredValueFix } from "./placeholders";
import { COLD_BOOT_SECONDS, defaultGraceSeconds, healthySeconds, minimumGraceSeconds } from "../web/cold-boot";

export const CONFIG_NAMESPACE = "ecomm";

export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** CloudWatch Logs accepts only these retention periods (days); 0 is not one of them. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const NAT_STRATEGIES = ["perAz", "single", "none"] as const;
export const DATABASE_MODES = ["single-az", "multi-az-instance", "multi-az-cluster", "aurora"] as const;
export const DATABASE_ENGINES = ["postgres", "mysql"] as const;
/** Enhanced Monitoring intervals RDS accepts (0 turns it off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

// ---------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------

const strict = strictObject;

const int = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

const bool = () => z.boolean({ error: "must be true or false" });

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of: ${values.join(" | ")}` });
}

function oneOfNumbers<const T extends readonly number[]>(values: T, what: string) {
    return z
        .number({ error: `must be one of the ${what}: ${values.join(", ")}` })
        .refine((v) => (values as readonly number[]).includes(v), {
            error: `must be one of the ${what}: ${values.join(", ")}`,
        });
}

/** EC2 instance types such as `t4g.small`, `m7g.large`, `c7gn.2xlarge`. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge|metal-\d+xl)$/;
const instanceType = () =>
    z.string({ error: "must be an EC2 instance type such as t4g.small" }).regex(INSTANCE_TYPE, {
        error: "must be an EC2 instance type such as t4g.small or m7g.large",
    });

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/*?]*$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** RDS window formats: `hh24:mi-hh24:mi` and `ddd:hh24:mi-ddd:hh24:mi` (UTC). */
export const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
export const MAINTENANCE_WINDOW =
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

// ---------------------------------------------------------------------------------------------------
// Per-environment defaults: the only place defaults are written
// ---------------------------------------------------------------------------------------------------

interface EnvDefaults {
    readonly cidrBlock: string;
    readonly availabilityZones: number;
    readonly natGateways: (typeof NAT_STRATEGIES)[number];
    readonly flowLogRetentionDays: number;
    /** Days the instances' web-server and system logs are kept in CloudWatch Logs. */
    readonly logRetentionDays: number;
    readonly frontendInstanceType: string;
    readonly backendInstanceType: string;
    readonly minSize: number;
    readonly maxSize: number;
    readonly healthCheckIntervalSeconds: number;
    readonly healthCheckTimeoutSeconds: number;
    readonly unhealthyThreshold: number;
    readonly instanceRefreshMinHealthyPercent: number;
    readonly accessLogs: boolean;
    readonly waf: boolean;
    readonly albDeletionProtection: boolean;
    readonly databaseMode: (typeof DATABASE_MODES)[number];
    readonly databaseInstanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly backupRetentionDays: number;
    readonly databaseDeletionProtection: boolean;
    /** Database modifications now (dev) or in the maintenance window (prod). */
    readonly databaseApplyImmediately: boolean;
    readonly monitoringIntervalSeconds: number;
    readonly target5xxRatePercent: number;
    readonly p99LatencySeconds: number;
    /** Sized for the default instance class: ~70% of its default max_connections. */
    readonly dbConnections: number;
    /** Sized for the default instance class's RAM (db.t4g.micro 1 GiB, db.m7g.large 8 GiB). */
    readonly dbFreeableMemoryMb: number;
    /** Sized for the default allocated storage (20 GiB dev, 100 GiB prod). */
    readonly dbFreeStorageGb: number;
    readonly resilienceEnabled: boolean;
}

export const ENV_DEFAULTS: Readonly<Record<Environment, EnvDefaults>> = {
    dev: {
        cidrBlock: "10.10.0.0/16",
        availabilityZones: 2,
        natGateways: "single",
        flowLogRetentionDays: 14,
        logRetentionDays: 14,
        frontendInstanceType: "t4g.small",
        backendInstanceType: "t4g.small",
        minSize: 1,
        maxSize: 2,
        healthCheckIntervalSeconds: 10,
        healthCheckTimeoutSeconds: 5,
        unhealthyThreshold: 3,
        instanceRefreshMinHealthyPercent: 50,
        accessLogs: false,
        waf: false,
        albDeletionProtection: false,
        databaseMode: "single-az",
        databaseInstanceClass: "db.t4g.micro",
        allocatedStorageGb: 20,
        maxAllocatedStorageGb: 100,
        backupRetentionDays: 1,
        databaseDeletionProtection: false,
        databaseApplyImmediately: true,
        monitoringIntervalSeconds: 0,
        target5xxRatePercent: 10,
        p99LatencySeconds: 3,
        // db.t4g.micro allows roughly 80 (MySQL) to 110 (PostgreSQL) connections by default.
        dbConnections: 50,
        dbFreeableMemoryMb: 100,
        dbFreeStorageGb: 4,
        resilienceEnabled: true,
    },
    prod: {
        cidrBlock: "10.20.0.0/16",
        availabilityZones: 3,
        natGateways: "perAz",
        flowLogRetentionDays: 90,
        logRetentionDays: 90,
        frontendInstanceType: "m7g.large",
        backendInstanceType: "m7g.large",
        minSize: 3,
        maxSize: 12,
        healthCheckIntervalSeconds: 5,
        healthCheckTimeoutSeconds: 3,
        unhealthyThreshold: 2,
        instanceRefreshMinHealthyPercent: 90,
        accessLogs: true,
        waf: true,
        albDeletionProtection: true,
        databaseMode: "multi-az-instance",
        databaseInstanceClass: "db.m7g.large",
        allocatedStorageGb: 100,
        maxAllocatedStorageGb: 500,
        backupRetentionDays: 14,
        databaseDeletionProtection: true,
        databaseApplyImmediately: false,
        monitoringIntervalSeconds: 30,
        target5xxRatePercent: 2,
        p99LatencySeconds: 1.5,
        // db.m7g.large allows roughly 650 (MySQL) to 850 (PostgreSQL) connections by default.
        dbConnections: 400,
        dbFreeableMemoryMb: 512,
        dbFreeStorageGb: 10,
        resilienceEnabled: false,
    },
};

// ---------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------

function networkSchema(d: EnvDefaults) {
    return strict({
        /** The VPC's IPv4 range: a private (RFC 1918) block from /16 to /20. */
        cidrBlock: z
            .string({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" })
            .default(d.cidrBlock)
            .superRefine((value, ctx) => {
                const problem = cidrProblem(value);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            }),
        /** How many AZs to spread over (2–6); the first N the region offers unless pinned. */
        availabilityZones: int(2, 6).default(d.availabilityZones),
        /** Pinned AZ names; their count must equal `availabilityZones`. */
        availabilityZoneNames: z
            .array(
                z.string().regex(AZ_NAME, {
                    error: "must be an availability zone name such as us-east-1a (Local Zones and Wavelength Zones are not Availability Zones)",
                }),
                { error: "must be a list of availability zone names" },
            )
            .optional(),
        /** `perAz`: one NAT gateway per AZ (survives an AZ loss); `single`: one, cheaper; `none`: no egress. */
        natGateways: oneOf(NAT_STRATEGIES).default(d.natGateways),
        flowLogs: strict({
            enabled: bool().default(true),
            retentionDays: oneOfNumbers(LOG_RETENTION_DAYS, "CloudWatch Logs retention periods").default(
                d.flowLogRetentionDays,
            ),
        }).prefault({}),
    })
        .prefault({})
        .superRefine((n, ctx) => {
            const names = n.availabilityZoneNames;
            if (names === undefined) return;
            if (names.length !== n.availabilityZones) {
                ctx.addIssue({
                    code: "custom",
                    path: ["availabilityZoneNames"],
                    input: names,
                    message: `must list exactly availabilityZones (${n.availabilityZones}) names`,
                });
            }
            if (new Set(names).size !== names.length) {
                ctx.addIssue({ code: "custom", path: ["availabilityZoneNames"], input: names, message: "must not repeat an availability zone" });
            }
        });
}

function healthCheckSchema(d: EnvDefaults) {
    return strict({
        /** Seconds between checks (ALB: 5–300). */
        intervalSeconds: int(5, 300).default(d.healthCheckIntervalSeconds),
        /** Seconds to wait for a response (ALB: 2–120, and below the interval). */
        timeoutSeconds: int(2, 120).default(d.healthCheckTimeoutSeconds),
        /** Consecutive successes before a target is healthy (2–10). */
        healthyThreshold: int(2, 10).default(2),
        /** Consecutive failures before a target is unhealthy (2–10). */
        unhealthyThreshold: int(2, 10).default(d.unhealthyThreshold),
    }).prefault({});
}

function serviceSchema(d: EnvDefaults, role: "frontend" | "backend") {
    return strict({
        instanceType: instanceType().default(role === "frontend" ? d.frontendInstanceType : d.backendInstanceType),
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
            .default(role === "frontend" ? "/health" : "/api/health"),
        healthCheck: healthCheckSchema(d),
        /** Seconds the ALB lets in-flight requests finish on a deregistering target (0–3600). */
        deregistrationDelaySeconds: int(0, 3600).default(30),
        /**
         * Seconds after launch before ELB health checks may mark an instance unhealthy. At least a cold boot
         * plus the healthy threshold's checks (boot-plan.ts); defaults to that, rounded up to 30 s.
         */
        healthCheckGracePeriodSeconds: int(0, 7200).optional(),
        /** Seconds a new instance warms up before its metrics count for scaling. */
        instanceWarmupSeconds: int(0, 3600).default(120),
        /** Root EBS volume size (GiB, gp3, encrypted). */
        rootVolumeGb: int(8, 1024).default(20),
        /** Path patterns routed to this service (backend only; the frontend is the default action). */
        pathPatterns: z
            .array(z.string().regex(PATH_PATTERN, { error: "must be a path pattern such as /api/*" }))
            .min(1, { error: "must list at least one path pattern" })
            .max(5, { error: "an ALB rule allows at most 5 path patterns" })
            .default(role === "backend" ? ["/api/*"] : []),
        scaling: strict({
            /** Target average CPU utilisation (%) for target tracking. */
            cpuTargetPercent: int(10, 90).default(50),
            /** Target ALB requests per target per minute. */
            requestsPerTarget: int(10, 100000).default(1000),
            /** Target response time (s) above which the step policy adds instances. */
            responseTimeThresholdSeconds: z
                .number({ error: "must be a number of seconds from 0.05 to 30" })
                .min(0.05, { error: "must be a number of seconds from 0.05 to 30" })
                .max(30, { error: "must be a number of seconds from 0.05 to 30" })
                .default(1),
        }).prefault({}),
        instanceRefreshMinHealthyPercent: int(0, 100).default(d.instanceRefreshMinHealthyPercent),
        /** A pool of pre-initialised stopped instances for faster scale-out (costs EBS while stopped). */
        warmPool: strict({
            enabled: bool().default(false),
            minSize: int(0, 100).default(1),
        }).prefault({}),
        /** Extra instance types for a mixed-instances policy (same architecture as `instanceType`). */
        mixedInstanceTypes: z.array(instanceType()).max(10, { error: "at most 10 instance types" }).default([]),
    })
        .prefault({})
        .superRefine((s, ctx) => {
            const desired = s.desiredCapacity ?? s.minSize;
            if (s.minSize > s.maxSize) {
                ctx.addIssue({ code: "custom", path: ["minSize"], input: s.minSize, message: `must be <= maxSize (${s.maxSize})` });
            }
            if (desired < s.minSize || desired > s.maxSize) {
                ctx.addIssue({
                    code: "custom",
                    path: ["desiredCapacity"],
                    input: desired,
                    message: `must be between minSize (${s.minSize}) and maxSize (${s.maxSize})`,
                });
            }
            if (s.healthCheck.timeoutSeconds >= s.healthCheck.intervalSeconds) {
                ctx.addIssue({
                    code: "custom",
                    path: ["healthCheck", "timeoutSeconds"],
                    input: s.healthCheck.timeoutSeconds,
                    message: `must be less than healthCheck.intervalSeconds (${s.healthCheck.intervalSeconds})`,
                });
            }
            if (role === "frontend" && s.pathPatterns.length > 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["pathPatterns"],
                    input: s.pathPatterns,
                    message: "is for the backend only; the frontend receives every request no rule matches",
                });
            }
            if (s.warmPool.enabled && s.mixedInstanceTypes.length > 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["warmPool", "enabled"],
                    input: true,
                    message: "cannot be combined with mixedInstanceTypes (EC2 Auto Scaling does not support warm pools with a mixed instances policy)",
                });
            }
            const grace = s.healthCheckGracePeriodSeconds;
            if (grace !== undefined && grace < minimumGraceSeconds(s.healthCheck)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["healthCheckGracePeriodSeconds"],
                    input: grace,
                    message: `must be at least ${minimumGraceSeconds(s.healthCheck)}: a cold boot takes about ${COLD_BOOT_SECONDS} s before nginx answers, then healthCheck.intervalSeconds × healthyThreshold = ${healthySeconds(s.healthCheck)} s to turn healthy (boot-plan.ts); a shorter grace replaces instances that were still booting`,
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
        })
        .transform((s) => ({ ...s, healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds ?? defaultGraceSeconds(s.healthCheck) }));
}

function databaseSchema(d: EnvDefaults) {
    return strict({
        /** `single-az` (dev only), `multi-az-instance`, `multi-az-cluster` or `aurora`. */
        mode: oneOf(DATABASE_MODES).default(d.databaseMode),
        engine: oneOf(DATABASE_ENGINES).default("postgres"),
        /**
         * The major version (`17`, `8.4`; Aurora MySQL `8.0`), RDS picking and upgrading the minor; a full
         * version (`17.7`) only with autoMinorVersionUpgrade false. Default: defaultEngineVersion().
         */
        engineVersion: z
            .string()
            .regex(/^\d+(\.\d+){0,2}([._][a-z0-9_.]+)?$/, { error: "must be an engine version such as 17 or 8.4" })
            .optional(),
        /** RDS applies new minor versions in the maintenance window (then engineVersion names the major only). */
        autoMinorVersionUpgrade: bool().default(true),
        /** The switch for a major upgrade: lets a raised engineVersion major reach RDS (needs applyImmediately). */
        allowMajorVersionUpgrade: bool().default(false),
        /** Apply modifications now instead of in the maintenance window. */
        applyImmediately: bool().default(d.databaseApplyImmediately),
        instanceClass: z
            .string()
            .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an RDS instance class such as db.m7g.large" })
            .default(d.databaseInstanceClass),
        allocatedStorageGb: int(20, 65536).default(d.allocatedStorageGb),
        maxAllocatedStorageGb: int(20, 65536).default(d.maxAllocatedStorageGb),
        /** Days of automated backups (0–35; prod needs 7 or more). */
        backupRetentionDays: int(0, 35).default(d.backupRetentionDays),
        deletionProtection: bool().default(d.databaseDeletionProtection),
        /** Name of the initial database. */
        dbName: z
            .string()
            .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, { error: "must start with a letter and contain only letters, digits and _ (1–63)" })
            .default("shop"),
        /** Daily backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes. */
        backupWindow: z.string().regex(BACKUP_WINDOW, { error: "must be hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00" }).default("03:00-04:00"),
        /** Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes. */
        maintenanceWindow: z
            .string()
            .regex(MAINTENANCE_WINDOW, { error: "must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:06:00" })
            .default("sun:05:00-sun:06:00"),
        performanceInsights: bool().default(true),
        monitoringIntervalSeconds: oneOfNumbers(MONITORING_INTERVALS, "Enhanced Monitoring intervals").default(
            d.monitoringIntervalSeconds,
        ),
        /** Number of Aurora readers (aurora mode), each in another AZ than the writer. */
        readerCount: int(1, 15).default(1),
        /** Region to replicate automated backups to (instance modes), e.g. us-west-2. */
        backupReplicationRegion: z.string().regex(REGION, { error: "must be an AWS region such as us-west-2" }).optional(),
    })
        .prefault({})
        .transform((db) => ({ ...db, engineVersion: db.engineVersion ?? defaultEngineVersion(db.mode, db.engine) }))
        .superRefine((db, ctx) => {
            for (const p of databaseRuleProblems(db)) {
                ctx.addIssue({ code: "custom", path: [p.field], input: db[p.field], message: p.message });
            }
        });
}

function monitoringSchema(d: EnvDefaults) {
    return strict({
        /** Addresses subscribed to the alert topic (each must confirm the subscription). */
        alarmEmails: z
            .array(z.email({ error: "must be an email address" }), { error: "must be a list of email addresses" })
            .default([])
            .superRefine((emails, ctx) => {
                // SNS keeps one subscription per endpoint: a repeat would be two resources fighting over it.
                const seen = new Map<string, number>();
                emails.forEach((email, i) => {
                    const first = seen.get(email.toLowerCase());
                    if (first === undefined) seen.set(email.toLowerCase(), i);
                    else ctx.addIssue({ code: "custom", path: [i], input: email, message: `repeats alarmEmails[${first}]` });
                });
            }),
        thresholds: strict({
            /** ELB-generated 5xx responses per minute. */
            elb5xxCount: int(1, 1000000).default(10),
            /** Target 5xx responses as a percentage of requests. */
            target5xxRatePercent: z
                .number({ error: "must be a percentage from 0.1 to 100" })
                .min(0.1, { error: "must be a percentage from 0.1 to 100" })
                .max(100, { error: "must be a percentage from 0.1 to 100" })
                .default(d.target5xxRatePercent),
            /** p99 target response time, seconds. */
            p99LatencySeconds: z
                .number({ error: "must be a number of seconds from 0.01 to 60" })
                .min(0.01, { error: "must be a number of seconds from 0.01 to 60" })
                .max(60, { error: "must be a number of seconds from 0.01 to 60" })
                .default(d.p99LatencySeconds),
            dbCpuPercent: int(1, 100).default(80),
            /** Freeable memory below this (MiB) alarms. */
            dbFreeableMemoryMb: int(1, 1048576).default(d.dbFreeableMemoryMb),
            /** Free storage below this (GiB) alarms (Aurora: free local storage per instance). */
            dbFreeStorageGb: int(1, 65536).default(d.dbFreeStorageGb),
            /** Connections above this alarm; keep it below the instance class's max_connections. */
            dbConnections: int(1, 100000).default(d.dbConnections),
            /** Replica lag (s) in cluster modes. */
            dbReplicaLagSeconds: int(1, 3600).default(30),
        }).prefault({}),
    }).prefault({});
}

function loadBalancerSchema(d: EnvDefaults) {
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
        deletionProtection: bool().default(d.albDeletionProtection),
        idleTimeoutSeconds: int(1, 4000).default(60),
    })
        .prefault({})
        .superRefine((lb, ctx) => {
            if (lb.wafMode === "count" && !lb.waf)
                ctx.addIssue({ code: "custom", path: ["wafMode"], input: lb.wafMode, message: "has no effect without a web ACL: set ecomm:loadBalancer.waf to true, or remove wafMode" });
        });
}

/**
 * AWS FIS experiment templates that prove the stack's availability (ResilienceComponent). Creating the
 * templates costs nothing; running one disrupts the environment, so prod has to opt in.
 */
function resilienceSchema(d: EnvDefaults) {
    return strict({
        /** Create the experiment templates (on in dev, opt-in in prod). */
        enabled: bool().default(d.resilienceEnabled),
        /** The AZ the AZ experiments hit; the first AZ of the VPC when absent. */
        targetAvailabilityZone: z
            .string()
            .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: "must be an availability zone name such as us-east-1a" })
            .optional(),
        /** How long the AZ's web instances stay powered off (and launches there fail), minutes. */
        azPowerLossMinutes: int(1, 60).default(10),
        /** How long the AZ's private subnets are cut off, minutes. */
        networkDisruptionMinutes: int(1, 60).default(5),
        /** How long the backend instances are CPU-stressed, minutes. */
        cpuStressMinutes: int(1, 60).default(5),
        /** Target CPU load of the stress, percent (above the scaling target, or nothing scales out). */
        cpuStressPercent: int(1, 100).default(90),
    }).prefault({});
}

function logsSchema(d: EnvDefaults) {
    return strict({
        /** Days CloudWatch Logs keeps each service's access, error and system logs. */
        retentionDays: oneOfNumbers(LOG_RETENTION_DAYS, "CloudWatch Logs retention periods").default(d.logRetentionDays),
    }).prefault({});
}

/** A lowercase DNS name of at least two labels, no trailing dot, no wildcard: `shop.example.com`. */
const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Route 53 hosted zone ids: `Z` and up to 31 upper-case letters and digits. */
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

function domainSchema() {
    return strict({
        /** The site's name: the certificate's domain and the alias record's name. */
        name: z
            .string({ error: "must be a domain name such as shop.example.com" })
            .regex(DOMAIN_NAME, { error: "must be a lowercase domain name such as shop.example.com (no wildcard, no trailing dot)" }),
        /** The Route 53 public hosted zone the validation and alias records are written to. */
        hostedZoneId: z
            .string({ error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
            .regex(HOSTED_ZONE_ID, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
    });
}

/**
 * The schema of the `ecomm:` keys for an environment. `region` is the stack's `aws:region`, for the
 * rules that compare against it; `stack` names the stack in the `pulumi config set` commands of errors.
 */
export function stackConfigSchema(env: Environment, region?: string, stack?: string) {
    const d = ENV_DEFAULTS[env];
    return strict({
        environment: oneOf(ENVIRONMENTS),
        network: networkSchema(d),
        frontend: serviceSchema(d, "frontend"),
        backend: serviceSchema(d, "backend"),
        database: databaseSchema(d),
        monitoring: monitoringSchema(d),
        loadBalancer: loadBalancerSchema(d),
        resilience: resilienceSchema(d),
        /**
         * A domain with a Route 53 hosted zone: the program requests and validates an ACM certificate for it,
         * serves HTTPS with it and points an alias record at the ALB. Excludes `certificateArn`.
         */
        domain: domainSchema().optional(),
        /** Where the instances ship their logs. */
        logs: logsSchema(d),
        /** An existing ACM certificate for HTTPS on the ALB. Prod needs this or `domain`. */
        certificateArn: z
            .string()
            .regex(ACM_CERTIFICATE_ARN, {
                error: "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>",
            })
            .optional(),
        /** Extra tags for every taggable resource (AWS's tag rules and the program's own keys: tagging.ts). */
        tags: z
            .record(z.string(), z.string({ error: "tag values must be strings" }), { error: "must be a map of tag keys to values" })
            .default({})
            .superRefine((tags, ctx) => {
                const entries = Object.entries(tags);
                if (entries.length > MAX_USER_TAGS) {
                    ctx.addIssue({ code: "custom", input: tags, message: `at most ${MAX_USER_TAGS} tags: AWS allows 50 per resource, and the program sets up to ${50 - MAX_USER_TAGS} itself` });
                }
                for (const [key, value] of entries) {
                    const keyProblem = tagKeyProblem(key);
                    if (keyProblem) ctx.addIssue({ code: "custom", path: [key], input: key, message: keyProblem });
                    const valueProblem = tagValueProblem(value);
                    if (valueProblem) ctx.addIssue({ code: "custom", path: [key], input: value, message: valueProblem });
                }
            }),
    }).superRefine((c, ctx) => {
        // The database's shape needs enough AZs in the (isolated) subnet group: a Multi-AZ DB cluster
        // is created across three AZs, Aurora pins the writer and each reader to an AZ of its own.
        const azCount = c.network.availabilityZoneNames?.length ?? c.network.availabilityZones;
        const needed = requiredAvailabilityZones(c.database.mode, c.database.readerCount);
        if (needed > azCount) {
            ctx.addIssue({
                code: "custom",
                path: c.database.mode === "aurora" ? ["database", "readerCount"] : ["database", "mode"],
                input: c.database.mode === "aurora" ? c.database.readerCount : c.database.mode,
                message: `${c.database.mode} needs ${needed} availability zones (one per DB instance) but ecomm:network.availabilityZones is ${azCount}`,
            });
        }
        const target = c.resilience.targetAvailabilityZone;
        const pinned = c.network.availabilityZoneNames;
        const targetProblem = target !== undefined && pinned !== undefined ? targetZoneProblem(target, pinned, "ecomm:network.availabilityZoneNames") : undefined;
        if (targetProblem) ctx.addIssue({ code: "custom", path: ["resilience", "targetAvailabilityZone"], input: target, message: targetProblem });
        if (region !== undefined) {
            // A name of another region, or a Local/Wavelength Zone of this one, is no AZ of the stack.
            // (A malformed name is reported by its own rule already.)
            pinned?.forEach((name, i) => {
                if (AZ_NAME.test(name) && !isZoneOfRegion(name, region)) ctx.addIssue({ code: "custom", path: ["network", "availabilityZoneNames", i], input: name, message: zoneOfRegionRule(region) });
            });
            if (target !== undefined && pinned === undefined && AZ_NAME.test(target) && !isZoneOfRegion(target, region)) {
                ctx.addIssue({ code: "custom", path: ["resilience", "targetAvailabilityZone"], input: target, message: zoneOfRegionRule(region) });
            }
            // An ALB's listener certificate must be in the ALB's region (ACM certificates are regional).
            const certRegion = c.certificateArn?.split(":")[3];
            if (c.certificateArn !== undefined && certRegion !== region) {
                ctx.addIssue({
                    code: "custom",
                    path: ["certificateArn"],
                    input: c.certificateArn,
                    message: `must be a certificate in aws:region (${region}), not ${certRegion}: a load balancer can only use ACM certificates of its own region`,
                });
            }
        }
        // A CPU stress at or below the scaling target never makes target tracking add an instance.
        const cpuTarget = c.backend.scaling.cpuTargetPercent;
        if (c.resilience.enabled && c.resilience.cpuStressPercent <= cpuTarget) {
            ctx.addIssue({
                code: "custom",
                path: ["resilience", "cpuStressPercent"],
                input: c.resilience.cpuStressPercent,
                message: `must be above ecomm:backend.scaling.cpuTargetPercent (${cpuTarget}): target tracking adds instances only while the average CPU is above the target, so a lower load proves nothing`,
            });
        }
        // Values only the user knows (prod's certificate, its on-call address): refused with their command.
        for (const required of REQUIRED_VALUES) {
            if (!required.missing(c)) continue;
            ctx.addIssue({
                code: "custom",
                path: [...required.problemPath],
                input: undefined,
                message: required.message,
                params: { fix: requiredValueFix(required, { stack, region }) },
            });
        }
        if (region !== undefined && c.database.backupReplicationRegion === region) {
            ctx.addIssue({
                code: "custom",
                path: ["database", "backupReplicationRegion"],
                input: region,
                message: `must be another region than aws:region (${region}): a copy in the same region does not survive its loss`,
            });
        }
        if (c.domain && c.certificateArn) {
            ctx.addIssue({
                code: "custom",
                path: ["domain"],
                input: c.domain,
                message: `cannot be combined with ecomm:certificateArn (${c.certificateArn}): set ecomm:domain to have the program issue the certificate, or ecomm:certificateArn to bring your own, not both`,
            });
        }
        if (c.environment !== "prod") return;
        const need = (path: (string | number)[], input: unknown, message: string) =>
            ctx.addIssue({ code: "custom", path, input, message });
        if (c.frontend.minSize < 2) need(["frontend", "minSize"], c.frontend.minSize, "must be >= 2 in prod (one instance per AZ at least twice over)");
        if (c.backend.minSize < 2) need(["backend", "minSize"], c.backend.minSize, "must be >= 2 in prod (one instance per AZ at least twice over)");
        if (c.database.mode === "single-az")
            need(["database", "mode"], c.database.mode, "must be a Multi-AZ mode in prod: multi-az-instance | multi-az-cluster | aurora");
        if (c.database.backupRetentionDays < 7)
            need(["database", "backupRetentionDays"], c.database.backupRetentionDays, "must be from 7 to 35 in prod");
        if (!c.database.deletionProtection) need(["database", "deletionProtection"], false, "must be true in prod");
        if (c.network.natGateways === "none")
            need(["network", "natGateways"], "none", "must be perAz or single in prod (instances need egress for SSM and updates)");
        if (!c.network.flowLogs.enabled) need(["network", "flowLogs", "enabled"], false, "must be true in prod");
    });
}

export type StackConfig = z.output<ReturnType<typeof stackConfigSchema>>;
export type NetworkConfig = StackConfig["network"];
export type ServiceConfig = StackConfig["frontend"];
export type DatabaseConfig = StackConfig["database"];
export type MonitoringConfig = StackConfig["monitoring"];
export type LoadBalancerConfig = StackConfig["loadBalancer"];
export type ResilienceConfig = StackConfig["resilience"];
export type DomainConfig = NonNullable<StackConfig["domain"]>;

// ---------------------------------------------------------------------------------------------------
// Parsing and errors
// ---------------------------------------------------------------------------------------------------


function cidrProblem(value: string): string | undefined {
    const cidr = parseCidr(value);
    if (!cidr) return "must be an IPv4 CIDR block such as 10.0.0.0/16";
    if (cidr.prefix < 16 || cidr.prefix > 20) return "must have a prefix from /16 to /20 (room for 3 subnet tiers in up to 6 AZs)";
    if (!cidr.aligned) return `has host bits set; did you mean ${cidr.network}/${cidr.prefix}?`;
    if (!cidr.private) return "must be a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)";
    return undefined;
}

export type { ConfigProblem };

/** Every problem of the `ecomm:` config, each naming its key, value and what is allowed. */
export class ConfigError extends NamespaceConfigError {
    constructor(problems: readonly ConfigProblem[]) {
        super(CONFIG_NAMESPACE, problems);
    }
}

/** Keys whose values are JSON objects or lists in the stack file. */
const STRUCTURED_KEYS = new Set(["network", "frontend", "backend", "database", "monitoring", "loadBalancer", "resilience", "tags", "domain", "logs"]);

/**
 * Parses the raw config map exactly as the engine passes it (`ecomm:network` → JSON text) into a typed,
 * defaulted, validated `StackConfig`, or throws a `ConfigError` listing every problem.
 * Keys of other namespaces (`aws:region`) are ignored here.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, stack?: string): StackConfig {
    const outside = outsideNamespaceProblems(raw);
    let config: StackConfig;
    try {
        config = parseNamespace(raw, {
            namespace: CONFIG_NAMESPACE,
            structuredKeys: STRUCTURED_KEYS,
            // The environment picks the defaults; an invalid one is reported, and the rest checked as dev.
            schema: (input) => stackConfigSchema(input.environment === "prod" ? "prod" : "dev", raw["aws:region"], stack),
            error: (problems) => new ConfigError(problems),
        });
    } catch (err) {
        if (err instanceof ConfigError && outside.length > 0) throw new ConfigError([...err.problems, ...outside]);
        throw err;
    }
    if (outside.length > 0) throw new ConfigError(outside);
    return config;
}

/**
 * Keys of other namespaces the program would silently ignore: its AWS provider is explicit, and an
 * explicit provider reads no `aws:*` stack config (pulumi-aws #1307), so `aws:defaultTags` would tag nothing.
 */
function outsideNamespaceProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
    if (raw["aws:defaultTags"] === undefined) return [];
    return [
        {
            key: "aws:defaultTags",
            value: raw["aws:defaultTags"],
            message: "is ignored by this program's AWS provider (it sets its own default tags): put extra tags in ecomm:tags",
            fix: "pulumi config rm aws:defaultTags; then pulumi config set --path 'ecomm:tags.<Key>' <value> for each tag",
        },
    ];
}
