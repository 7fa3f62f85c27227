/**
 * `ecomm:monitoring`: who is paged and the alarm thresholds, with the defaults per environment (the
 * database thresholds sized for each environment's default instance class and storage).
 */
import { z } from "zod";
import { between, int, strict } from "../config/fields";
import type { Environment, PerEnvironment } from "../config/environments";

export interface MonitoringDefaults {
    readonly target5xxRatePercent: number;
    readonly p99LatencySeconds: number;
    /** Sized for the default instance class: ~70% of its default max_connections. */
    readonly dbConnections: number;
    /** Sized for the default instance class's RAM (db.t4g.micro 1 GiB, db.m7g.large 8 GiB). */
    readonly dbFreeableMemoryMb: number;
    /** Sized for the default allocated storage (20 GiB dev, 100 GiB prod). */
    readonly dbFreeStorageGb: number;
}

export const MONITORING_DEFAULTS: PerEnvironment<MonitoringDefaults> = {
    // db.t4g.micro allows roughly 80 (MySQL) to 110 (PostgreSQL) connections by default.
    dev: { target5xxRatePercent: 10, p99LatencySeconds: 3, dbConnections: 50, dbFreeableMemoryMb: 100, dbFreeStorageGb: 4 },
    // db.m7g.large allows roughly 650 (MySQL) to 850 (PostgreSQL) connections by default.
    prod: { target5xxRatePercent: 2, p99LatencySeconds: 1.5, dbConnections: 400, dbFreeableMemoryMb: 512, dbFreeStorageGb: 10 },
};

export function monitoringSchema(env: Environment) {
    const d = MONITORING_DEFAULTS[env];
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
            target5xxRatePercent: between(0.1, 100, "percentage").default(d.target5xxRatePercent),
            /** p99 target response time, seconds. */
            p99LatencySeconds: between(0.01, 60, "number of seconds").default(d.p99LatencySeconds),
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

export type MonitoringConfig = z.output<ReturnType<typeof monitoringSchema>>;
