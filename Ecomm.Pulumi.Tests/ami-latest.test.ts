/**
 * `npm run ami:latest`: the pure core with the SSM client mocked (aws-sdk-client-mock), then the command as
 * a user types it, on the paths that need no AWS (help, usage errors, no credentials).
 */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { amiKey, lookupLatestAmis, pinAmis, stackAmiTargets } from "../tools/ami/ami-latest";
import { PROJECT_ROOT, runStack } from "../tools/offline/run";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";

const exec = promisify(execFile);
const ARM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
const X86 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const prodText = () => fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8");

describe("ami:latest core", () => {
    it("reads each service's architecture from its instance type, or the environment's default", () => {
        const s = stackAmiTargets(prodText(), "Pulumi.prod.yaml");
        assert.equal(s.region, "us-east-1");
        assert.equal(s.environment, "prod");
        assert.deepEqual(s.targets.map((t) => [t.service, t.instanceType, t.architecture, t.parameter]), [
            ["frontend", "m7g.large", "arm64", ARM],
            ["backend", "m7g.large", "arm64", ARM],
        ]);
        const mixed = stackAmiTargets("config:\n  aws:region: eu-west-1\n  ecomm:environment: dev\n  ecomm:backend:\n    instanceType: m7i.large\n    ami: ami-0123456789abcdef0\n", "x.yaml");
        assert.deepEqual(mixed.targets.map((t) => [t.instanceType, t.parameter, t.current]), [["t4g.small", ARM, undefined], ["m7i.large", X86, "ami-0123456789abcdef0"]]);
    });

    it("refuses a stack file without a region or environment", () => {
        assert.throws(() => stackAmiTargets("config:\n  ecomm:environment: prod\n", "x.yaml"), /x\.yaml has no valid aws:region \(found undefined\)/);
        assert.throws(() => stackAmiTargets("config:\n  aws:region: us-east-1\n", "x.yaml"), /no valid ecomm:environment/);
    });

    it("looks each distinct parameter up once and returns the new id per service", async () => {
        const ssm = mockClient(SSMClient);
        ssm.on(GetParameterCommand, { Name: ARM }).resolves({ Parameter: { Name: ARM, Value: "ami-0fedcba9876543210" } });
        ssm.on(GetParameterCommand, { Name: X86 }).resolves({ Parameter: { Name: X86, Value: "ami-01234567890abcdef" } });
        const targets = stackAmiTargets("config:\n  aws:region: us-east-1\n  ecomm:environment: prod\n  ecomm:backend:\n    instanceType: c7i.large\n", "x.yaml").targets;
        assert.deepEqual(await lookupLatestAmis(new SSMClient({ region: "us-east-1" }), targets), { frontend: "ami-0fedcba9876543210", backend: "ami-01234567890abcdef" });
        assert.equal(ssm.commandCalls(GetParameterCommand).length, 2);
        ssm.reset();
        ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "not-an-ami" } });
        await assert.rejects(lookupLatestAmis(new SSMClient({ region: "us-east-1" }), targets.slice(0, 1)), /did not hold an AMI id \(got "not-an-ami"\)/);
        ssm.restore();
    });

    it("pins the ids in the stack file, keeping every comment, and the program then launches them", async () => {
        const text = prodText();
        const pinned = pinAmis(text, { frontend: "ami-0fedcba9876543210", backend: "ami-0fedcba9876543210" });
        for (const line of text.split("\n").filter((l) => l.trim().startsWith("#"))) assert.ok(pinned.includes(line), `comment kept: ${line}`);
        const after = stackAmiTargets(pinned, "Pulumi.prod.yaml");
        assert.deepEqual(after.targets.map((t) => t.current), ["ami-0fedcba9876543210", "ami-0fedcba9876543210"]);
        assert.equal(pinAmis(pinned, { frontend: "ami-0fedcba9876543210" }), pinned, "pinning the same id changes nothing");

        const root = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-ami-"));
        fs.writeFileSync(path.join(root, "Pulumi.prod.yaml"), pinned);
        const r = await runStack({ stack: "prod", projectRoot: root });
        assert.deepEqual(r.standIns.filter((x) => x.key.endsWith(".ami")), [], "no AMI stand-in once pinned");
        for (const role of ["frontend", "backend"]) {
            const lt = r.resources.find((x) => x.name === `web-${role}-lt`);
            assert.equal(lt?.inputs.imageId, "ami-0fedcba9876543210");
        }
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("covers configured services too: ecomm:services.<name>.ami, read and pinned in place", () => {
        const text = [
            "config:",
            "  aws:region: us-east-1",
            "  ecomm:environment: prod",
            "  # the team's admin service",
            "  ecomm:services:",
            "    zeta:",
            "      pathPatterns: [\"/zeta/*\"]",
            "      priority: 30",
            "    admin:",
            "      instanceType: c7i.large # x86",
            "      pathPatterns: [\"/admin/*\"]",
            "      priority: 20",
            "",
        ].join("\n");
        const s = stackAmiTargets(text, "x.yaml");
        assert.deepEqual(s.targets.map((t) => [t.service, amiKey(t.service), t.instanceType, t.parameter]), [
            ["frontend", "ecomm:frontend.ami", "m7g.large", ARM],
            ["backend", "ecomm:backend.ami", "m7g.large", ARM],
            ["admin", "ecomm:services.admin.ami", "c7i.large", X86],
            ["zeta", "ecomm:services.zeta.ami", "m7g.large", ARM],
        ]);
        const pinned = pinAmis(text, { admin: "ami-01234567890abcdef", zeta: "ami-0fedcba9876543210" });
        assert.ok(pinned.includes("# the team's admin service") && pinned.includes("# x86"), "comments kept");
        assert.deepEqual(stackAmiTargets(pinned, "x.yaml").targets.map((t) => t.current), [undefined, undefined, "ami-01234567890abcdef", "ami-0fedcba9876543210"]);
        assert.match(pinned, / {4}admin:\n {6}instanceType: c7i\.large # x86\n {6}pathPatterns: \[ ?"\/admin\/\*" ?\]\n {6}priority: 20\n {6}ami: ami-01234567890abcdef\n/);
    });

    it("validates what it writes with the program's own schema", () => {
        const raw: Record<string, string> = {};
        const doc = stackAmiTargets(pinAmis(prodText(), { frontend: "ami-0fedcba9876543210", backend: "ami-0fedcba9876543210" }), "p");
        assert.equal(doc.targets.length, 2);
        // The schema accepts the written shape; a bad id is refused naming the key.
        raw["ecomm:environment"] = "dev";
        raw["ecomm:frontend"] = JSON.stringify({ ami: "ami-xyz" });
        assert.throws(() => parseStackConfig(raw), /ecomm:frontend\.ami = "ami-xyz": must be an AMI id/);
    });
});

/** Runs `npm run ami:latest -- <args>` the way a user types it. */
interface NpmResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}
async function npmRun(args: string[], env: NodeJS.ProcessEnv): Promise<NpmResult> {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    try {
        const { stdout, stderr } = await exec(npm, ["run", "--silent", "ami:latest", "--", ...args], { cwd: PROJECT_ROOT, env, timeout: 60_000 });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

/** An environment with no AWS credentials anywhere: no keys, no profile files, no instance metadata. */
function noCredentials(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-nocreds-"));
    return { ...env, AWS_CONFIG_FILE: path.join(empty, "config"), AWS_SHARED_CREDENTIALS_FILE: path.join(empty, "credentials"), AWS_EC2_METADATA_DISABLED: "true" };
}

describe("npm run ami:latest", () => {
    // The four spawns are independent: they start together and each test checks its own.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-ami-cli-"));
    const file = path.join(root, "Pulumi.prod.yaml");
    let help: Promise<NpmResult>;
    let missing: Promise<NpmResult>;
    let unknown: Promise<NpmResult>;
    let noCreds: Promise<NpmResult>;
    before(() => {
        fs.writeFileSync(file, prodText());
        noCreds = npmRun(["--stack", "prod", "--write", "--root", root], noCredentials());
        help = npmRun(["--help"], process.env);
        missing = npmRun([], process.env);
        unknown = npmRun(["--stack", "nope"], process.env);
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("--help prints the usage and exits 0", async () => {
        const { code, stdout } = await help;
        assert.equal(code, 0);
        assert.match(stdout, /^usage: npm run ami:latest -- --stack <name> \[--write\]/);
        assert.match(stdout, /al2023-ami-kernel-default-<arm64\|x86_64>/);
    });

    it("exits 2 without --stack, 1 for a stack that does not exist", async () => {
        const m = await missing;
        assert.equal(m.code, 2);
        assert.match(m.stderr, /--stack is required/);
        const u = await unknown;
        assert.equal(u.code, 1);
        assert.match(u.stderr, /no stack file .*Pulumi\.nope\.yaml/);
    });

    it("without credentials, says so, exits 1 and leaves the stack file alone", async () => {
        const { code, stderr, stdout } = await noCreds;
        assert.equal(code, 1, stdout);
        assert.match(stderr, /could not read the Amazon Linux 2023 parameters in us-east-1: CredentialsProviderError/);
        assert.match(stderr, /Configure AWS credentials for any account/);
        assert.equal(fs.readFileSync(file, "utf8"), prodText());
    });
});
