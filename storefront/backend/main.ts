/**
 * The backend process: configuration → database (probed in the background) → schema migration (retried in
 * the background) → HTTP on PORT. `/api/health` answers from the first moment, whatever the database does.
 *
 * SIGTERM / SIGINT: stop accepting connections (idle keep-alive connections are closed, requests arriving on
 * busy ones get 503 + `Connection: close`), let the requests in flight finish, close the pool, exit 0. If
 * that takes longer than `ECOMM_SHUTDOWN_GRACE_MS` (default 10 s) the process exits 1 at that bound. Every
 * database wait is bounded at 8 s (see database.ts), so with the default grace in-flight requests finish.
 *
 * Logs are JSON lines on stdout (log.ts): journald keeps them under the unit's name.
 */
import type { AddressInfo } from "node:net";
import { buildApp } from "./app";
import { loadConfig, loadDatabaseTarget, type BackendConfig } from "./config";
import { Database, type DatabaseOptions } from "./database";
import { jsonLog, type Log } from "./log";
import { migrate } from "./schema";

export interface Backend {
    /** `http://host:port` the server listens on. */
    readonly url: string;
    readonly port: number;
    readonly db: Database;
    /** Drains and closes; resolves when done. */
    close(): Promise<void>;
}

export interface StartOptions {
    /** Overrides for tests and the benchmark (timeouts, backoff). */
    readonly database?: Omit<DatabaseOptions, "target" | "log">;
    /** The environment db.env values are checked against (DB_ENGINE, ECOMM_DB_CA_FILE). @default process.env */
    readonly env?: Readonly<Record<string, string | undefined>>;
    /** @default JSON lines on stdout at the configured level */
    readonly log?: Log;
}

export async function startBackend(config: BackendConfig, options: StartOptions = {}): Promise<Backend> {
    const env = options.env ?? process.env;
    const setting = config.database;
    const log = options.log ?? jsonLog(config.logLevel);
    const db = new Database({
        ...options.database,
        log,
        target: setting.kind === "ready" ? setting.target : { waitingFor: setting.file, resolve: () => loadDatabaseTarget(setting.file, { env }) },
    });
    let schemaReady = false;
    const app = buildApp({ db, schemaReady: () => schemaReady, catalogueTtlMs: config.catalogueTtlMs, log });

    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let backoff = 100;
    const migrateUntilDone = async (): Promise<void> => {
        if (stopped) return;
        try {
            await db.transaction(migrate);
            schemaReady = true;
            log.info({}, "schema and seed catalogue in place");
        } catch (err) {
            log.warn({ err: (err as Error).message }, "schema migration not possible yet; retrying");
            backoff = Math.min(backoff * 2, 2000);
            retry = setTimeout(() => void migrateUntilDone(), backoff);
            retry.unref();
        }
    };

    await app.listen({ port: config.port, host: config.host });
    await db.start();
    await migrateUntilDone();

    const address = app.server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    let closing: Promise<void> | undefined;
    return {
        url: `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`,
        port: address.port,
        db,
        close: () =>
            (closing ??= (async () => {
                stopped = true;
                clearTimeout(retry);
                await app.close();
                await db.close();
            })()),
    };
}

/** Runs the backend as a service until SIGTERM/SIGINT. */
export async function runMain(): Promise<void> {
    let config: BackendConfig;
    try {
        config = loadConfig({ env: process.env });
    } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
    }
    // Lifecycle lines are logged whatever LOG_LEVEL says (except silent): they are what an operator reads.
    const log = jsonLog(config.logLevel === "silent" ? "silent" : "info");
    const backend = await startBackend(config);
    log.info({ port: backend.port }, `storefront backend listening on ${backend.url}`);
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
            console.error(`second ${signal}: exiting now`);
            process.exit(1);
        }
        signalled = true;
        const started = Date.now();
        log.info({}, `${signal}: draining (bound ${config.shutdownGraceMs} ms)`);
        const bound = setTimeout(() => {
            log.error({}, `drain not finished within ${config.shutdownGraceMs} ms; exiting`);
            process.exit(1);
        }, config.shutdownGraceMs);
        bound.unref();
        backend.close().then(
            () => {
                log.info({}, `drained in ${Date.now() - started} ms; exiting`);
                process.exit(0);
            },
            (err: unknown) => {
                log.error({}, `shutdown failed: ${(err as Error).message}`);
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
}
