/**
 * The backend's configuration, from the environment and, on an instance, `/etc/ecomm/db.env`. Read once at
 * start by `main.ts`; every problem is reported at once, naming the variable, the value and what is allowed.
 *
 * Two ways to name the database:
 * - `DATABASE_URL=postgres://user:pass@host:port/db[?sslmode=verify-full&sslrootcert=/path/ca.pem]`
 *   (local runs, tests). `ECOMM_DB_SECRET_FILE` then overrides the URL's user and password with a JSON file
 *   read again on every authentication failure.
 * - otherwise the db.env file (`ECOMM_DB_ENV_FILE`, default `/etc/ecomm/db.env`) written by the boot script:
 *   `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_SECRET_ARN`; credentials from that Secrets Manager secret; TLS always,
 *   verified against the CA bundle at `ECOMM_DB_CA_FILE` (default `/etc/ecomm/rds-ca.pem`) with the host name
 *   checked (libpq's `sslmode=verify-full`).
 *
 * PostgreSQL only: a `mysql://` URL or `DB_ENGINE=mysql` is refused (the program refuses MySQL + storefront).
 */
import * as fs from "node:fs";
import { isLogLevel, LOG_LEVELS, type LogLevel } from "./log";
import { FileSecretSource, regionOfSecretArn, SecretsManagerSecretSource, StaticSecretSource, type SecretSource } from "./secrets";

export const DEFAULT_DB_ENV_FILE = "/etc/ecomm/db.env";
export const DEFAULT_CA_FILE = "/etc/ecomm/rds-ca.pem";

/** TLS to the database: off, or verify-full against a CA bundle. */
export type TlsSetting = { readonly mode: "disable" } | { readonly mode: "verify-full"; readonly caFile: string };

export interface DatabaseTarget {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly tls: TlsSetting;
    readonly secretSource: SecretSource;
}

/** Where the database comes from: known now, or a db.env file that the boot script has not written yet. */
export type DatabaseSetting = { readonly kind: "ready"; readonly target: DatabaseTarget } | { readonly kind: "await-file"; readonly file: string };

export interface BackendConfig {
    /** @default 8080 */
    readonly port: number;
    /** @default "0.0.0.0" */
    readonly host: string;
    readonly database: DatabaseSetting;
    /** SIGTERM: the longest wait for in-flight requests before the pool is closed and the process exits. @default 10000 */
    readonly shutdownGraceMs: number;
    /** How long a `GET /api/products` answer is reused. 0 = every request reads the database. @default 1000 */
    readonly catalogueTtlMs: number;
    /** @default "info" */
    readonly logLevel: LogLevel;
}

export interface ConfigSources {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly readFile?: (file: string) => string | undefined;
}


function defaultReadFile(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new Error(`cannot read ${file}: ${(err as Error).message}`);
    }
}

/** Parses `KEY=value` lines (blank lines and `#` comments skipped; no quoting, as db-env.sh writes none). */
export function parseEnvFile(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return out;
}

function integerIn(problems: string[], name: string, value: string | undefined, fallback: number, min: number, max: number): number {
    if (value === undefined || value === "") return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        problems.push(`${name}: "${value}" is not allowed; expected an integer from ${min} to ${max}`);
        return fallback;
    }
    return Number(value);
}

/** `DATABASE_URL` → target. */
function fromUrl(problems: string[], text: string, env: ConfigSources["env"]): DatabaseTarget | undefined {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        problems.push(`DATABASE_URL: "${redact(text)}" is not a URL; expected postgres://user:password@host:port/database`);
        return undefined;
    }
    if (url.protocol === "mysql:" || url.protocol === "mariadb:") {
        problems.push(`DATABASE_URL: the storefront supports PostgreSQL only, not ${url.protocol.slice(0, -1)}; expected postgres:// or postgresql://`);
        return undefined;
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
        problems.push(`DATABASE_URL: scheme "${url.protocol}" is not allowed; expected postgres:// or postgresql://`);
        return undefined;
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
    if (!url.hostname || !database) problems.push(`DATABASE_URL: "${redact(text)}" needs a host and a database name (postgres://user:password@host:port/database)`);
    const port = integerIn(problems, "DATABASE_URL port", url.port, 5432, 1, 65535);
    const sslmode = url.searchParams.get("sslmode") ?? (env.ECOMM_DB_CA_FILE ? "verify-full" : "disable");
    let tls: TlsSetting = { mode: "disable" };
    if (sslmode === "verify-full") {
        const caFile = url.searchParams.get("sslrootcert") ?? env.ECOMM_DB_CA_FILE;
        if (!caFile) problems.push("DATABASE_URL: sslmode=verify-full needs a CA file: sslrootcert=<path> in the URL or ECOMM_DB_CA_FILE");
        else tls = { mode: "verify-full", caFile };
    } else if (sslmode !== "disable") {
        problems.push(`DATABASE_URL: sslmode "${sslmode}" is not allowed; expected "verify-full" (TLS, server verified) or "disable"`);
    }
    const secretFile = env.ECOMM_DB_SECRET_FILE;
    const secretSource: SecretSource = secretFile
        ? new FileSecretSource(secretFile)
        : new StaticSecretSource({ username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
    if (!secretFile && !url.username) problems.push(`DATABASE_URL: "${redact(text)}" has no user; add user:password@ or set ECOMM_DB_SECRET_FILE`);
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port, database, tls, secretSource };
}

/** db.env (as written by Ecomm.Pulumi/userdata/db-env.sh) → target. */
function fromDbEnv(problems: string[], file: string, text: string, env: ConfigSources["env"]): DatabaseTarget | undefined {
    const values = parseEnvFile(text);
    for (const key of ["DB_HOST", "DB_PORT", "DB_NAME", "DB_SECRET_ARN"]) {
        if (!values[key]) problems.push(`${file}: ${key} is missing; the file needs DB_HOST, DB_PORT, DB_NAME and DB_SECRET_ARN`);
    }
    const engine = values.DB_ENGINE ?? env.DB_ENGINE;
    if (engine !== undefined && !/^(postgres|postgresql|aurora-postgresql)$/.test(engine)) {
        problems.push(`DB_ENGINE: "${engine}" is not supported by the storefront; expected postgres (PostgreSQL only)`);
    }
    const port = integerIn(problems, `${file}: DB_PORT`, values.DB_PORT, 5432, 1, 65535);
    const arn = values.DB_SECRET_ARN;
    if (arn) {
        try {
            regionOfSecretArn(arn);
        } catch (err) {
            problems.push(`${file}: ${(err as Error).message}`);
        }
    }
    if (problems.length > 0 || !arn) return undefined;
    return {
        host: values.DB_HOST,
        port,
        database: values.DB_NAME,
        tls: { mode: "verify-full", caFile: env.ECOMM_DB_CA_FILE || DEFAULT_CA_FILE },
        secretSource: new SecretsManagerSecretSource(arn),
    };
}

function redact(url: string): string {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
}

/** Reads the whole configuration; throws one error listing every problem. */
export function loadConfig(sources: ConfigSources): BackendConfig {
    const { env } = sources;
    const readFile = sources.readFile ?? defaultReadFile;
    const problems: string[] = [];
    const port = integerIn(problems, "PORT", env.PORT, 8080, 0, 65535);
    const shutdownGraceMs = integerIn(problems, "ECOMM_SHUTDOWN_GRACE_MS", env.ECOMM_SHUTDOWN_GRACE_MS, 10_000, 0, 120_000);
    const catalogueTtlMs = integerIn(problems, "ECOMM_CATALOGUE_TTL_MS", env.ECOMM_CATALOGUE_TTL_MS, 1000, 0, 3_600_000);
    const level = env.LOG_LEVEL || "info";
    if (!isLogLevel(level)) problems.push(`LOG_LEVEL: "${level}" is not allowed; expected one of ${Object.keys(LOG_LEVELS).join(", ")}`);
    const logLevel: LogLevel = isLogLevel(level) ? level : "info";

    let database: DatabaseSetting | undefined;
    if (env.DATABASE_URL) {
        const target = fromUrl(problems, env.DATABASE_URL, env);
        if (target) database = { kind: "ready", target };
    } else {
        const file = env.ECOMM_DB_ENV_FILE || DEFAULT_DB_ENV_FILE;
        const text = readFile(file);
        if (text === undefined) database = { kind: "await-file", file };
        else {
            const target = fromDbEnv(problems, file, text, env);
            if (target) database = { kind: "ready", target };
        }
    }
    if (problems.length > 0 || !database) {
        throw new Error(`storefront backend configuration:\n  - ${problems.join("\n  - ")}`);
    }
    return { port, host: env.HOST || "0.0.0.0", database, shutdownGraceMs, catalogueTtlMs, logLevel };
}

/** Reads the db.env file again (the backend polls while it is missing). */
export function loadDatabaseTarget(file: string, sources: ConfigSources): DatabaseTarget | undefined {
    const text = (sources.readFile ?? defaultReadFile)(file);
    if (text === undefined) return undefined;
    const problems: string[] = [];
    const target = fromDbEnv(problems, file, text, sources.env);
    if (!target) throw new Error(`storefront backend configuration:\n  - ${problems.join("\n  - ")}`);
    return target;
}
