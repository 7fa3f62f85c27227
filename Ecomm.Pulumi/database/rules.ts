/**
 * Pure rules for the `ecomm:database` config: which engine, version and instance class each mode
 * supports, the parameter-group family a version belongs to, the TLS parameter and log exports per
 * engine, where Performance Insights is available, RDS identifier rules and the backup/maintenance
 * window check.
 * Sources: RDS User Guide, "Supported DB engines for DB instance classes", "Multi-AZ DB cluster
 * deployments" (instance class availability), "Creating a Multi-AZ DB cluster" (three AZs, storage
 * types, backups >= 1 day), "Limitations of Multi-AZ DB clusters" (no storage autoscaling, no
 * cross-Region automated backups), the Aurora User Guide's instance class table, and "DB engine,
 * Region, and instance class support for Database Insights" (Performance Insights class limits).
 */

import { isClusterMode, isInstanceMode, type DatabaseMode } from "./modes";

export const DATABASE_ENGINES = ["postgres", "mysql"] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];
/** Enhanced Monitoring intervals RDS accepts (0 turns it off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
/** RDS window formats: `hh24:mi-hh24:mi` and `ddd:hh24:mi-ddd:hh24:mi` (UTC). */
export const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
export const MAINTENANCE_WINDOW =
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

export interface DatabaseRuleInput {
    readonly mode: DatabaseMode;
    readonly engine: DatabaseEngine;
    readonly engineVersion: string;
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly backupRetentionDays: number;
    readonly backupWindow: string;
    readonly maintenanceWindow: string;
    readonly backupReplicationRegion?: string;
    /** RDS upgrades the minor version in the maintenance window; the version must then name the major only. */
    readonly autoMinorVersionUpgrade: boolean;
    /** Lets a raised major version reach RDS (the switch for a major upgrade). */
    readonly allowMajorVersionUpgrade: boolean;
    /** Apply modifications at once rather than in the maintenance window. */
    readonly applyImmediately: boolean;
}

export interface DatabaseRuleProblem {
    readonly field: keyof DatabaseRuleInput;
    readonly message: string;
}

/**
 * Supported major versions per engine and mode: RDS PostgreSQL 13–18 (13 is in paid RDS Extended
 * Support), MySQL 8.0/8.4; Multi-AZ DB clusters PostgreSQL 13–17 and MySQL 8.0/8.4 (the versions the
 * Multi-AZ DB cluster class table lists); Aurora PostgreSQL 13–18, Aurora MySQL 3 (= 8.0).
 */
const MAJORS: Readonly<Record<DatabaseMode, Readonly<Record<DatabaseEngine, readonly string[]>>>> = {
    "single-az": { postgres: ["13", "14", "15", "16", "17", "18"], mysql: ["8.0", "8.4"] },
    "multi-az-instance": { postgres: ["13", "14", "15", "16", "17", "18"], mysql: ["8.0", "8.4"] },
    "multi-az-cluster": { postgres: ["13", "14", "15", "16", "17"], mysql: ["8.0", "8.4"] },
    aurora: { postgres: ["13", "14", "15", "16", "17", "18"], mysql: ["8.0"] },
};

/**
 * Instance families a Multi-AZ DB cluster may use, exactly as "Instance class availability for Multi-AZ
 * DB clusters" lists them; only db.c6gd comes in the `medium` size.
 */
const MULTI_AZ_CLUSTER_FAMILIES = ["c6gd", "m5d", "m6gd", "m6id", "m6idn", "r5d", "r6gd", "r6id", "r6idn", "x2iedn"];
/** Instance families Aurora accepts (plus db.t3/t4g medium and large, and db.serverless). */
const AURORA_FAMILIES = ["r5", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "r8gd", "x2g"];
const AURORA_BURSTABLE = ["db.t3.medium", "db.t3.large", "db.t4g.medium", "db.t4g.large"];

/**
 * A Multi-AZ DB cluster's gp3 storage: AWS requires an IOPS value to create a Multi-AZ DB cluster, and
 * RDS accepts an IOPS value on gp3 (PostgreSQL, MySQL) only from 400 GiB, where the included baseline
 * is 12,000 IOPS. 400 GiB with the baseline 12,000 satisfies both without paying for extra IOPS.
 */
export const MULTI_AZ_CLUSTER_MIN_STORAGE_GB = 400;
export const MULTI_AZ_CLUSTER_GP3_IOPS = 12000;

/**
 * The major version each engine gets when `engineVersion` is not set (2026-12): PostgreSQL 17 — the
 * newest major every mode offers (Multi-AZ DB clusters list 13–17), standard support on RDS and Aurora
 * until 2030-02-28, and two years of minors behind it (18 is newer but thinner, and not offered by
 * Multi-AZ DB clusters here); MySQL 8.4, the LTS release (8.0 left community support in 2026-04);
 * Aurora MySQL 3, whose versions are `8.0.mysql_aurora.3.x.y`.
 */
export function defaultEngineVersion(mode: DatabaseMode, engine: DatabaseEngine): string {
    if (engine === "postgres") return "17";
    return mode === "aurora" ? "8.0" : "8.4";
}

/**
 * PostgreSQL minors RDS no longer creates (deprecated 2026-05-01, upgraded automatically from 2026-05-31):
 * 14.14–14.17, 15.9–15.12, 16.5–16.8, 17.1–17.4. RDS for PostgreSQL only (instances and Multi-AZ DB
 * clusters); Aurora PostgreSQL has its own minor releases.
 */
export const DEPRECATED_POSTGRES_MINORS: Readonly<Record<string, readonly [number, number]>> = {
    "14": [14, 17],
    "15": [9, 12],
    "16": [5, 8],
    "17": [1, 4],
};

/** How the engine's version strings look: the major alone, and a full version. */
function versionGrammar(mode: DatabaseMode, engine: DatabaseEngine): { readonly major: RegExp; readonly full: RegExp; readonly example: string } {
    if (engine === "postgres") return { major: /^\d+$/, full: /^\d+\.\d+$/, example: "17.7" };
    if (mode === "aurora") return { major: /^8\.0$/, full: /^8\.0\.mysql_aurora\.3\.\d{2}\.\d+$/, example: "8.0.mysql_aurora.3.10.0" };
    return { major: /^8\.[04]$/, full: /^8\.[04]\.\d+$/, example: "8.4.7" };
}

/** Whether the version names the major only (`17`, `8.4`, Aurora MySQL `8.0`): RDS then picks the minor. */
export function isMajorOnly(mode: DatabaseMode, engine: DatabaseEngine, engineVersion: string): boolean {
    return versionGrammar(mode, engine).major.test(engineVersion);
}

/**
 * What is wrong with an engine version for the mode, or undefined. With automatic minor upgrades on,
 * only the major is accepted: the provider then compares the running version by prefix (`16` matches
 * `16.13`) and never tries to go back after RDS upgrades the minor (a pinned `16.8` would make the next
 * `up` send ModifyDBInstance 16.13 → 16.8, which RDS refuses). A full version pins the minor and needs
 * automatic minor upgrades off; deprecated PostgreSQL minors are refused either way.
 */
export function engineVersionProblem(mode: DatabaseMode, engine: DatabaseEngine, engineVersion: string, autoMinorVersionUpgrade: boolean): string | undefined {
    const g = versionGrammar(mode, engine);
    const major = majorVersion(engine, engineVersion);
    const allowed = autoMinorVersionUpgrade
        ? `the major version only, e.g. ${majorVersion(engine, g.example)} (automatic minor upgrades are on: RDS picks and upgrades the minor); to pin a minor set autoMinorVersionUpgrade to false`
        : `the major version (${majorVersion(engine, g.example)}) or a full version such as ${g.example}`;
    if (g.major.test(engineVersion)) return undefined;
    if (!g.full.test(engineVersion)) return `"${engineVersion}" is not a version of ${rdsEngineName(mode, engine)}; give ${allowed}`;
    if (autoMinorVersionUpgrade) return `"${engineVersion}" pins a minor version; give ${allowed}`;
    const deprecated = mode !== "aurora" && engine === "postgres" ? DEPRECATED_POSTGRES_MINORS[major] : undefined;
    const minor = Number(engineVersion.split(".")[1]);
    if (deprecated && minor >= deprecated[0] && minor <= deprecated[1]) {
        return `PostgreSQL ${engineVersion} is deprecated: RDS stopped creating ${major}.${deprecated[0]}–${major}.${deprecated[1]} on 2026-05-01; give a newer ${major}.x or the major (${major})`;
    }
    return undefined;
}

/** The major version: `16` for postgres `16.8`, `8.0` for mysql `8.0.40` or Aurora MySQL `8.0.mysql_aurora.3.08.0`. */
export function majorVersion(engine: DatabaseEngine, engineVersion: string): string {
    const parts = engineVersion.split(".");
    return engine === "postgres" ? parts[0] : parts.slice(0, 2).join(".");
}

/** An RDS engine name. */
export type RdsEngine = "postgres" | "mysql" | "aurora-postgresql" | "aurora-mysql";

/** The RDS engine name for a mode: `aurora-postgresql` / `aurora-mysql` in aurora mode. */
export function rdsEngineName(mode: DatabaseMode, engine: DatabaseEngine): RdsEngine {
    if (mode === "aurora") return engine === "postgres" ? "aurora-postgresql" : "aurora-mysql";
    return engine;
}

/** The parameter-group family, e.g. `postgres16`, `mysql8.0`, `aurora-postgresql16`, `aurora-mysql8.0`. */
export function parameterGroupFamily(mode: DatabaseMode, engine: DatabaseEngine, engineVersion: string): string {
    return `${rdsEngineName(mode, engine)}${majorVersion(engine, engineVersion)}`;
}

/**
 * The AWS managed policy an Enhanced Monitoring role needs, in the stack's partition: IAM refuses
 * `arn:aws:...` in GovCloud (`aws-us-gov`) and China (`aws-cn`), which the region config accepts.
 */
export function enhancedMonitoringPolicyArn(partition: string): string {
    return `arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`;
}

/** The engine's default port. */
export function defaultPort(engine: DatabaseEngine): number {
    return engine === "postgres" ? 5432 : 3306;
}

function family(instanceClass: string): string {
    return instanceClass.split(".")[1] ?? "";
}

/**
 * The parameter that makes the server refuse unencrypted connections: `rds.force_ssl` for PostgreSQL
 * (RDS and Aurora), `require_secure_transport` for MySQL (RDS documents `1 (ON)`; Aurora MySQL's
 * cluster parameter takes `ON`).
 */
export function tlsParameter(mode: DatabaseMode, engine: DatabaseEngine): { readonly name: string; readonly value: string } {
    if (engine === "postgres") return { name: "rds.force_ssl", value: "1" };
    return { name: "require_secure_transport", value: mode === "aurora" ? "ON" : "1" };
}

/**
 * The engine parameters the component sets: the TLS one, and for MySQL the slow query log written to
 * a file, which is what the `slowquery` CloudWatch export reads (without `log_output = FILE` nothing is
 * exported).
 */
export function engineParameters(mode: DatabaseMode, engine: DatabaseEngine): { readonly name: string; readonly value: string }[] {
    const tls = tlsParameter(mode, engine);
    if (engine === "postgres") return [tls];
    return [tls, { name: "slow_query_log", value: "1" }, { name: "long_query_time", value: "1" }, { name: "log_output", value: "FILE" }];
}

/**
 * The log types exported to CloudWatch Logs. PostgreSQL: `postgresql`, plus `upgrade` on instances
 * (clusters, Multi-AZ or Aurora, have no `upgrade` log type: the provider accepts only `audit`, `error`,
 * `general`, `iam-db-auth-error`, `instance`, `postgresql`, `slowquery` there). MySQL: `error` and
 * `slowquery`; `general` is left out on purpose (it logs every statement, costs I/O and would copy query
 * text, possibly with customer data, into CloudWatch), and `audit` needs an option group (RDS) or
 * server audit settings (Aurora).
 */
export function logExports(mode: DatabaseMode, engine: DatabaseEngine): string[] {
    if (engine === "postgres") return isInstanceMode(mode) ? ["postgresql", "upgrade"] : ["postgresql"];
    return ["error", "slowquery"];
}

/**
 * Whether Performance Insights is available on the class: RDS for MySQL lacks it on db.t2/t3/t4g
 * micro and small; Aurora MySQL lacks it on db.t2 and db.t3 (and db.t4g micro/small); PostgreSQL
 * (RDS and Aurora) has no class restriction.
 */
export function performanceInsightsSupported(mode: DatabaseMode, engine: DatabaseEngine, instanceClass: string): boolean {
    if (engine === "postgres") return true;
    if (/^db\.t4g\.(micro|small)$/.test(instanceClass)) return false;
    if (mode === "aurora") return !/^db\.t[23]\./.test(instanceClass);
    return !/^db\.t[23]\.(micro|small)$/.test(instanceClass);
}

/**
 * What is wrong with an RDS identifier (DB instance, cluster, snapshot), or undefined: 1–63 lowercase
 * letters, digits and hyphens, starting with a letter, no `--`, not ending in `-`.
 */
export function rdsIdentifierProblem(identifier: string): string | undefined {
    if (identifier.length < 1 || identifier.length > 63) return `must be 1–63 characters (is ${identifier.length})`;
    if (!/^[a-z][a-z0-9-]*$/.test(identifier)) return "must start with a lowercase letter and contain only lowercase letters, digits and hyphens";
    if (identifier.includes("--")) return "must not contain two consecutive hyphens";
    if (identifier.endsWith("-")) return "must not end with a hyphen";
    return undefined;
}

/**
 * What is wrong with a DB (cluster) snapshot identifier, or undefined: 1–255 letters, digits and
 * hyphens, starting with a letter, no `--`, not ending in `-` (CreateDBSnapshot, DeleteDBInstance
 * FinalDBSnapshotIdentifier; RDS stores it lowercase).
 */
export function snapshotIdentifierProblem(identifier: string): string | undefined {
    if (identifier.length < 1 || identifier.length > 255) return `must be 1–255 characters (is ${identifier.length})`;
    if (!/^[a-z][a-z0-9-]*$/.test(identifier)) return "must start with a lowercase letter and contain only lowercase letters, digits and hyphens";
    if (identifier.includes("--")) return "must not contain two consecutive hyphens";
    if (identifier.endsWith("-")) return "must not end with a hyphen";
    return undefined;
}

/** Hex characters of the per-lifetime suffix of the final snapshot identifier (a 4-byte random id). */
export const FINAL_SNAPSHOT_SUFFIX_BYTES = 4;

/** `ecomm-prod-database-final` + `3f9a0c21` → `ecomm-prod-database-final-3f9a0c21`. */
export function finalSnapshotIdentifier(prefix: string, suffixHex: string): string {
    return `${prefix}-${suffixHex.toLowerCase()}`;
}

/** Minutes from Monday 00:00 for `ddd:hh:mm`, or minutes from midnight for `hh:mm`. */
function minutes(spec: string): number {
    const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const parts = spec.split(":");
    const [d, h, m] = parts.length === 3 ? parts : ["mon", ...parts];
    return days.indexOf(d) * 1440 + Number(h) * 60 + Number(m);
}

/** A window as [start, end) minute intervals on the weekly clock (wrapping ones split in two). */
function weeklyIntervals(window: string, daily: boolean): [number, number][] {
    const week = 7 * 1440;
    const [from, to] = window.split("-");
    const spans: [number, number][] = [];
    const repeat = daily ? 7 : 1;
    for (let day = 0; day < repeat; day++) {
        const offset = daily ? day * 1440 : 0;
        const start = minutes(from) + offset;
        let end = minutes(to) + offset;
        if (end === start) continue; // an empty window (refused as shorter than 30 minutes) covers no minute
        if (end < start) end += daily ? 1440 : week;
        if (end > week) spans.push([start, week], [0, end - week]);
        else spans.push([start, end]);
    }
    return spans;
}

/** Length of a window in minutes (wrapping past midnight or the week's end); 0 when it ends where it starts. */
export function windowMinutes(window: string, daily: boolean): number {
    const [from, to] = window.split("-");
    const span = minutes(to) - minutes(from);
    if (span === 0) return 0;
    return span > 0 ? span : span + (daily ? 1440 : 7 * 1440);
}

/** Whether the daily backup window and the weekly maintenance window share any minute. */
export function windowsOverlap(backupWindow: string, maintenanceWindow: string): boolean {
    const backup = weeklyIntervals(backupWindow, true);
    const maintenance = weeklyIntervals(maintenanceWindow, false);
    return backup.some(([a, b]) => maintenance.some(([c, d]) => a < d && c < b));
}

/** Every rule the combination breaks; empty when it is one RDS accepts. */
export function databaseRuleProblems(db: DatabaseRuleInput): DatabaseRuleProblem[] {
    const problems: DatabaseRuleProblem[] = [];
    const major = majorVersion(db.engine, db.engineVersion);
    const majors = MAJORS[db.mode][db.engine];
    if (!majors.includes(major)) {
        problems.push({
            field: "engineVersion",
            message: `${db.engine} ${major} is not supported in ${db.mode} mode; supported major versions: ${majors.join(", ")}`,
        });
    }
    const versionProblem = majors.includes(major) ? engineVersionProblem(db.mode, db.engine, db.engineVersion, db.autoMinorVersionUpgrade) : undefined;
    if (versionProblem) problems.push({ field: "engineVersion", message: versionProblem });
    if (db.allowMajorVersionUpgrade && !db.applyImmediately) {
        problems.push({
            field: "applyImmediately",
            message:
                "must be true while allowMajorVersionUpgrade is true: a deferred upgrade leaves the database on the old parameter group until the maintenance window, and deleting that group then fails (InvalidDBParameterGroupState); see docs/database.md, major version upgrades",
        });
    }
    const fam = family(db.instanceClass);
    if (db.mode === "multi-az-cluster" && !MULTI_AZ_CLUSTER_FAMILIES.includes(fam)) {
        problems.push({
            field: "instanceClass",
            message: `a Multi-AZ DB cluster needs an instance class with local NVMe storage: db.{${MULTI_AZ_CLUSTER_FAMILIES.join(",")}}.*`,
        });
    }
    if (db.mode === "aurora" && !AURORA_FAMILIES.includes(fam) && !AURORA_BURSTABLE.includes(db.instanceClass) && db.instanceClass !== "db.serverless") {
        problems.push({
            field: "instanceClass",
            message: `Aurora supports db.{${AURORA_FAMILIES.join(",")}}.*, ${AURORA_BURSTABLE.join(", ")} and db.serverless`,
        });
    }
    if (db.mode === "multi-az-cluster" && MULTI_AZ_CLUSTER_FAMILIES.includes(fam) && fam !== "c6gd" && db.instanceClass.endsWith(".medium")) {
        problems.push({ field: "instanceClass", message: "a Multi-AZ DB cluster offers the medium size only in db.c6gd" });
    }
    if (db.mode !== "aurora" && db.instanceClass === "db.serverless") {
        problems.push({ field: "instanceClass", message: "db.serverless is for aurora mode only" });
    }
    // Storage autoscaling exists only for instances; Multi-AZ DB clusters don't support it and Aurora
    // storage grows by itself, so maxAllocatedStorageGb is not checked (nor used) there.
    if (isInstanceMode(db.mode) && db.maxAllocatedStorageGb < db.allocatedStorageGb) {
        problems.push({
            field: "maxAllocatedStorageGb",
            message: `must be >= allocatedStorageGb (${db.allocatedStorageGb}); storage autoscaling only grows`,
        });
    }
    if (db.mode === "multi-az-cluster" && db.allocatedStorageGb < MULTI_AZ_CLUSTER_MIN_STORAGE_GB) {
        problems.push({
            field: "allocatedStorageGb",
            message: `a Multi-AZ DB cluster needs at least ${MULTI_AZ_CLUSTER_MIN_STORAGE_GB} GiB: it must be created with an IOPS value, and gp3 takes one only from 400 GiB (baseline ${MULTI_AZ_CLUSTER_GP3_IOPS} IOPS)`,
        });
    }
    if (isClusterMode(db.mode) && db.backupRetentionDays < 1) {
        problems.push({ field: "backupRetentionDays", message: `must be from 1 to 35 in ${db.mode} mode (clusters always keep backups)` });
    }
    if (db.backupReplicationRegion && db.backupRetentionDays < 1) {
        problems.push({ field: "backupRetentionDays", message: "must be from 1 to 35 when backupReplicationRegion is set (there are no automated backups to replicate otherwise)" });
    }
    if (windowMinutes(db.backupWindow, true) < 30) {
        problems.push({ field: "backupWindow", message: "must be at least 30 minutes long" });
    }
    if (windowMinutes(db.maintenanceWindow, false) < 30) {
        problems.push({ field: "maintenanceWindow", message: "must be at least 30 minutes long" });
    }
    if (windowsOverlap(db.backupWindow, db.maintenanceWindow)) {
        problems.push({ field: "maintenanceWindow", message: `must not overlap the backup window ${db.backupWindow}` });
    }
    if (db.backupReplicationRegion && isClusterMode(db.mode)) {
        problems.push({ field: "backupReplicationRegion", message: "cross-region automated-backup replication is for instance modes only" });
    }
    return problems;
}
