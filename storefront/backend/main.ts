/**
 * The backend process: configuration → database (probed in the background) → schema migration (retried in
 * the background) → HTTP on PORT. `/api/health` answers from the first moment, whatever the database does.
 *
 * SIGTERM / SIGINT: stop accepting connections (idle keep-alive connections are closed, requests arriving on
 * busy ones get 503 + `Connection: close`), let the requests in flight finish, close the pool, exit 0. If
 * that takes longer than `ECOMM_SHUTDOWN_GRACE_MS` (default 10 s) the process exits 1 at that bound. Every
 * database wait is bounded at 8 s (see database.ts), so with the default grace in-flight requests finish.
 *
 * Logs are JSON lines on stdout (pino): journald keeps them under the unit's name.
 */
import type { AddressInfo } from "node:net";
import type { FastifyBaseLogger } from "fastify";
import { buildApp } from "./app";
import { loadConfig, loadDatabaseTarget, type BackendConfig } from "./config";
import { Database, type DatabaseOptions } from "./database";
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
}

export async function startBackend(config: BackendConfig, options: StartOptions = {}): Promise<Backend> {
    const env = options.env ?? process.env;
    const setting = config.database;
    // The database logs through the app's logger, which exists only once the app does.
    const appLog: { current?: FastifyBaseLogger } = {};
    const log = {
        info: (o: object, m?: string) => appLog.current?.info(o, m),
        warn: (o: object, m?: string) => appLog.current?.warn(o, m),
        error: (o: object, m?: string) => appLog.current?.error(o, m),
    };
    const db = new Database({
        ...options.database,
        log,
        target: setting.kind === "ready" ? setting.target : { waitingFor: setting.file, resolve: () => loadDatabaseTarget(setting.file, { env }) },
    });
    let schemaReady = false;
    const app = buildApp({ db, schemaReady: () => schemaReady, catalogueTtlMs: config.catalogueTtlMs, logger: { level: config.logLevel } });
    appLog.current = app.log;

    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let backoff = 100;
    const migrateUntilDone = async (): Promise<void> => {
        if (stopped) return;
        try {
            await db.transaction(migrate);
            schemaReady = true;
            app.log.info("schema and seed catalogue in place");
        } catch (err) {
            app.log.warn({ err: (err as Error).message }, "schema migration not possible yet; retrying");
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
    const backend = await startBackend(config);
    console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `storefront backend listening on ${backend.url}`, port: backend.port }));
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
            console.error(`second ${signal}: exiting now`);
            process.exit(1);
        }
        signalled = true;
        const started = Date.now();
        console.log(JSON.stringify({ level: 30, time: started, msg: `${signal}: draining (bound ${config.shutdownGraceMs} ms)` }));
        const bound = setTimeout(() => {
            console.error(JSON.stringify({ level: 50, time: Date.now(), msg: `drain not finished within ${config.shutdownGraceMs} ms; exiting` }));
            process.exit(1);
        }, config.shutdownGraceMs);
        bound.unref();
        backend.close().then(
            () => {
                console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `drained in ${Date.now() - started} ms; exiting` }));
                process.exit(0);
            },
            (err: unknown) => {
                console.error(JSON.stringify({ level: 50, time: Date.now(), msg: `shutdown failed: ${(err as Error).message}` }));
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
}
