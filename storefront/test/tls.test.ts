/**
 * TLS to the database with libpq's verify-full semantics, against a real PostgreSQL serving a certificate
 * from a CA generated here with openssl: the right CA and host name connect (over TLS, checked server side);
 * another CA, or a host name the certificate does not name, are refused.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { loadConfig, type DatabaseTarget } from "../backend/config";
import { Database } from "../backend/database";
import { StaticSecretSource } from "../backend/secrets";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../local/embedded-postgres";
import { requireTool } from "./require-tool";

const openssl = requireTool("openssl", { candidates: ["/usr/bin/openssl"] });
/** P-256 keys: generated in milliseconds (RSA takes seconds on this machine). */
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dir: string;
let server: EmbeddedPostgres | undefined;

function makeCa(name: string): void {
    const bin = openssl.path();
    execFileSync(bin, ["req", "-x509", ...EC_KEY, "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", path.join(dir, `${name}.key`), "-out", path.join(dir, `${name}.pem`)], { stdio: "ignore" });
}

before(async () => {
    if (openssl.skip) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-tls-"));
    fs.chmodSync(dir, 0o755);
    const bin = openssl.path();
    makeCa("test-ca");
    makeCa("other-ca");
    const key = path.join(dir, "server.key");
    execFileSync(bin, ["req", ...EC_KEY, "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", path.join(dir, "server.csr")], { stdio: "ignore" });
    fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
    execFileSync(bin, ["x509", "-req", "-in", path.join(dir, "server.csr"), "-CA", path.join(dir, "test-ca.pem"), "-CAkey", path.join(dir, "test-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", path.join(dir, "san.ext"), "-out", path.join(dir, "server.crt")], { stdio: "ignore" });
    // PostgreSQL wants its key readable by the server's user only; as root the server runs as `postgres`.
    fs.chmodSync(key, 0o600);
    if (os.userInfo().uid === 0) {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
        fs.chownSync(key, uid, gid);
    }
    server = await startEmbeddedPostgres({ settings: { ssl: "on", ssl_cert_file: path.join(dir, "server.crt"), ssl_key_file: key, listen_addresses: "127.0.0.1" } });
});
after(async () => {
    await server?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function target(host: string, caFile: string): DatabaseTarget {
    return { host, port: server!.port, database: server!.database, tls: { mode: "verify-full", caFile }, secretSource: new StaticSecretSource({ username: server!.user, password: server!.password }) };
}

async function connectOnce(t: DatabaseTarget): Promise<{ up: boolean; reason?: string; ssl?: boolean }> {
    const db = new Database({ target: t, log, connectTimeoutMs: 3000 });
    try {
        await db.start();
        if (!db.isUp) return { up: false, reason: db.status.reason };
        const ssl = await db.withClient(async (c) => (await c.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0].ssl);
        return { up: true, ssl };
    } finally {
        await db.close();
    }
}

test("the right CA and the certificate's host name: connected, over TLS", { skip: openssl.skip }, async () => {
    // "localhost" may resolve to ::1 first; the server listens on 127.0.0.1 and node-postgres tries both.
    const res = await connectOnce(target("localhost", path.join(dir, "test-ca.pem")));
    assert.deepEqual(res, { up: true, ssl: true });
});

test("a certificate from another CA is refused", { skip: openssl.skip }, async () => {
    const res = await connectOnce(target("localhost", path.join(dir, "other-ca.pem")));
    assert.equal(res.up, false);
    assert.match(res.reason ?? "", /self[- ]signed certificate|unable to verify|unable to get local issuer/i);
});

test("a host name the certificate does not name is refused (verify-full, not verify-ca)", { skip: openssl.skip }, async () => {
    const res = await connectOnce(target("127.0.0.1", path.join(dir, "test-ca.pem")));
    assert.equal(res.up, false);
    assert.match(res.reason ?? "", /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i);
});

test("DATABASE_URL with sslmode=verify-full&sslrootcert connects the same way", { skip: openssl.skip }, async () => {
    const url = `postgres://${server!.user}:${server!.password}@localhost:${server!.port}/${server!.database}?sslmode=verify-full&sslrootcert=${encodeURIComponent(path.join(dir, "test-ca.pem"))}`;
    const config = loadConfig({ env: { DATABASE_URL: url } });
    if (config.database.kind !== "ready") throw new Error("expected a ready target");
    assert.deepEqual(config.database.target.tls, { mode: "verify-full", caFile: path.join(dir, "test-ca.pem") });
    assert.deepEqual(await connectOnce(config.database.target), { up: true, ssl: true });
});
