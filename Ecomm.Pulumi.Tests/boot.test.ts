/**
 * The boot script run for real (bash) against fakes of dnf, systemctl, the IMDSv2 metadata service, the aws
 * CLI and nginx (boot-harness.ts): what runs, in what order, what is left on disk, and whether the instance
 * passes its health check (boot-ok) or fails it (boot-failed), for each step failing.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import { requireTool } from "../storefront/test/require-tool";
import { shellcheck } from "./harness";
import { buildStorefront, type StorefrontBuild } from "../storefront/build";
import { renderUserData, type UserDataValues } from "../Ecomm.Pulumi/userdata/render";
import { serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";
import { AZ, FAKE_PEM, INSTANCE_ID, runBoot, type BootFailure, type BootRun } from "./boot-harness";

const BUCKET = "ecomm-dev-artifacts-0a1b2c3d";
const REGION = "us-east-1";

let build: StorefrontBuild;

function values(role: "frontend" | "backend", withArtifact: boolean, extra: Partial<UserDataValues> = {}): UserDataValues {
    const artifact = build[role];
    return {
        role,
        port: 80,
        healthCheckPath: role === "frontend" ? "/health" : "/api/health",
        loadBalancerIdleTimeoutSeconds: 60,
        logGroups: serviceLogGroupNames(`/ecomm/dev/${role}`),
        database: role === "backend" ? { parameterPath: "/ecomm/dev/database", region: REGION } : undefined,
        artifact: withArtifact ? { bucket: BUCKET, key: artifact.key, sha256: artifact.sha256, region: REGION } : undefined,
        ...extra,
    };
}

function boot(role: "frontend" | "backend", failures: BootFailure[] = [], opts: { artifact?: boolean; s3?: Record<string, Buffer> } = {}): BootRun {
    const withArtifact = opts.artifact ?? true;
    const s3 = opts.s3 ?? { [`${BUCKET}/${build[role].key}`]: build[role].bytes };
    return runBoot(renderUserData(values(role, withArtifact)), { failures, s3 });
}

const healthy = (r: BootRun) => {
    assert.ok(r.exists("var/lib/ecomm/boot-ok"), `boot-ok written\n${r.stdout}`);
    assert.ok(!r.exists("var/lib/ecomm/boot-failed"), "no boot-failed");
};
const unhealthy = (r: BootRun, failed: string[]) => {
    assert.ok(!r.exists("var/lib/ecomm/boot-ok"), "no boot-ok: the health paths answer 503");
    assert.deepEqual(r.file("var/lib/ecomm/boot-failed")?.trim().split("\n"), failed);
};
const before_ = (r: BootRun, a: string, b: string) => {
    assert.ok(r.at(a) >= 0, `${a} ran:\n${r.calls.join("\n")}`);
    assert.ok(r.at(b) >= 0, `${b} ran:\n${r.calls.join("\n")}`);
    assert.ok(r.at(a) < r.at(b), `${a} before ${b}:\n${r.calls.join("\n")}`);
};

const NGINX = "dnf install -y -q nginx";
const NODE = "dnf install -y -q nodejs22";
const LOGGING = "dnf install -y -q amazon-cloudwatch-agent rsyslog";
const S3_CP = "aws s3 cp";
const START_NGINX = "systemctl enable --now nginx";
const DB_ENV = "systemctl start --no-block ecomm-db-env.service";
const APP = "systemctl start --no-block ecomm-backend.service";
const AGENT = "amazon-cloudwatch-agent-ctl -a fetch-config";

describe("boot script run against fakes", () => {
    before(async () => {
        build = await buildStorefront();
    });

    describe("backend with its artifact and the database", () => {
        let r: BootRun;
        before(() => {
            r = boot("backend");
        });

        it("succeeds, and the health check may pass", () => {
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            assert.match(r.stdout, /boot finished: every step succeeded/);
        });

        it("installs and starts what serves before anything that logs", () => {
            before_(r, NGINX, START_NGINX);
            before_(r, START_NGINX, LOGGING);
            before_(r, NODE, LOGGING);
            before_(r, APP, LOGGING);
            before_(r, DB_ENV, LOGGING);
            before_(r, LOGGING, "systemctl enable --now rsyslog");
            before_(r, LOGGING, AGENT);
            // Serving's packages are their own transactions: a logging package cannot stop them.
            for (const c of r.calls.filter((x) => x.startsWith("dnf "))) assert.ok(!/nginx|nodejs/.test(c) || !/cloudwatch|rsyslog/.test(c), c);
        });

        it("downloads the artifact from its bucket through the regional endpoint and unpacks it by hash", () => {
            const a = build.backend;
            assert.equal(r.calls.find((c) => c.startsWith(S3_CP))?.replace(/ \S+$/, ""), `aws s3 cp --region ${REGION} --only-show-errors s3://${BUCKET}/${a.key}`);
            assert.equal(r.count(S3_CP), 1);
            const dir = `opt/ecomm/backend/${a.sha256}`;
            assert.ok(r.file(`${dir}/server.js`)?.startsWith("// ecomm storefront backend."));
            assert.equal(JSON.parse(r.file(`${dir}/manifest.json`) ?? "{}").service, "backend");
            assert.equal(createHash("sha256").update(r.file(`${dir}/server.js`) ?? "").digest("hex"), a.manifest.files.find((f) => f.path === "server.js")?.sha256);
            assert.equal(r.mode(`${dir}/server.js`), 0o644);
            assert.equal(r.mode(dir), 0o755);
            assert.equal(r.file("opt/ecomm/backend/current/manifest.json"), r.file(`${dir}/manifest.json`), "current -> the hash's directory");
        });

        it("runs the app as the systemd unit ecomm-backend: user ecomm, restart on failure, stop timeout above its 10 s drain, after db-env", () => {
            assert.ok(r.calls.includes("useradd --system --user-group --home-dir /opt/ecomm --shell /sbin/nologin ecomm"));
            before_(r, "useradd", APP);
            const unit = r.file("etc/systemd/system/ecomm-backend.service") ?? "";
            const settings = Object.fromEntries(unit.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
            assert.deepEqual(
                {
                    User: settings.User,
                    Group: settings.Group,
                    ExecStart: settings.ExecStart,
                    WorkingDirectory: settings.WorkingDirectory,
                    Environment: settings.Environment,
                    Restart: settings.Restart,
                    Wants: settings.Wants,
                    After: settings.After,
                    TimeoutStopSec: settings.TimeoutStopSec,
                },
                {
                    User: "ecomm",
                    Group: "ecomm",
                    ExecStart: "/usr/bin/node-22 server.js",
                    WorkingDirectory: "/opt/ecomm/backend/current",
                    Environment: "NODE_ENV=production HOST=127.0.0.1 PORT=8080 ECOMM_DB_CA_FILE=/etc/ecomm/rds-ca.pem",
                    Restart: "on-failure",
                    Wants: "network-online.target ecomm-db-env.service",
                    After: "network-online.target ecomm-db-env.service",
                    TimeoutStopSec: "30",
                },
            );
            assert.ok(Number(settings.TimeoutStopSec) > 10);
            assert.ok(!unit.includes("AmbientCapabilities"), "the app binds a loopback port above 1024: no capability");
            assert.ok(r.calls.includes("systemctl enable ecomm-backend.service"));
        });

        it("fetches the RDS CA bundle over HTTPS to the path the app reads", () => {
            assert.equal(r.file("etc/ecomm/rds-ca.pem"), FAKE_PEM);
            assert.equal(r.mode("etc/ecomm/rds-ca.pem"), 0o644);
            assert.ok(r.calls.some((c) => c.startsWith("curl -fsS") && c.endsWith("https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem")));
        });

        it("proxies the service's port to the app, health not access-logged and gated on boot-ok", () => {
            const conf = r.file("etc/nginx/nginx.conf") ?? "";
            assert.match(conf, /upstream ecomm_app \{ server 127\.0\.0\.1:8080; keepalive 32; \}/);
            assert.match(conf, /listen 80 default_server;/);
            assert.match(conf, /location = \/api\/health \{ access_log off; if \(!-f \/var\/lib\/ecomm\/boot-ok\) \{ return 503 "boot incomplete\\n"; \} proxy_pass http:\/\/ecomm_app; \}/);
            assert.match(conf, /location = \/health \{ access_log off; if \(!-f \/var\/lib\/ecomm\/boot-ok\) \{ return 503/);
            assert.match(conf, /location \/ \{ proxy_pass http:\/\/ecomm_app; \}/);
            assert.match(conf, /^worker_rlimit_nofile 8192;$/m);
            assert.match(conf, /keepalive_timeout 75s;/);
        });

        it("installs the db-env unit and starts it without waiting", () => {
            assert.ok(r.file("usr/local/bin/ecomm-db-env")?.includes('chgrp ecomm "${tmp}"'));
            assert.equal(r.mode("usr/local/bin/ecomm-db-env"), 0o755);
            assert.match(r.file("etc/systemd/system/ecomm-db-env.service") ?? "", /ExecStart=\/usr\/local\/bin\/ecomm-db-env \/ecomm\/dev\/database us-east-1\nRestart=on-failure/);
            assert.ok(r.calls.includes("systemctl enable ecomm-db-env.service"));
        });

        it("ships the logs, the boot output among them", () => {
            assert.ok(r.calls.includes("systemctl enable --now rsyslog"));
            assert.ok(r.calls.includes(`${AGENT} -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/ecomm.json`));
            const agent = JSON.parse(r.file("opt/aws/amazon-cloudwatch-agent/etc/ecomm.json") ?? "{}") as { logs: { logs_collected: { files: { collect_list: { file_path: string; log_group_name: string; log_stream_name: string }[] } } } };
            assert.deepEqual(agent.logs.logs_collected.files.collect_list.find((f) => f.file_path === "/var/log/cloud-init-output.log"), {
                file_path: "/var/log/cloud-init-output.log",
                log_group_name: "/ecomm/dev/backend/system",
                log_stream_name: "{instance_id}/cloud-init-output",
                timezone: "UTC",
            });
        });
    });

    describe("frontend with its artifact", () => {
        it("serves the artifact's files from their hash's directory; no Node, no app user, no database", () => {
            const r = boot("frontend");
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            const dir = `opt/ecomm/frontend/${build.frontend.sha256}`;
            for (const f of build.frontend.manifest.files) assert.equal(createHash("sha256").update(r.file(`${dir}/${f.path}`) ?? "").digest("hex"), f.sha256, f.path);
            const conf = r.file("etc/nginx/nginx.conf") ?? "";
            assert.match(conf, /root \/opt\/ecomm\/frontend\/current;/);
            assert.match(conf, /location \/ \{ try_files \$uri \$uri\/ \/index\.html; \}/);
            assert.doesNotMatch(conf, /proxy_pass|upstream/);
            for (const absent of [NODE, "useradd", "ecomm-db-env", "ecomm-backend", "truststore"]) assert.equal(r.at(absent), -1, absent);
            before_(r, START_NGINX, LOGGING);
        });
    });

    describe("without an artifact (placeholder pages)", () => {
        it("writes the page from IMDSv2 metadata (token first) and installs no app", () => {
            const r = boot("frontend", [], { artifact: false });
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            assert.match(r.file("usr/share/nginx/ecomm/index.html") ?? "", new RegExp(`Served by ${INSTANCE_ID} in ${AZ}`));
            assert.equal(r.count(S3_CP), 0);
            assert.ok(r.calls.some((c) => c.includes("-X PUT") && c.includes("X-aws-ec2-metadata-token-ttl-seconds: 60")));
        });

        it("backend: static /api/health, the db-env unit, no Node", () => {
            const r = boot("backend", [], { artifact: false });
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            assert.equal(r.file("usr/share/nginx/ecomm/api-health.json"), `{"status":"ok","service":"backend","instance":"${INSTANCE_ID}","az":"${AZ}"}\n`);
            assert.ok(r.calls.includes("systemctl enable ecomm-db-env.service"));
            assert.equal(r.at(NODE), -1);
        });
    });

    describe("failure matrix", () => {
        it("logging packages fail: serving is untouched and healthy, the failure is reported and the script exits 1", () => {
            const r = boot("backend", [{ match: "amazon-cloudwatch-agent rsyslog" }]);
            assert.equal(r.code, 1);
            healthy(r);
            assert.equal(r.count(LOGGING), 3, "retried");
            for (const c of [START_NGINX, APP, DB_ENV]) assert.ok(r.at(c) >= 0, c);
            assert.match(r.stdout, /step logging-packages: FAILED \(optional\)/);
            assert.match(r.stdout, /step cloudwatch-agent: SKIPPED \(needs logging-packages/);
            assert.match(r.stdout, /boot finished with failed steps: logging-packages rsyslog cloudwatch-agent/);
        });

        it("the CloudWatch agent fails (no region from metadata): db-env is installed all the same, still healthy, exit 1", () => {
            const r = boot("backend", [{ match: "amazon-cloudwatch-agent-ctl" }]);
            assert.equal(r.code, 1);
            healthy(r);
            assert.ok(r.exists("etc/systemd/system/ecomm-db-env.service"));
            assert.ok(r.at(DB_ENV) >= 0);
            assert.match(r.stdout, /step cloudwatch-agent: FAILED \(optional\)/);
        });

        it("nginx's package fails twice then installs: retried, healthy", () => {
            const r = boot("frontend", [{ match: NGINX, times: 2 }]);
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            assert.equal(r.count(NGINX), 3);
            assert.match(r.stdout, /dnf failed \(attempt 1 of 5\); retrying/);
        });

        it("nginx's package never installs: unhealthy, every independent step still runs, logs still ship", () => {
            const r = boot("backend", [{ match: NGINX }]);
            assert.equal(r.code, 1);
            assert.equal(r.count(NGINX), 5);
            unhealthy(r, ["nginx-package", "nginx"]);
            assert.equal(r.at(START_NGINX), -1);
            for (const c of [APP, DB_ENV, LOGGING, AGENT]) assert.ok(r.at(c) >= 0, c);
        });

        it("nginx refuses its config: unhealthy (nothing listens), the rest runs", () => {
            const r = boot("frontend", [{ match: "nginx -t" }]);
            assert.equal(r.code, 1);
            unhealthy(r, ["nginx"]);
            assert.equal(r.at(START_NGINX), -1);
            assert.ok(r.at(AGENT) >= 0);
        });

        it("the artifact's bytes do not match the expected sha256: retried, nothing unpacked, the app not started, unhealthy", () => {
            const r = boot("backend", [], { s3: { [`${BUCKET}/${build.backend.key}`]: Buffer.from("tampered") } });
            assert.equal(r.code, 1);
            assert.equal(r.count(S3_CP), 5);
            assert.match(r.stdout, new RegExp(`has sha256 ${createHash("sha256").update("tampered").digest("hex")}, expected ${build.backend.sha256}`));
            assert.ok(!r.exists(`opt/ecomm/backend/${build.backend.sha256}`));
            assert.ok(!r.exists("opt/ecomm/backend/current"));
            assert.deepEqual(fs.readdirSync(`${r.root}/opt/ecomm/backend`), [], "no half-unpacked directory left");
            assert.equal(r.at(APP), -1);
            unhealthy(r, ["artifact", "app"]);
            // nginx still serves (the 503 health answer), db-env still installed, logs still ship.
            for (const c of [START_NGINX, DB_ENV, AGENT]) assert.ok(r.at(c) >= 0, c);
        });

        it("S3 refuses the download (no read on the key): unhealthy, the reason in the output", () => {
            const r = boot("frontend", [], { s3: {} });
            assert.equal(r.code, 1);
            assert.equal(r.count(S3_CP), 5);
            assert.match(r.stdout, /HeadObject operation: Forbidden/);
            unhealthy(r, ["artifact"]);
            assert.ok(r.at(START_NGINX) >= 0);
        });

        it("Node.js does not install: the app is skipped, db-env still installed, unhealthy", () => {
            const r = boot("backend", [{ match: NODE }]);
            assert.equal(r.code, 1);
            assert.equal(r.count(NODE), 5);
            unhealthy(r, ["node", "app"]);
            assert.match(r.stdout, /step app: SKIPPED \(needs node/);
            assert.ok(r.at(DB_ENV) >= 0);
            assert.equal(r.at(APP), -1);
        });

        it("the RDS CA bundle cannot be fetched: the app is not started without it, unhealthy", () => {
            const r = boot("backend", [{ match: "truststore.pki.rds.amazonaws.com" }]);
            assert.equal(r.code, 1);
            assert.equal(r.count("truststore"), 5);
            assert.ok(!r.exists("etc/ecomm/rds-ca.pem"));
            unhealthy(r, ["rds-ca", "app"]);
        });

        it("the db-env unit cannot be enabled: unhealthy, the app still started, logs still ship", () => {
            const r = boot("backend", [{ match: "systemctl enable ecomm-db-env.service" }]);
            assert.equal(r.code, 1);
            unhealthy(r, ["db-env"]);
            for (const c of [APP, AGENT]) assert.ok(r.at(c) >= 0, c);
        });

        it("the app user cannot be created: db-env (its group owns db.env) and the app are skipped, unhealthy", () => {
            const r = boot("backend", [{ match: "useradd" }]);
            assert.equal(r.code, 1);
            unhealthy(r, ["app-user", "db-env", "app"]);
            assert.equal(r.at(DB_ENV), -1);
            assert.equal(r.at(APP), -1);
        });

        it("the metadata service refuses: the placeholder page says unknown, not fatal", () => {
            const r = boot("frontend", [{ match: "169.254.169.254" }], { artifact: false });
            assert.equal(r.code, 0, r.stdout);
            healthy(r);
            assert.match(r.file("usr/share/nginx/ecomm/index.html") ?? "", /Served by unknown in unknown/);
        });
    });
});

const nginx = requireTool("nginx", { candidates: ["/usr/sbin/nginx"] });

/**
 * `nginx -t` on the config exactly as the boot script writes it, with the open-file limit AL2023's systemd
 * gives a service (1024). The config names `user nginx` (AL2023's package creates it); where that user does
 * not exist (Debian) the check runs in a private mount namespace whose passwd and group add it.
 */
function nginxTest(conf: string): { code: number; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-nginx-t-"));
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, conf);
    const hasUser = spawnSync("getent", ["passwd", "nginx"]).status === 0;
    let command = `ulimit -n 1024 && exec ${nginx.path()} -t -c ${file}`;
    if (!hasUser) {
        fs.writeFileSync(path.join(dir, "passwd"), fs.readFileSync("/etc/passwd", "utf8") + "nginx:x:990:990:nginx:/var/lib/nginx:/sbin/nologin\n");
        fs.writeFileSync(path.join(dir, "group"), fs.readFileSync("/etc/group", "utf8") + "nginx:x:990:\n");
        command = `mount --bind ${dir}/passwd /etc/passwd && mount --bind ${dir}/group /etc/group && ${command}`;
    }
    const res = hasUser ? spawnSync("bash", ["-c", command], { encoding: "utf8" }) : spawnSync("unshare", ["-m", "bash", "-c", command], { encoding: "utf8" });
    return { code: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

describe("nginx accepts the rendered config with no warning", () => {
    for (const [role, withArtifact] of [
        ["frontend", true],
        ["frontend", false],
        ["backend", true],
        ["backend", false],
    ] as const) {
        it(`${role} ${withArtifact ? "with" : "without"} an artifact`, { skip: nginx.skip }, () => {
            const r = boot(role, [], { artifact: withArtifact });
            assert.equal(r.code, 0, r.stdout);
            const res = nginxTest(r.file("etc/nginx/nginx.conf") ?? "");
            assert.equal(res.code, 0, res.output);
            assert.doesNotMatch(res.output, /\[(warn|emerg|alert|crit|error)\]/, res.output);
            assert.match(res.output, /test is successful/);
        });
    }
});

describe("the rendered scripts pass shellcheck", () => {
    for (const role of ["frontend", "backend"] as const) {
        for (const withArtifact of [true, false]) {
            it(`${role} ${withArtifact ? "with" : "without"} an artifact`, () => shellcheck(renderUserData(values(role, withArtifact))));
        }
    }
});

describe("user data size", () => {
    it("the largest script (backend, artifact, database) stays under EC2's 16 KB", () => {
        const bytes = Buffer.byteLength(renderUserData(values("backend", true)));
        assert.ok(bytes <= 16 * 1024, `${bytes} bytes`);
    });
});

/**
 * The rendered nginx.conf served for real on loopback: only the machine-specific lines are moved (listen
 * address, the boot-ok marker's, log, pid and web-root paths, the worker user), every location is the
 * script's own. Health answers 503 until boot-ok exists, then 200 (the backend's from the app itself), and
 * is never access-logged; other requests are.
 */
describe("nginx serves the rendered config: the health gate and the access log", () => {
    async function freePort(): Promise<number> {
        const srv = net.createServer();
        await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
        const port = (srv.address() as net.AddressInfo).port;
        await new Promise((resolve) => srv.close(resolve));
        return port;
    }
    async function get(port: number, p: string): Promise<{ status: number; body: string }> {
        const res = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { "X-Forwarded-Proto": "https" } });
        return { status: res.status, body: await res.text() };
    }
    async function serve(conf: string, run: BootRun, webRoot: string): Promise<{ port: number; dir: string; stop: () => Promise<void> }> {
        const port = await freePort();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-nginx-"));
        fs.chmodSync(dir, 0o755);
        const local = conf
            .replace(/^user nginx;$/m, process.getuid?.() === 0 ? "user root;" : "")
            .replace(/listen 80 default_server;/, `listen 127.0.0.1:${port} default_server;`)
            .replaceAll("/var/lib/ecomm/boot-ok", `${dir}/boot-ok`)
            .replace("error_log /var/log/nginx/error.log", `error_log ${dir}/error.log`)
            .replace("access_log /var/log/nginx/access.log", `access_log ${dir}/access.log`)
            .replace("pid /run/nginx.pid", `pid ${dir}/nginx.pid`)
            .replace(/root \S+;/, `root ${path.join(run.root, webRoot)};`);
        for (const line of ["listen 80", "/var/lib/ecomm", "/var/log/nginx"]) assert.ok(!local.includes(line), `${line} moved`);
        fs.writeFileSync(path.join(dir, "nginx.conf"), local);
        const child = spawn(nginx.path(), ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        for (let i = 0; i < 100; i++) {
            try {
                await get(port, "/health");
                break;
            } catch {
                if (child.exitCode !== null) assert.fail(`nginx exited ${child.exitCode}: ${stderr}`);
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }
        return {
            port,
            dir,
            stop: async () => {
                child.kill("SIGQUIT");
                await new Promise((resolve) => child.once("exit", resolve));
            },
        };
    }

    it("frontend: 503 until boot-ok, then 200; pages served from the artifact; health not logged", { skip: nginx.skip }, async () => {
        const r = boot("frontend");
        const n = await serve(r.file("etc/nginx/nginx.conf") ?? "", r, `opt/ecomm/frontend/${build.frontend.sha256}`);
        try {
            assert.deepEqual(await get(n.port, "/health"), { status: 503, body: "boot incomplete\n" });
            fs.writeFileSync(path.join(n.dir, "boot-ok"), "");
            assert.deepEqual(await get(n.port, "/health"), { status: 200, body: "ok\n" });
            const page = await get(n.port, "/cart.html");
            assert.equal(page.status, 200);
            assert.equal(page.body, r.file(`opt/ecomm/frontend/${build.frontend.sha256}/cart.html`));
            assert.equal((await get(n.port, "/no-such-page")).body, r.file(`opt/ecomm/frontend/${build.frontend.sha256}/index.html`));
        } finally {
            await n.stop();
        }
        const log = fs.readFileSync(path.join(n.dir, "access.log"), "utf8");
        assert.match(log, /"GET \/cart\.html HTTP\/1\.1" 200/);
        assert.doesNotMatch(log, /\/health/);
    });

    it("backend: /api/health comes from the app once boot-ok exists (502 while the app is down); health not logged", { skip: nginx.skip }, async () => {
        const appPort = await freePort();
        const r = runBoot(renderUserData(values("backend", true, { appPort })), { s3: { [`${BUCKET}/${build.backend.key}`]: build.backend.bytes } });
        assert.equal(r.code, 0, r.stdout);
        const seen: string[] = [];
        const app = http.createServer((req, res) => {
            seen.push(`${req.method} ${req.url} xff=${String(req.headers["x-forwarded-for"])} proto=${String(req.headers["x-forwarded-proto"])}`);
            res.writeHead(req.url === "/api/health" ? 200 : 404, { "content-type": "application/json" });
            res.end(req.url === "/api/health" ? '{"status":"ok"}' : '{"error":{"code":"not_found"}}');
        });
        const n = await serve(r.file("etc/nginx/nginx.conf") ?? "", r, "usr/share/nginx/ecomm");
        try {
            assert.deepEqual(await get(n.port, "/api/health"), { status: 503, body: "boot incomplete\n" });
            fs.writeFileSync(path.join(n.dir, "boot-ok"), "");
            assert.equal((await get(n.port, "/api/health")).status, 502, "the app is not listening yet: unhealthy");
            await new Promise<void>((resolve) => app.listen(appPort, "127.0.0.1", resolve));
            assert.deepEqual(await get(n.port, "/api/health"), { status: 200, body: '{"status":"ok"}' });
            assert.deepEqual(await get(n.port, "/api/products"), { status: 404, body: '{"error":{"code":"not_found"}}' });
            assert.deepEqual(seen, ["GET /api/health xff=127.0.0.1 proto=https", "GET /api/products xff=127.0.0.1 proto=https"]);
        } finally {
            await n.stop();
            await new Promise((resolve) => app.close(resolve));
        }
        const log = fs.readFileSync(path.join(n.dir, "access.log"), "utf8");
        assert.match(log, /"GET \/api\/products HTTP\/1\.1" 404/);
        assert.doesNotMatch(log, /\/api\/health/);
    });
});
