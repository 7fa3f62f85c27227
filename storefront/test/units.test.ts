/** The storefront's pure parts: configuration, money, request hashing, error classes, static paths, tool checks. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import { DEFAULT_CA_FILE, loadConfig, parseEnvFile } from "../backend/config";
import { DeadlineError, isAuthError, isConnectivityError, poolConfig } from "../backend/database";
import { FileSecretSource, parseCredentials, regionOfSecretArn, SecretsManagerSecretSource, StaticSecretSource } from "../backend/secrets";
import { formatCents, requestHash, ShopError } from "../backend/shop";
import { staticFile } from "../local/router";
import { reachableByOthers } from "../local/embedded-postgres";
import { requireTool, toolRequired } from "./require-tool";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-3f1c-AbCdEf";
/** Exactly what Ecomm.Pulumi/userdata/db-env.sh writes. */
const DB_ENV = `DB_HOST=shop.abc123.eu-west-1.rds.amazonaws.com\nDB_PORT=5432\nDB_NAME=shop\nDB_SECRET_ARN=${ARN}\n`;
const files = (map: Record<string, string>) => (file: string) => map[file];

describe("configuration", () => {
    test("db.env as the boot script writes it: TLS verify-full with the default CA bundle, secret from Secrets Manager", () => {
        const c = loadConfig({ env: {}, readFile: files({ "/etc/ecomm/db.env": DB_ENV }) });
        assert.equal(c.port, 8080);
        assert.equal(c.shutdownGraceMs, 10_000);
        if (c.database.kind !== "ready") throw new Error("expected ready");
        const t = c.database.target;
        assert.deepEqual([t.host, t.port, t.database], ["shop.abc123.eu-west-1.rds.amazonaws.com", 5432, "shop"]);
        assert.deepEqual(t.tls, { mode: "verify-full", caFile: DEFAULT_CA_FILE });
        assert.ok(t.secretSource instanceof SecretsManagerSecretSource);
        assert.equal(t.secretSource.description, `Secrets Manager secret ${ARN}`);
    });

    test("db.env path and CA path are configurable; a missing db.env is awaited, not an error", () => {
        const c = loadConfig({ env: { ECOMM_DB_ENV_FILE: "/run/db.env", ECOMM_DB_CA_FILE: "/opt/ca.pem" }, readFile: files({ "/run/db.env": DB_ENV }) });
        assert.equal(c.database.kind === "ready" && c.database.target.tls.mode === "verify-full" && c.database.target.tls.caFile, "/opt/ca.pem");
        const waiting = loadConfig({ env: {}, readFile: files({}) });
        assert.deepEqual(waiting.database, { kind: "await-file", file: "/etc/ecomm/db.env" });
    });

    test("DATABASE_URL: plain locally, verify-full when asked, credentials from a secret file when given", () => {
        const plain = loadConfig({ env: { DATABASE_URL: "postgres://u:p%40ss@db.local:6543/shop" } });
        if (plain.database.kind !== "ready") throw new Error("expected ready");
        assert.deepEqual(plain.database.target.tls, { mode: "disable" });
        assert.deepEqual([plain.database.target.host, plain.database.target.port], ["db.local", 6543]);
        assert.ok(plain.database.target.secretSource instanceof StaticSecretSource);
        const withCa = loadConfig({ env: { DATABASE_URL: "postgres://u:p@h/shop", ECOMM_DB_CA_FILE: "/ca.pem" } });
        assert.deepEqual(withCa.database.kind === "ready" && withCa.database.target.tls, { mode: "verify-full", caFile: "/ca.pem" });
        const file = loadConfig({ env: { DATABASE_URL: "postgres://h/shop", ECOMM_DB_SECRET_FILE: "/s.json" } });
        assert.ok(file.database.kind === "ready" && file.database.target.secretSource instanceof FileSecretSource);
    });

    const bad: { name: string; env: Record<string, string>; file?: string; messages: RegExp[] }[] = [
        { name: "MySQL URL", env: { DATABASE_URL: "mysql://u:p@h/shop" }, messages: [/DATABASE_URL: the storefront supports PostgreSQL only, not mysql/] },
        { name: "DB_ENGINE=mysql", env: { DB_ENGINE: "mysql" }, file: DB_ENV, messages: [/DB_ENGINE: "mysql" is not supported by the storefront; expected postgres/] },
        { name: "weak sslmode", env: { DATABASE_URL: "postgres://u:p@h/shop?sslmode=require" }, messages: [/sslmode "require" is not allowed; expected "verify-full"/] },
        { name: "verify-full without CA", env: { DATABASE_URL: "postgres://u:p@h/shop?sslmode=verify-full" }, messages: [/needs a CA file/] },
        { name: "not a URL, password redacted", env: { DATABASE_URL: "postgres://u:secret@" }, messages: [/DATABASE_URL: "postgres:\/\/u:\*\*\*@"/] },
        { name: "bad PORT and grace, all at once", env: { DATABASE_URL: "postgres://u:p@h/shop", PORT: "http", ECOMM_SHUTDOWN_GRACE_MS: "-1", LOG_LEVEL: "loud" }, messages: [/PORT: "http" is not allowed; expected an integer from 0 to 65535/, /ECOMM_SHUTDOWN_GRACE_MS: "-1"/, /LOG_LEVEL: "loud"/] },
        { name: "db.env missing keys", env: {}, file: "DB_HOST=h\n", messages: [/DB_PORT is missing/, /DB_NAME is missing/, /DB_SECRET_ARN is missing/] },
        { name: "db.env with a bad ARN", env: {}, file: DB_ENV.replace(ARN, "rds-secret"), messages: [/DB_SECRET_ARN: "rds-secret" is not a Secrets Manager secret ARN/] },
    ];
    for (const c of bad) {
        test(`refused: ${c.name}`, () => {
            assert.throws(
                () => loadConfig({ env: c.env, readFile: files(c.file ? { "/etc/ecomm/db.env": c.file } : {}) }),
                (err: Error) => {
                    for (const m of c.messages) assert.match(err.message, m);
                    assert.doesNotMatch(err.message, /secret@/);
                    return true;
                },
            );
        });
    }

    test("parseEnvFile skips comments and blank lines", () => {
        assert.deepEqual(parseEnvFile("# c\n\nA=1\nB = two=2 \nnonsense\n"), { A: "1", B: "two=2" });
    });
});

describe("secrets", () => {
    test("the RDS secret JSON: username and password, other keys ignored; problems named without the value", () => {
        assert.deepEqual(parseCredentials('{"username":"shop","password":"p","engine":"postgres"}', "src"), { username: "shop", password: "p" });
        assert.throws(() => parseCredentials('{"username":"shop"}', "src"), /src: the secret needs non-empty string keys "username" and "password" \(problem at: password\)/);
        assert.throws(() => parseCredentials("hunter2", "src"), (e: Error) => /not JSON/.test(e.message) && !e.message.includes("hunter2"));
    });

    test("the region comes from the ARN (db.env has no region)", () => {
        assert.equal(regionOfSecretArn(ARN), "eu-west-1");
        assert.equal(regionOfSecretArn("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x"), "us-gov-west-1");
        assert.throws(() => regionOfSecretArn("arn:aws:ssm:eu-west-1:123456789012:parameter/x"), /not a Secrets Manager secret ARN/);
    });

    test("Secrets Manager source asks for the ARN each time and parses SecretString", async () => {
        const asked: unknown[] = [];
        let password = "one";
        const client = {
            send: async (command: unknown) => {
                asked.push((command as { input: unknown }).input);
                return { SecretString: JSON.stringify({ username: "shop", password }) };
            },
        };
        const source = new SecretsManagerSecretSource(ARN, client);
        assert.deepEqual(await source.fetch(), { username: "shop", password: "one" });
        password = "two";
        assert.deepEqual(await source.fetch(), { username: "shop", password: "two" });
        assert.deepEqual(asked, [{ SecretId: ARN }, { SecretId: ARN }]);
        const binary = new SecretsManagerSecretSource(ARN, { send: async () => ({}) });
        await assert.rejects(binary.fetch(), /has no SecretString/);
    });

    test("file source re-reads the file", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-s-")), "s.json");
        fs.writeFileSync(file, '{"username":"a","password":"1"}');
        const source = new FileSecretSource(file);
        assert.equal((await source.fetch()).password, "1");
        fs.writeFileSync(file, '{"username":"a","password":"2"}');
        assert.equal((await source.fetch()).password, "2");
        fs.rmSync(path.dirname(file), { recursive: true });
    });
});

describe("database error classes and pool settings", () => {
    const dbError = (code: string) => Object.assign(new pg.DatabaseError("x", 1, "error"), { code });
    test("connectivity vs statement errors", () => {
        const cases: [unknown, boolean][] = [
            [dbError("57P01"), true], // admin_shutdown (server stopped)
            [dbError("57P03"), true], // cannot_connect_now (starting up)
            [dbError("08006"), true],
            [dbError("53300"), true], // too_many_connections
            [dbError("57014"), false], // statement_timeout: the connection is fine
            [dbError("23505"), false],
            [dbError("28P01"), false],
            [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { syscall: "connect", code: "ECONNREFUSED" }), true],
            [new Error("Connection terminated unexpectedly"), true],
            [new Error("timeout exceeded when trying to connect"), true],
            [new DeadlineError("no answer within 8000 ms"), true],
            [new ShopError(422, "unknown_product", "unknown product: x"), false],
            [new TypeError("x is not a function"), false],
        ];
        for (const [err, expected] of cases) assert.equal(isConnectivityError(err), expected, String((err as Error).message ?? err) + " " + (err as { code?: string }).code);
        assert.equal(isAuthError(dbError("28P01")), true);
        assert.equal(isAuthError(dbError("28000")), true);
        assert.equal(isAuthError(dbError("57P01")), false);
    });

    test("pool settings: timeouts, keepalive, and TLS verify-full from the CA file", () => {
        const o = { poolSize: 10, connectTimeoutMs: 2000, statementTimeoutMs: 5000, queryTimeoutMs: 6000, operationTimeoutMs: 8000, backoffInitialMs: 100, backoffMaxMs: 1000, credentialRefreshMinIntervalMs: 1000 };
        const target = { host: "db", port: 5432, database: "shop", tls: { mode: "verify-full" as const, caFile: "/ca.pem" }, secretSource: new StaticSecretSource({ username: "u", password: "p" }) };
        const read: string[] = [];
        const c = poolConfig(target, { username: "u", password: "p" }, o, (f) => (read.push(f), Buffer.from("CA")));
        assert.deepEqual(read, ["/ca.pem"]);
        assert.deepEqual(c.ssl, { ca: Buffer.from("CA"), rejectUnauthorized: true });
        assert.deepEqual(
            [c.max, c.connectionTimeoutMillis, c.statement_timeout, c.query_timeout, c.idle_in_transaction_session_timeout, c.keepAlive, c.user, c.password],
            [10, 2000, 5000, 6000, 8000, true, "u", "p"],
        );
        assert.equal(poolConfig({ ...target, tls: { mode: "disable" } }, { username: "u", password: "p" }, o).ssl, false);
        assert.throws(
            () =>
                poolConfig(target, { username: "u", password: "p" }, o, () => {
                    throw new Error("ENOENT");
                }),
            /cannot read the database CA bundle \/ca.pem \(ECOMM_DB_CA_FILE\)/,
        );
    });
});

describe("money and orders", () => {
    test("formatCents is exact", () => {
        assert.deepEqual([0, 5, 100, 1999, 123456789, -250].map(formatCents), ["0.00", "0.05", "1.00", "19.99", "1234567.89", "-2.50"]);
        assert.throws(() => formatCents(1.5), /not an integer/);
    });
    test("requestHash: the same basket in any line order hashes the same; quantities matter", () => {
        const a = requestHash([{ productId: "a", quantity: 1 }, { productId: "b", quantity: 2 }]);
        assert.equal(requestHash([{ productId: "b", quantity: 2 }, { productId: "a", quantity: 1 }]), a);
        assert.notEqual(requestHash([{ productId: "a", quantity: 2 }, { productId: "b", quantity: 2 }]), a);
        assert.match(a, /^[0-9a-f]{64}$/);
    });
});

describe("static files", () => {
    const root = path.resolve(__dirname, "..", "frontend");
    test("paths resolve inside the frontend only", () => {
        assert.equal(staticFile(root, "/"), path.join(root, "index.html"));
        assert.equal(staticFile(root, "/cart.html?x=1"), path.join(root, "cart.html"));
        for (const p of ["/../package.json", "/%2e%2e/package.json", "/..%2fpackage.json", "/nope.html", "/%zz", "/a%00b"]) assert.equal(staticFile(root, p), undefined, p);
    });
});

describe("embedded PostgreSQL binaries as another user sees them", () => {
    const tmp = os.tmpdir();
    const skip = reachableByOthers(path.join(tmp, "probe")) ? false : `the temp dir ${tmp} is itself private: nothing under it can be reachable`;
    test("a file under a private directory (mktemp -d makes 0700) is out of reach; opened to traversal, it is reachable", { skip }, () => {
        const dir = fs.mkdtempSync(path.join(tmp, "ecomm-reach-"));
        try {
            const inner = path.join(dir, "a", "b");
            fs.mkdirSync(inner, { recursive: true, mode: 0o755 });
            const file = path.join(inner, "postgres");
            fs.writeFileSync(file, "");
            fs.chmodSync(dir, 0o700);
            assert.equal(reachableByOthers(file), false);
            fs.chmodSync(dir, 0o711);
            assert.equal(reachableByOthers(file), true);
            fs.chmodSync(path.join(dir, "a"), 0o750);
            assert.equal(reachableByOthers(file), false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("requireTool", () => {
    const exists = (files: string[]) => (f: string) => files.includes(f);
    test("ECOMM_REQUIRE_TOOLS: a comma list or all, case-insensitive", () => {
        assert.equal(toolRequired("chromium", { ECOMM_REQUIRE_TOOLS: "shellcheck, Chromium" }), true);
        assert.equal(toolRequired("chromium", { ECOMM_REQUIRE_TOOLS: "all" }), true);
        assert.equal(toolRequired("chromium", { ECOMM_REQUIRE_TOOLS: "chromium-headless" }), false);
        assert.equal(toolRequired("chromium", {}), false);
    });
    test("found: runs; missing: skips with a reason; missing but required: runs and fails", () => {
        const found = requireTool("chromium", { env: { PATH: "/bin" }, candidates: ["/usr/bin/chromium"], isExecutable: exists(["/usr/bin/chromium"]) });
        assert.deepEqual([found.skip, found.path()], [false, "/usr/bin/chromium"]);
        const onPath = requireTool("shellcheck", { env: { PATH: "/a:/b" }, isExecutable: exists(["/b/shellcheck"]) });
        assert.equal(onPath.path(), "/b/shellcheck");
        const missing = requireTool("chromium", { env: { PATH: "/bin" }, isExecutable: exists([]) });
        assert.match(String(missing.skip), /chromium is not installed .*ECOMM_REQUIRE_TOOLS=chromium makes it mandatory/);
        const required = requireTool("chromium", { env: { PATH: "/bin", ECOMM_REQUIRE_TOOLS: "chromium" }, isExecutable: exists([]) });
        assert.equal(required.skip, false);
        assert.throws(() => required.path(), /chromium is not installed .* requires it/);
    });
});
