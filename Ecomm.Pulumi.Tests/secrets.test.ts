import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { run, type StackRun } from "./harness";
import { maskSecrets, SECRET_KEY } from "../tools/report/secrets";
/** Values that look like credentials whatever their key. */
const SECRET_VALUE = [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
    /^(?=.*[0-9])(?=.*[A-Z])(?=.*[a-z])[A-Za-z0-9/+]{40}$/, // a whole value shaped like an AWS secret access key
    /\bpassword\s*[:=]\s*\S+/i,
];
const BENIGN = /^(arn:aws[a-z-]*:|sg-|subnet-|vpc-|lt-|ami-|\$\{|[a-z0-9-]+\.[a-z0-9.-]+\.amazonaws\.com)/;

function* walk(value: unknown, path: string): Generator<[string, unknown]> {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* walk(value[i], `${path}[${i}]`);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* walk(v, `${path}.${k}`);
    else yield [path, value];
}

function plaintextSecrets(r: StackRun): string[] {
    const found: string[] = [];
    const check = (where: string, value: unknown) => {
        for (const [p, v] of walk(value, where)) {
            if (typeof v !== "string" || v === "" || BENIGN.test(v)) continue;
            const key = p.split(/[.[]/).pop() ?? "";
            if (SECRET_KEY.test(key) && !/^(true|false)$/.test(v)) found.push(`${p} = ${v.slice(0, 20)}…`);
            // Base64 user data is decoded and scanned as text.
            const text = key === "userData" ? Buffer.from(v, "base64").toString("utf8") : v;
            for (const re of SECRET_VALUE) if (re.test(text)) found.push(`${p} matches ${re}`);
        }
    };
    for (const res of r.resources) {
        check(`${res.name}.inputs`, res.inputs);
        check(`${res.name}.state`, res.state);
    }
    check("outputs", r.outputs);
    return found;
}

describe("no plaintext secrets anywhere", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no recorded input, state or stack output holds a secret`, async () => {
            const r = await run(stack);
            assert.deepEqual(plaintextSecrets(r), []);
            // The database password is generated and kept by RDS in Secrets Manager; only its ARN leaves.
            const dbs = r.resources.filter((x) => x.type === "aws:rds/instance:Instance" || x.type === "aws:rds/cluster:Cluster");
            assert.ok(dbs.length > 0);
            for (const db of dbs) {
                assert.equal(db.inputs.manageMasterUserPassword, true);
                assert.equal(db.inputs.password, undefined);
                assert.equal(db.inputs.masterPassword, undefined);
            }
            assert.match(String(r.outputs.dbSecretArn), /^arn:aws:secretsmanager:/);
        });
    }

    it("plan --json's masking hides what the scan looks for, and keeps what says nothing", () => {
        const masked = maskSecrets({
            password: "hunter22",
            nested: [{ apiKey: "k-123", apiKeyArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:x" }],
            manageMasterUserPassword: true,
            secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db",
            sealed: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "plain" },
            name: "shop",
        });
        assert.deepEqual(masked, {
            password: "[secret]",
            nested: [{ apiKey: "[secret]", apiKeyArn: "[secret]" }],
            manageMasterUserPassword: true,
            secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db",
            sealed: "[secret]",
            name: "shop",
        });
    });

    it("the scanner finds what it is looking for", () => {
        const fake = {
            stack: "x",
            resources: [{ type: "t", name: "n", urn: "", parentUrn: "", custom: true, protect: false, ignoreChanges: [], dependencies: [], aliases: [], id: "i", provider: "", inputs: { masterPassword: "hunter2hunter2" }, state: {} }],
            outputs: { note: "AKIAABCDEFGHIJKLMNOP", other: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
            config: {},
            secretKeys: [],
            invokes: [],
            standIns: [],
        } as StackRun;
        assert.deepEqual(plaintextSecrets(fake).length, 3);
    });
});
