import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../tools/offline/run";

const exec = promisify(execFile);
const cli = path.join(PROJECT_ROOT, "tools", "plan", "cli.ts");
const runTs = path.join(PROJECT_ROOT, "scripts", "run-ts.cjs");

async function plan(args: string[], cwd = PROJECT_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await exec(process.execPath, [runTs, cli, ...args], { cwd });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

describe("npm run plan", () => {
    it("prints the dev tree, counts and outputs", async () => {
        const { code, stdout } = await plan(["--stack", "dev"]);
        assert.equal(code, 0);
        assert.match(stdout, /^Plan for stack "dev"/);
        assert.match(stdout, /\nnetwork {2}\(ecomm:network:NetworkComponent\)\n( {2}\S+ {2}\(.*\)\n)* {2}network-vpc {2}\(awsx:ec2:Vpc\)/);
        assert.match(stdout, /awsx:ec2:Vpc\s+1\n/);
        assert.match(stdout, /privateSubnetIds\s+\["subnet-[0-9a-f]{17}","subnet-[0-9a-f]{17}"\]/);
    });

    it("gives prod as JSON with the stable top-level keys", async () => {
        const { code, stdout } = await plan(["--stack", "prod", "--json"]);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout) as Record<string, unknown>;
        assert.deepEqual(Object.keys(doc), ["version", "stack", "resourceCount", "countsByType", "resources", "outputs", "scorecard", "cost", "standIns"]);
        assert.equal(doc.stack, "prod");
        assert.equal((doc.outputs as { privateSubnetIds: string[] }).privateSubnetIds.length, 3);
        assert.equal((doc.resources as unknown[]).length, doc.resourceCount);
    });

    it("runs prod from a fresh clone with labelled stand-ins for the values its user sets, listed in the text", async () => {
        const { code, stdout, stderr } = await plan(["--stack", "prod"]);
        assert.equal(code, 0, stderr);
        assert.ok(
            stdout.includes(
                "Stand-ins (4): required values the stack file lacks; this plan assumed these placeholders, a real `pulumi up` refuses until you set them\n" +
                    "  ecomm:certificateArn = arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000\n" +
                    "      why: prod serves HTTPS only: its listener needs an ACM certificate in aws:region (or set ecomm:domain to have one issued)\n" +
                    "      set: pulumi config set --stack prod ecomm:certificateArn <ARN of an issued ACM certificate in us-east-1>\n" +
                    "  ecomm:monitoring.alarmEmails[0] = stand-in-oncall@example.invalid\n",
            ),
            stdout.slice(0, 1500),
        );
        assert.match(stdout, /set: pulumi config set --stack prod --path 'ecomm:monitoring\.alarmEmails\[0\]' <your on-call address>/);
        // The stand-ins are what the plan's resources use.
        assert.match(stdout, /web-https {2}\(aws:lb\/listener:Listener\)/);
    });

    it("lists the stand-ins in --json (key, value, why, fix); dev needs none", async () => {
        const prod = JSON.parse((await plan(["--stack", "prod", "--json"])).stdout) as { standIns: { key: string; value: string; why: string; fix: string }[] };
        assert.deepEqual(
            prod.standIns.map((s) => [s.key, s.value]),
            [
                ["ecomm:certificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"],
                ["ecomm:monitoring.alarmEmails[0]", "stand-in-oncall@example.invalid"],
                ["ecomm:frontend.ami", "ami-00000000000000000"],
                ["ecomm:backend.ami", "ami-00000000000000000"],
            ],
        );
        assert.deepEqual(prod.standIns.map((s) => s.fix), [
            "pulumi config set --stack prod ecomm:certificateArn <ARN of an issued ACM certificate in us-east-1>",
            "pulumi config set --stack prod --path 'ecomm:monitoring.alarmEmails[0]' <your on-call address>",
            "npm run ami:latest -- --stack prod --write",
            "npm run ami:latest -- --stack prod --write",
        ]);
        assert.ok(prod.standIns.every((s) => s.why.length > 20));
        const dev = JSON.parse((await plan(["--stack", "dev", "--json"])).stdout) as { standIns: unknown[] };
        assert.deepEqual(dev.standIns, []);
        assert.match((await plan(["--stack", "dev"])).stdout, /\nStand-ins: none \(every required value is set\)\n/);
    });

    it("exits 1 naming the bad key when the config is refused", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-plan-"));
        const prod = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), prod.replace("minSize: 3", "minSize: 1"));
        const { code, stderr, stdout } = await plan(["--stack", "broken", "--root", dir]);
        assert.equal(code, 1, stdout);
        assert.match(stderr, /ecomm:frontend\.minSize = 1: must be >= 2 in prod/);
    });

    it("shows the certificate, its validation and both DNS records for prod with ecomm:domain", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-plan-"));
        const prod = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8");
        const withDomain = prod.replace(/^ {2}ecomm:loadBalancer:$/m, "  ecomm:domain:\n    name: shop.example.com\n    hostedZoneId: Z0123456789ABCDEFGHIJ\n  ecomm:loadBalancer:");
        assert.notEqual(withDomain, prod);
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), withDomain);
        const { code, stdout, stderr } = await plan(["--stack", "prod", "--root", dir]);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /\ndomain {2}\(ecomm:dns:DomainComponent\)\n {2}domain-cert {2}\(aws:acm\/certificate:Certificate\)\n {2}domain-cert-validation {2}\(aws:acm\/certificateValidation:CertificateValidation\)\n {2}domain-cert-validation-record {2}\(aws:route53\/record:Record\)/);
        assert.match(stdout, /\n {2}web-alias-a {2}\(aws:route53\/record:Record\)/);
        assert.match(stdout, /url\s+"https:\/\/shop\.example\.com"/);
    });

    it("exits 2 with usage on a missing --stack", async () => {
        const { code, stderr } = await plan([]);
        assert.equal(code, 2);
        assert.match(stderr, /--stack is required/);
    });
});
