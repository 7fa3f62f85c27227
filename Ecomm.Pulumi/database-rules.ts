/**
 * Pure rules for the `ecomm:database` config: which engine, version and instance class each mode
 * supports, the parameter-group family a version belongs to, and the backup/maintenance window check.
 * Sources: RDS User Guide, "Supported DB engines for DB instance classes", "Multi-AZ DB cluster
 * deployments" (instance class and version availability) and the Aurora User Guide's instance class table.
 */

export type DatabaseMode = "single-az" | "multi-az-instance" | "multi-az-cluster" | "aurora";
export type DatabaseEngine = "postgres" | "mysql";

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
}

export interface DatabaseRuleProblem {
    readonly field: keyof DatabaseRuleInput;
    readonly message: string;
}

/** Supported major versions per engine and mode (RDS PostgreSQL 13–17, MySQL 8.0/8.4; Aurora PG 13–17, Aurora MySQL 3 = 8.0). */
const MAJORS: Readonly<Record<DatabaseMode, Readonly<Record<DatabaseEngine, readonly string[]>>>> = {
    "single-az": { postgres: ["13", "14", "15", "16", "17"], mysql: ["8.0", "8.4"] },
    "multi-az-instance": { postgres: ["13", "14", "15", "16", "17"], mysql: ["8.0", "8.4"] },
    "multi-az-cluster": { postgres: ["13", "14", "15", "16", "17"], mysql: ["8.0", "8.4"] },
    aurora: { postgres: ["13", "14", "15", "16", "17"], mysql: ["8.0"] },
};

/** Instance families a Multi-AZ DB cluster may use (they need local NVMe storage). */
const MULTI_AZ_CLUSTER_FAMILIES = ["c6gd", "m5d", "m6gd", "m6id", "m6idn", "m7gd", "r5d", "r6gd", "r6id", "r6idn", "r7gd", "r8gd"];
/** Instance families Aurora accepts (plus db.t3/t4g medium and large, and db.serverless). */
const AURORA_FAMILIES = ["r5", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "r8gd", "x2g"];
const AURORA_BURSTABLE = ["db.t3.medium", "db.t4g.medium", "db.t4g.large"];

/** The major version: `16` for postgres `16.8`, `8.0` for mysql `8.0.40` or Aurora MySQL `8.0.mysql_aurora.3.08.0`. */
export function majorVersion(engine: DatabaseEngine, engineVersion: string): string {
    const parts = engineVersion.split(".");
    return engine === "postgres" ? parts[0] : parts.slice(0, 2).join(".");
}

/** The RDS engine name for a mode: `aurora-postgresql` / `aurora-mysql` in aurora mode. */
export function rdsEngineName(mode: DatabaseMode, engine: DatabaseEngine): string {
    if (mode === "aurora") return engine === "postgres" ? "aurora-postgresql" : "aurora-mysql";
    return engine;
}

/** The parameter-group family, e.g. `postgres16`, `mysql8.0`, `aurora-postgresql16`, `aurora-mysql8.0`. */
export function parameterGroupFamily(mode: DatabaseMode, engine: DatabaseEngine, engineVersion: string): string {
    return `${rdsEngineName(mode, engine)}${majorVersion(engine, engineVersion)}`;
}

/** The engine's default port. */
export function defaultPort(engine: DatabaseEngine): number {
    return engine === "postgres" ? 5432 : 3306;
}

function family(instanceClass: string): string {
    return instanceClass.split(".")[1] ?? "";
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
        if (end <= start) end += daily ? 1440 : week;
        if (end > week) spans.push([start, week], [0, end - week]);
        else spans.push([start, end]);
    }
    return spans;
}

/** Length of a window in minutes (wrapping past midnight or the week's end). */
export function windowMinutes(window: string, daily: boolean): number {
    const [from, to] = window.split("-");
    const span = minutes(to) - minutes(from);
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
    if (db.mode === "aurora" && db.engine === "mysql" && !/^8\.0\.mysql_aurora\.3\.\d+\.\d+$/.test(db.engineVersion)) {
        problems.push({ field: "engineVersion", message: "Aurora MySQL versions look like 8.0.mysql_aurora.3.08.0" });
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
    if (db.mode !== "aurora" && db.instanceClass === "db.serverless") {
        problems.push({ field: "instanceClass", message: "db.serverless is for aurora mode only" });
    }
    if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
        problems.push({
            field: "maxAllocatedStorageGb",
            message: `must be >= allocatedStorageGb (${db.allocatedStorageGb}); storage autoscaling only grows`,
        });
    }
    if (db.mode === "multi-az-cluster" && db.allocatedStorageGb < 100) {
        problems.push({ field: "allocatedStorageGb", message: "a Multi-AZ DB cluster (io1/io2/gp3) needs at least 100 GiB" });
    }
    if (db.mode !== "single-az" && db.mode !== "multi-az-instance" && db.backupRetentionDays < 1) {
        problems.push({ field: "backupRetentionDays", message: `must be from 1 to 35 in ${db.mode} mode (clusters always keep backups)` });
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
    if (db.backupReplicationRegion && (db.mode === "multi-az-cluster" || db.mode === "aurora")) {
        problems.push({ field: "backupReplicationRegion", message: "cross-region automated-backup replication is for instance modes only" });
    }
    return problems;
}
