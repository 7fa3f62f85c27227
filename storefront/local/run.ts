/**
 * `npm run app`: the whole storefront on this machine.
 *   - PostgreSQL: `DATABASE_URL` if set, else a fresh embedded server (deleted again at exit);
 *   - the backend on a loopback port, exactly as on an instance (schema and seed at start);
 *   - the load balancer's routing on `PORT` (default 8080): `/api/*` to the backend, the rest to the
 *     frontend's static files.
 * Prints the URL. Ctrl-C / SIGTERM: drains the backend, stops PostgreSQL, removes its data, exits 0.
 */
import * as path from "node:path";
import { loadConfig } from "../backend/config";
import { startBackend, type Backend } from "../backend/main";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres";
import { startRouter, type Router } from "./router";

export const FRONTEND_DIR = path.resolve(__dirname, "..", "frontend");

/** Stopping everything takes at most this long; past it the process exits 1. */
export const LOCAL_SHUTDOWN_BOUND_MS = 15_000;

async function main(): Promise<void> {
    const port = process.env.PORT ?? "8080";
    const host = process.env.HOST ?? "127.0.0.1";
    let pg: EmbeddedPostgres | undefined;
    let backend: Backend | undefined;
    let router: Router | undefined;
    let stopping: Promise<void> | undefined;

    const stop = (why: string) =>
        (stopping ??= (async () => {
            console.log(`storefront: ${why}; stopping`);
            const bound = setTimeout(() => {
                console.error(`storefront: not stopped within ${LOCAL_SHUTDOWN_BOUND_MS} ms; exiting`);
                process.exit(1);
            }, LOCAL_SHUTDOWN_BOUND_MS);
            bound.unref();
            await router?.close();
            await backend?.close();
            await pg?.destroy();
            console.log("storefront: stopped");
        })());
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(signal, () => {
            if (stopping) return;
            void stop(signal).then(
                () => process.exit(0),
                (err: unknown) => {
                    console.error(`storefront: ${(err as Error).message}`);
                    process.exit(1);
                },
            );
        });
    }

    try {
        let databaseUrl = process.env.DATABASE_URL;
        if (!databaseUrl) {
            pg = await startEmbeddedPostgres();
            databaseUrl = pg.url;
            console.log(`storefront: embedded PostgreSQL pid ${pg.pid()}, data ${pg.dataDir} (deleted at exit)`);
            console.log(`storefront: DATABASE_URL=${pg.url}`);
        } else {
            console.log("storefront: using DATABASE_URL");
        }
        const config = loadConfig({ env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" } });
        backend = await startBackend(config);
        router = await startRouter({ port: Number(port), host, backendUrl: backend.url, staticDir: FRONTEND_DIR });
        console.log(`storefront: backend ${backend.url} (${backend.db.isUp ? "database connected" : `database not reachable yet: ${backend.db.status.reason}`})`);
        console.log(`storefront: open ${router.url}`);
    } catch (err) {
        console.error(`storefront: cannot start: ${(err as Error).message}`);
        await stop("start failed").catch(() => undefined);
        process.exit(1);
    }
}

void main();
