/**
 * The connection pool and what keeps it useful through a failover or a credential rotation.
 *
 * - Broken connections are dropped: a connection that fails mid-query is destroyed (never returned to the
 *   pool) and the work is retried once on a fresh connection; idle connections killed by the server leave the
 *   pool by themselves.
 * - When a new connection cannot be made, the database is marked down: requests fail fast with
 *   `DatabaseUnavailableError` (503) instead of piling up, and one background probe reconnects with
 *   exponential backoff from `backoffInitialMs` to `backoffMaxMs` (jittered). So after the server is back,
 *   traffic resumes within `backoffMaxMs` plus one connect.
 * - On an authentication failure (SQLSTATE 28P01 / 28000) the credentials are fetched again from the secret
 *   source and the pool is rebuilt with them (at most once per `credentialRefreshMinIntervalMs`).
 * - Nothing waits on the database past `operationTimeoutMs`: waiting for a connection is bounded by
 *   `connectTimeoutMs`, each statement by `statementTimeoutMs` (server side) and `queryTimeoutMs` (client
 *   side), and the whole operation by a deadline that destroys its connection.
 */
import * as fs from "node:fs";
import pg from "pg";
import type { DatabaseTarget } from "./config";
import type { Log } from "./log";
import type { Credentials } from "./secrets";

/** A target known later: returns undefined until it is (e.g. db.env not written yet), with `waitingFor` saying why. */
export interface PendingTarget {
    readonly waitingFor: string;
    resolve(): DatabaseTarget | undefined;
}

export interface DatabaseOptions {
    readonly target: DatabaseTarget | PendingTarget;
    readonly log: Log;
    /** @default 10 */
    readonly poolSize?: number;
    /** Longest wait for a connection (new or from the pool). @default 2000 */
    readonly connectTimeoutMs?: number;
    /** Server-side `statement_timeout`. @default 5000 */
    readonly statementTimeoutMs?: number;
    /** Client-side timeout of one query (covers a server that stopped answering). @default 6000 */
    readonly queryTimeoutMs?: number;
    /** Deadline of one `withClient`/`transaction` call, retries included. @default 8000 */
    readonly operationTimeoutMs?: number;
    /** @default 100 */
    readonly backoffInitialMs?: number;
    /** The bound of the reconnect backoff. @default 1000 */
    readonly backoffMaxMs?: number;
    /** @default 1000 */
    readonly credentialRefreshMinIntervalMs?: number;
}

/** The database cannot be used right now; the HTTP layer answers 503 with `Retry-After`. */
export class DatabaseUnavailableError extends Error {
    readonly code = "database_unavailable";
    constructor(reason: string) {
        super(`the database is unavailable (${reason}); retry shortly`);
    }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function sqlState(err: unknown): string | undefined {
    const code = (err as { code?: unknown } | undefined)?.code;
    return typeof code === "string" && SQLSTATE.test(code) ? code : undefined;
}

/** 28P01 invalid_password, 28000 invalid_authorization_specification. */
export function isAuthError(err: unknown): boolean {
    const state = sqlState(err);
    return state === "28P01" || state === "28000";
}

/** The operation deadline passed; its connection is destroyed. */
export class DeadlineError extends Error {}

/** What node-postgres and Node say when a socket is gone or never came (these errors carry no SQLSTATE). */
const CONNECTION_MESSAGES = /connection terminated|connection error|timeout|not queryable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket/i;

/**
 * Whether an error means "this connection (or the server) is gone" rather than "this statement failed":
 * socket errors, node-postgres's "Connection terminated" and client timeouts, the operation deadline, and the
 * SQLSTATE classes 08 (connection exception), 57 (operator intervention: shutdown, crash, cannot connect now)
 * and 53 (insufficient resources: too many connections). Application errors are not.
 */
export function isConnectivityError(err: unknown): boolean {
    if (err instanceof ApplicationError) return false;
    if (err instanceof DeadlineError) return true;
    if (err instanceof pg.DatabaseError) {
        // 57014 query_canceled is statement_timeout: the statement failed, the connection is fine.
        const state = sqlState(err) ?? "";
        return state !== "57014" && (state.startsWith("08") || state.startsWith("57") || state.startsWith("53"));
    }
    const e = err as { syscall?: unknown; message?: unknown } | undefined;
    if (typeof e?.syscall === "string") return true;
    return typeof e?.message === "string" && CONNECTION_MESSAGES.test(e.message);
}

/** Base class of errors the application throws on purpose (never mistaken for a lost connection). */
export class ApplicationError extends Error {}

function describe(err: unknown): string {
    const e = err as { code?: string; message?: string };
    return [e.code, e.message].filter(Boolean).join(": ") || String(err);
}

/** The node-postgres pool settings for a target: pure, so the TLS and timeout choices are tested directly. */
export function poolConfig(target: DatabaseTarget, credentials: Credentials, o: Required<Omit<DatabaseOptions, "target" | "log">>, readFile: (f: string) => Buffer = fs.readFileSync): pg.PoolConfig {
    let ssl: pg.PoolConfig["ssl"] = false;
    if (target.tls.mode === "verify-full") {
        let ca: Buffer;
        try {
            ca = readFile(target.tls.caFile);
        } catch (err) {
            throw new Error(`cannot read the database CA bundle ${target.tls.caFile} (ECOMM_DB_CA_FILE): ${(err as Error).message}`);
        }
        // rejectUnauthorized verifies the chain against `ca` only; Node's default checkServerIdentity then
        // checks the certificate names the host we dialled: libpq's sslmode=verify-full.
        ssl = { ca, rejectUnauthorized: true };
    }
    return {
        host: target.host,
        port: target.port,
        database: target.database,
        user: credentials.username,
        password: credentials.password,
        ssl,
        max: o.poolSize,
        connectionTimeoutMillis: o.connectTimeoutMs,
        idleTimeoutMillis: 30_000,
        // Reconnect now and then so connections follow DNS after a failover even on a quiet instance.
        maxLifetimeSeconds: 300,
        statement_timeout: o.statementTimeoutMs,
        query_timeout: o.queryTimeoutMs,
        idle_in_transaction_session_timeout: o.operationTimeoutMs,
        application_name: "ecomm-storefront",
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
    };
}

export class Database {
    private readonly o: Required<Omit<DatabaseOptions, "target" | "log">>;
    private readonly pending: PendingTarget;
    private target: DatabaseTarget | undefined;
    private readonly log: Log;
    private pool: pg.Pool | undefined;
    private credentials: Credentials | undefined;
    private up = false;
    private downSince = Date.now();
    private lastError = "not connected yet";
    private backoffMs: number;
    private probeTimer: NodeJS.Timeout | undefined;
    private probing: Promise<void> | undefined;
    private refreshing: Promise<boolean> | undefined;
    private lastRefreshAt = 0;
    private closed = false;
    private readonly oldPools = new Set<Promise<void>>();

    constructor(options: DatabaseOptions) {
        const t = options.target;
        this.pending = "resolve" in t ? t : { waitingFor: "", resolve: () => t };
        this.log = options.log;
        this.o = {
            poolSize: options.poolSize ?? 10,
            connectTimeoutMs: options.connectTimeoutMs ?? 2000,
            statementTimeoutMs: options.statementTimeoutMs ?? 5000,
            queryTimeoutMs: options.queryTimeoutMs ?? 6000,
            operationTimeoutMs: options.operationTimeoutMs ?? 8000,
            backoffInitialMs: options.backoffInitialMs ?? 100,
            backoffMaxMs: options.backoffMaxMs ?? 1000,
            credentialRefreshMinIntervalMs: options.credentialRefreshMinIntervalMs ?? 1000,
        };
        this.backoffMs = this.o.backoffInitialMs;
    }

    /** Connects once (never throws: a database that is not there yet is probed in the background). */
    async start(): Promise<void> {
        await this.probe();
    }

    /** Whether the last attempt to reach the database worked. */
    get isUp(): boolean {
        return this.up;
    }

    get status(): { up: boolean; reason?: string; downForMs?: number } {
        return this.up ? { up: true } : { up: false, reason: this.lastError, downForMs: Date.now() - this.downSince };
    }

    /** Runs `fn` with a pooled connection; see the module comment for retries and bounds. */
    async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
        if (this.closed) throw new DatabaseUnavailableError("the backend is shutting down");
        if (!this.up || !this.pool) throw new DatabaseUnavailableError(this.lastError);
        const deadline = Date.now() + this.o.operationTimeoutMs;
        let refreshed = false;
        let reconnected = false;
        for (;;) {
            const pool = this.pool;
            if (!pool) throw new DatabaseUnavailableError("the backend is shutting down");
            let client: pg.PoolClient;
            try {
                client = await pool.connect();
            } catch (err) {
                if (isAuthError(err) && !refreshed) {
                    refreshed = true;
                    if (await this.refreshCredentials()) continue;
                }
                if (!isAuthError(err) && pool.totalCount >= this.o.poolSize) throw new DatabaseUnavailableError("all connections busy");
                this.markDown(err);
                throw new DatabaseUnavailableError(describe(err));
            }
            // A checked-out connection that the server closes between two queries emits "error" on the
            // client (the pool only listens while it is idle): without a listener that would crash the process.
            let lost: unknown;
            const onLost = (err: unknown) => (lost ??= err);
            client.on("error", onLost);
            const release = (err?: unknown) => {
                // A destroyed connection keeps the listener: the server's own goodbye (57P01 on shutdown) can
                // still arrive while it closes.
                if (err === undefined) client.off("error", onLost);
                client.release(err === undefined ? undefined : err instanceof Error ? err : new Error(describe(err)));
            };
            try {
                const result = await this.withDeadline(client, fn, deadline);
                release(lost);
                return result;
            } catch (err) {
                if (!isConnectivityError(err) && lost === undefined) {
                    release();
                    throw err;
                }
                // Destroy it: never hand a broken connection to the next request.
                release(lost ?? err);
                if (!reconnected && !(err instanceof DeadlineError) && Date.now() < deadline - this.o.connectTimeoutMs) {
                    reconnected = true;
                    this.log.warn({ err: describe(err) }, "database connection lost mid-request; retrying once on a new connection");
                    continue;
                }
                throw new DatabaseUnavailableError(describe(err));
            }
        }
    }

    /** `withClient` inside BEGIN/COMMIT; rolled back on any error. */
    async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
        return this.withClient(async (client) => {
            await client.query("BEGIN");
            try {
                const result = await fn(client);
                await client.query("COMMIT");
                return result;
            } catch (err) {
                if (!isConnectivityError(err)) await client.query("ROLLBACK");
                throw err;
            }
        });
    }

    /** A live `SELECT 1`, bounded by `timeoutMs`. */
    async ping(timeoutMs: number): Promise<boolean> {
        if (!this.up) return false;
        let timer: NodeJS.Timeout | undefined;
        try {
            return await Promise.race([
                this.withClient((c) => c.query("SELECT 1")).then(() => true),
                new Promise<boolean>((resolve) => {
                    timer = setTimeout(() => resolve(false), timeoutMs);
                }),
            ]);
        } catch {
            return false;
        } finally {
            clearTimeout(timer);
        }
    }

    /** Stops probing and closes every connection (waits for checked-out ones to be released). */
    async close(): Promise<void> {
        this.closed = true;
        clearTimeout(this.probeTimer);
        await this.probing?.catch(() => undefined);
        const pool = this.pool;
        this.pool = undefined;
        await Promise.all([pool?.end(), ...this.oldPools]);
    }

    private async withDeadline<T>(client: pg.PoolClient, fn: (client: pg.PoolClient) => Promise<T>, deadline: number): Promise<T> {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new DeadlineError(`no answer within ${this.o.operationTimeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        });
        const work = fn(client);
        try {
            return await Promise.race([work, expired]);
        } finally {
            clearTimeout(timer);
            // On expiry the caller destroys the connection, which makes the pending query fail; swallow that.
            work.catch(() => undefined);
        }
    }

    private newPool(target: DatabaseTarget, credentials: Credentials): pg.Pool {
        const pool = new pg.Pool(poolConfig(target, credentials, this.o));
        // An idle connection the server closed (failover, restart, admin kill): the pool drops it by itself.
        pool.on("error", (err) => this.log.warn({ err: describe(err) }, "idle database connection dropped"));
        return pool;
    }

    private async ensurePool(): Promise<pg.Pool> {
        if (!this.pool) {
            this.target ??= this.pending.resolve();
            if (!this.target) throw new Error(`waiting for ${this.pending.waitingFor}`);
            this.credentials = await this.target.secretSource.fetch();
            this.lastRefreshAt = Date.now();
            this.pool = this.newPool(this.target, this.credentials);
        }
        return this.pool;
    }

    /** Reads the secret again; rebuilds the pool if it changed. Resolves whether it changed. */
    private refreshCredentials(): Promise<boolean> {
        if (this.refreshing) return this.refreshing;
        const target = this.target;
        if (!target) return Promise.resolve(false);
        if (Date.now() - this.lastRefreshAt < this.o.credentialRefreshMinIntervalMs) return Promise.resolve(false);
        this.refreshing = (async () => {
            this.lastRefreshAt = Date.now();
            let fresh: Credentials;
            try {
                fresh = await target.secretSource.fetch();
            } catch (err) {
                this.log.error({ err: describe(err), source: target.secretSource.description }, "cannot read the database secret");
                return false;
            }
            const old = this.credentials;
            if (old && fresh.username === old.username && fresh.password === old.password) {
                this.log.warn({ source: target.secretSource.description }, "the database refused the credentials and the secret has not changed yet");
                return false;
            }
            this.log.info({ source: target.secretSource.description }, "database credentials changed; reconnecting with the new ones");
            this.credentials = fresh;
            const previous = this.pool;
            this.pool = this.closed ? undefined : this.newPool(target, fresh);
            if (previous) {
                const ending = previous.end().catch(() => undefined);
                this.oldPools.add(ending);
                void ending.then(() => this.oldPools.delete(ending));
            }
            return true;
        })().finally(() => {
            this.refreshing = undefined;
        });
        return this.refreshing;
    }

    private markDown(err: unknown): void {
        this.lastError = describe(err);
        if (this.up) {
            this.up = false;
            this.downSince = Date.now();
            this.log.warn({ err: this.lastError }, "database unreachable; failing fast and reconnecting with backoff");
        }
        this.scheduleProbe();
    }

    private markUp(): void {
        this.backoffMs = this.o.backoffInitialMs;
        if (!this.up) {
            this.up = true;
            this.log.info({ downForMs: Date.now() - this.downSince }, "database reachable");
        }
    }

    private scheduleProbe(): void {
        if (this.probeTimer || this.probing || this.closed) return;
        const delay = Math.round(this.backoffMs * (0.5 + Math.random() / 2));
        this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs);
        this.probeTimer = setTimeout(() => {
            this.probeTimer = undefined;
            void this.probe();
        }, delay);
        this.probeTimer.unref();
    }

    private probe(): Promise<void> {
        this.probing ??= (async () => {
            try {
                const client = await (await this.ensurePool()).connect();
                const onLost = () => undefined;
                client.on("error", onLost);
                try {
                    await client.query("SELECT 1");
                    client.off("error", onLost);
                    client.release();
                } catch (err) {
                    client.release(err instanceof Error ? err : new Error(describe(err)));
                    throw err;
                }
                this.markUp();
            } catch (err) {
                if (isAuthError(err)) await this.refreshCredentials();
                this.lastError = describe(err);
                if (this.up) this.markDown(err);
            }
        })().finally(() => {
            this.probing = undefined;
            if (!this.up) this.scheduleProbe();
        });
        return this.probing;
    }
}
