import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { input, jsonInput, one, ofType, run, SHELLCHECK, shellcheck, type RecordedResource, type StackRun } from "./harness";
import { databaseParameterNames, databaseParameterPathProblem } from "../Ecomm.Pulumi/database/parameters";
import { DB_ENV_SCRIPT } from "../Ecomm.Pulumi/userdata/render";

const PARAMETER = "aws:ssm/parameter:Parameter";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE = "aws:iam/role:Role";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

interface Statement {
    readonly Sid: string;
    readonly Effect: string;
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string>>;
}

const userData = (r: StackRun, role: string) => Buffer.from(input<string>(one(r, LT, `web-${role}-lt`), "userData"), "base64").toString("utf8");

for (const stack of ["dev", "prod"] as const) {
    describe(`backend access to the database (${stack})`, () => {
        let r: StackRun;
        let secretArn: string;
        let keyArn: string;
        let parameters: RecordedResource[];
        const names = databaseParameterNames(`/ecomm/${stack}/database`);
        before(async () => {
            r = await run(stack);
            const db = one(r, "aws:rds/instance:Instance", "database-db");
            secretArn = (db.state.masterUserSecrets as { secretArn: string }[])[0].secretArn;
            keyArn = String(one(r, "aws:kms/key:Key", "database-key").state.arn);
            parameters = ofType(r, PARAMETER);
        });

        it("writes the endpoint, port, name and secret ARN of the recorded database to SSM parameters", () => {
            assert.equal(secretArn, r.outputs.dbSecretArn);
            const byName = new Map(parameters.map((p) => [input<string>(p, "name"), p]));
            assert.deepEqual([...byName.keys()].sort(), Object.values(names).sort());
            const value = (name: string) => input(byName.get(name) as RecordedResource, "insecureValue");
            assert.equal(value(names.endpoint), r.outputs.dbEndpoint);
            assert.equal(value(names.endpoint), one(r, "aws:rds/instance:Instance").state.address);
            assert.equal(value(names.port), "5432");
            assert.equal(value(names.name), "shop");
            assert.equal(value(names["secret-arn"]), secretArn);
            for (const p of parameters) {
                assert.equal(input(p, "type"), "String", `${p.name} holds no secret`);
                assert.equal(input(p, "value"), undefined);
            }
        });

        it("lets the backend role read exactly those parameters, the DB secret and its key (through Secrets Manager)", () => {
            const backendRole = one(r, ROLE, "web-backend-role");
            const policy = one(r, ROLE_POLICY, "database-access-policy");
            assert.equal(input(policy, "role"), backendRole.state.name);
            const doc = jsonInput<{ Statement: Statement[] }>(policy, "policy");
            assert.deepEqual(doc.Statement, [
                {
                    Sid: "ReadDatabaseParameters",
                    Effect: "Allow",
                    Action: "ssm:GetParameters",
                    Resource: Object.values(names).map((n) => String(parameters.find((p) => input(p, "name") === n)?.state.arn)),
                },
                { Sid: "ReadDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
                {
                    Sid: "DecryptDatabaseSecret",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: keyArn,
                    Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
                },
            ]);
            for (const p of parameters) assert.match(String(p.state.arn), new RegExp(`^arn:aws:ssm:us-east-1:123456789012:parameter/ecomm/${stack}/database/`));
            assert.ok(!JSON.stringify(doc).includes("*"), "no wildcard anywhere");
        });

        it("gives the frontend role nothing from the database", () => {
            const frontendRole = one(r, ROLE, "web-frontend-role");
            const backendRole = one(r, ROLE, "web-backend-role");
            // Each instance role has its own instance policy (Session Manager, logs); only the backend's gets the database's.
            // (and its own app artifact's read: app.test.ts)
            assert.deepEqual(ofType(r, ROLE_POLICY).filter((p) => input(p, "role") === frontendRole.state.name).map((p) => p.name), ["web-frontend-instance-policy", "web-frontend-artifact-policy"]);
            assert.deepEqual(ofType(r, ROLE_POLICY).filter((p) => input(p, "role") === backendRole.state.name).map((p) => p.name), ["web-backend-instance-policy", "web-backend-artifact-policy", "database-access-policy"]);
            for (const p of ofType(r, ROLE_POLICY)) assert.ok(!String(input(p, "policy")).includes(secretArn) || p.name === "database-access-policy", p.name);
        });

        it("names the parameters in the backend's user data, and nothing of the database in the frontend's", () => {
            const backend = userData(r, "backend");
            assert.match(backend, new RegExp(`readonly DB_PARAMETER_PATH="/ecomm/${stack}/database"`));
            assert.match(backend, /readonly REGION="us-east-1"/);
            assert.match(backend, /ExecStart=\/usr\/local\/bin\/ecomm-db-env \$\{DB_PARAMETER_PATH\} \$\{REGION\}/);
            assert.ok(backend.includes(fs.readFileSync(DB_ENV_SCRIPT, "utf8").trimEnd()), "embeds ecomm-db-env");
            for (const key of ["endpoint", "port", "name", "secret-arn"]) assert.ok(backend.includes(`"\${PARAMETER_PATH}/${key}"`), key);
            const frontend = userData(r, "frontend");
            assert.match(frontend, /readonly DB_PARAMETER_PATH=""/);
            assert.ok(!frontend.includes(`/ecomm/${stack}/database`));
            assert.ok(!frontend.includes("PARAMETER_PATH}/endpoint"), "no ecomm-db-env script on the frontend");
            for (const script of [backend, frontend]) {
                assert.ok(!script.includes(secretArn), "the secret ARN comes from SSM, not the launch template");
                assert.ok(!script.includes(String(r.outputs.dbEndpoint)));
            }
        });

        it("lets the backend open connections to the database's group on its port, nothing else", () => {
            const rule = one(r, EGRESS, "database-access-egress");
            assert.equal(input(rule, "securityGroupId"), one(r, SG, "web-backend-sg").id);
            assert.equal(input(rule, "referencedSecurityGroupId"), one(r, SG, "database-sg").id);
            assert.deepEqual([input(rule, "ipProtocol"), input(rule, "fromPort"), input(rule, "toPort"), input(rule, "cidrIpv4")], ["tcp", 5432, 5432, undefined]);
        });

        it("keeps the stateful resources' URNs (nothing moved to break the cycle)", () => {
            assert.equal(one(r, "aws:lb/loadBalancer:LoadBalancer").urn, `urn:pulumi:${stack}::ecomm::ecomm:web:WebTierComponent$aws:lb/loadBalancer:LoadBalancer::web-alb`);
            assert.equal(one(r, "aws:rds/instance:Instance").urn, `urn:pulumi:${stack}::ecomm::ecomm:database:DatabaseComponent$aws:rds/instance:Instance::database-db`);
            assert.equal(one(r, "aws:kms/key:Key", "database-key").urn, `urn:pulumi:${stack}::ecomm::ecomm:database:DatabaseComponent$aws:kms/key:Key::database-key`);
        });

        it("parents the access resources under database-access, each prefixed with its name", () => {
            const access = one(r, "ecomm:database:DatabaseAccessComponent", "database-access");
            const children = r.resources.filter((x) => x.parentUrn === access.urn);
            assert.deepEqual(children.map((c) => c.type).sort(), [PARAMETER, PARAMETER, PARAMETER, PARAMETER, ROLE_POLICY, EGRESS].sort());
            for (const c of children) assert.ok(c.name.startsWith("database-access-"), c.name);
        });
    });
}

describe("database parameter names", () => {
    it("derives the four names from the path", () => {
        assert.deepEqual(databaseParameterNames("/ecomm/prod/database"), {
            endpoint: "/ecomm/prod/database/endpoint",
            port: "/ecomm/prod/database/port",
            name: "/ecomm/prod/database/name",
            "secret-arn": "/ecomm/prod/database/secret-arn",
        });
    });
    for (const bad of ["ecomm/db", "/ecomm/db/", "/ecomm db", "/aws/db", "/ecomm/$(id)"]) {
        it(`refuses ${bad}`, () => {
            assert.ok(databaseParameterPathProblem(bad));
            assert.throws(() => databaseParameterNames(bad));
        });
    }
});

describe("ecomm-db-env (the backend's boot-time script)", () => {
    it("passes shellcheck", { skip: SHELLCHECK.skip }, () => shellcheck(fs.readFileSync(DB_ENV_SCRIPT, "utf8")));

    /** Runs the script with a fake `aws` that prints the given parameters the way `--output text` does. */
    function runScript(parameters: Record<string, string>): { code: number; env?: string; stderr: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-db-env-"));
        const lines = Object.entries(parameters).map(([k, v]) => `${k}\t${v}`).join("\n");
        fs.writeFileSync(path.join(dir, "aws"), `#!/bin/bash\necho "$*" > "${dir}/args"\nprintf '%s\\n' '${lines}'\n`, { mode: 0o755 });
        // No ecomm group on the test machine: the fake records which group the file is given.
        fs.writeFileSync(path.join(dir, "chgrp"), `#!/bin/bash\necho "$*" >> "${dir}/chgrp.log"\n`, { mode: 0o755 });
        const out = path.join(dir, "etc", "db.env");
        try {
            execFileSync("bash", [DB_ENV_SCRIPT, "/ecomm/dev/database", "us-east-1"], {
                env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, ECOMM_DB_ENV_FILE: out },
                stdio: ["ignore", "pipe", "pipe"],
            });
            assert.equal(
                fs.readFileSync(path.join(dir, "args"), "utf8").trim(),
                "ssm get-parameters --region us-east-1 --names /ecomm/dev/database/endpoint /ecomm/dev/database/port /ecomm/dev/database/name /ecomm/dev/database/secret-arn --query Parameters[].[Name,Value] --output text",
            );
            // Readable by root and the ecomm group (the app's user) only, from before the values are written.
            assert.equal(fs.statSync(out).mode & 0o777, 0o640);
            assert.match(fs.readFileSync(path.join(dir, "chgrp.log"), "utf8"), new RegExp(`^ecomm ${out}\\.[A-Za-z0-9]{6}\n$`));
            assert.deepEqual(fs.readdirSync(path.dirname(out)), ["db.env"], "no temporary file left");
            return { code: 0, env: fs.readFileSync(out, "utf8"), stderr: "" };
        } catch (err) {
            const e = err as { status: number; stderr: Buffer };
            return { code: e.status, stderr: e.stderr.toString() };
        }
    }

    it("writes db.env from the parameters, in any order", () => {
        const res = runScript({
            "/ecomm/dev/database/secret-arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1",
            "/ecomm/dev/database/endpoint": "db.example.internal",
            "/ecomm/dev/database/name": "shop",
            "/ecomm/dev/database/port": "5432",
        });
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.env, "DB_HOST=db.example.internal\nDB_PORT=5432\nDB_NAME=shop\nDB_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1\n");
    });

    it("fails (so systemd retries) while a parameter is missing", () => {
        const res = runScript({ "/ecomm/dev/database/endpoint": "db.example.internal", "/ecomm/dev/database/port": "5432" });
        assert.equal(res.code, 1);
        assert.match(res.stderr, /not all there yet/);
    });
});
