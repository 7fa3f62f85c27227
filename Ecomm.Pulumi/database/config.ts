/**
 * `ecomm:database`: the database's mode, engine, size, backups and windows, with the defaults per
 * environment. The rules (versions, classes, windows, identifiers) are `rules.ts`'s; the schema calls them.
 */
import { z } from "zod";
import { bool, int, oneOf, oneOfNumbers, REGION, strict } from "../config/fields";
import type { Environment, PerEnvironment } from "../config/environments";
import { BACKUP_WINDOW, DATABASE_ENGINES, databaseRuleProblems, defaultEngineVersion, MAINTENANCE_WINDOW, MONITORING_INTERVALS } from "./rules";
import { DATABASE_MODES, type DatabaseMode } from "./modes";

export interface DatabaseDefaults {
    readonly mode: DatabaseMode;
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly backupRetentionDays: number;
    readonly deletionProtection: boolean;
    /** Database modifications now (dev) or in the maintenance window (prod). */
    readonly applyImmediately: boolean;
    readonly monitoringIntervalSeconds: number;
}

export const DATABASE_DEFAULTS: PerEnvironment<DatabaseDefaults> = {
    dev: {
        mode: "single-az",
        instanceClass: "db.t4g.micro",
        allocatedStorageGb: 20,
        maxAllocatedStorageGb: 100,
        backupRetentionDays: 1,
        deletionProtection: false,
        applyImmediately: true,
        monitoringIntervalSeconds: 0,
    },
    prod: {
        mode: "multi-az-instance",
        instanceClass: "db.m7g.large",
        allocatedStorageGb: 100,
        maxAllocatedStorageGb: 500,
        backupRetentionDays: 14,
        deletionProtection: true,
        applyImmediately: false,
        monitoringIntervalSeconds: 30,
    },
};

export function databaseSchema(env: Environment) {
    const d = DATABASE_DEFAULTS[env];
    return strict({
        /** `single-az` (dev only), `multi-az-instance`, `multi-az-cluster` or `aurora`. */
        mode: oneOf(DATABASE_MODES).default(d.mode),
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
        applyImmediately: bool().default(d.applyImmediately),
        instanceClass: z
            .string()
            .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an RDS instance class such as db.m7g.large" })
            .default(d.instanceClass),
        allocatedStorageGb: int(20, 65536).default(d.allocatedStorageGb),
        maxAllocatedStorageGb: int(20, 65536).default(d.maxAllocatedStorageGb),
        /** Days of automated backups (0–35; prod needs 7 or more). */
        backupRetentionDays: int(0, 35).default(d.backupRetentionDays),
        deletionProtection: bool().default(d.deletionProtection),
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
        monitoringIntervalSeconds: oneOfNumbers(MONITORING_INTERVALS, "Enhanced Monitoring intervals").default(d.monitoringIntervalSeconds),
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

export type DatabaseConfig = z.output<ReturnType<typeof databaseSchema>>;
