/**
 * `npm run plan`'s behaviour, through its command (tools/plan/command.ts) called in-process with stdout and
 * stderr captured: the stack runs are the process's shared ones (`runStack`). The script itself is spawned
 * through `npm run` as a user types it in npm-scripts.test.ts.
 */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../tools/offline/run";
import { planCommand } from "../tools/plan/command";
import type { PlanJson } from "../tools/plan/plan";
import { columns, paint, PLAIN, styleFor } from "../tools/plan/style";

/** `npm run plan -- <args>` in-process: its exit code and what it wrote to stdout and stderr (not a terminal). */
async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await planCommand(args, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`), stdout: { isTTY: false } });
    return { code, stdout, stderr };
}

describe("npm run plan", () => {
    it("prints the dev tree, counts and outputs", async () => {
        const { code, stdout } = await plan(["--stack", "dev"]);
        assert.equal(code, 0);
        assert.match(stdout, /^Plan for stack "dev" \(offline, mock engine\)\n {2}resources: \d+ \(\d+ types\)\n/);
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
        // Each resource carries the inputs it would be created with.
        const resources = doc.resources as { type: string; name: string; inputs: Record<string, unknown> }[];
        const tg = resources.find((r) => r.name === "web-frontend-tg")!;
        assert.deepEqual((tg.inputs.healthCheck as Record<string, unknown>).interval, 5);
        const db = resources.find((r) => r.type === "aws:rds/instance:Instance")!;
        assert.equal(db.inputs.manageMasterUserPassword, true);
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
        assert.match((await plan(["--stack", "dev"])).stdout, /\n {2}stand-ins: none \(every required value is set\)\n/);
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

    it("starts with the headline: resources, availability and downtime, AZ loss, cost at min and max, warnings, stand-ins", async () => {
        const { code, stdout, stderr } = await plan(["--stack", "prod"]);
        assert.equal(code, 0, stderr);
        const doc = JSON.parse((await plan(["--stack", "prod", "--json"])).stdout) as PlanJson;
        const a = doc.scorecard.availability;
        const money = (n: number | null) => `$${n!.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
        assert.deepEqual(stdout.split("\n").slice(0, 8), [
            'Plan for stack "prod" (offline, mock engine)',
            `  resources: ${doc.resourceCount} (${Object.keys(doc.countsByType).length} types)`,
            `  availability: ${a.percent} % modeled (Application Load Balancer × EC2 across ≥ 2 AZs × RDS multi-az-instance SLAs): ${a.downtimeMinutesPerMonth} min/month of downtime, ${a.downtimeReductionPercent} % less than a single-AZ, single-instance baseline`,
            "  one AZ lost: frontend 2 of 3, backend 2 of 3 instances left (min)",
            "  database: multi-az-instance, failover 60–120 s",
            `  cost: ${money(doc.cost.totalAtMin)}/month at min size, ${money(doc.cost.totalAtMax)} at max (us-east-1 list prices of ${doc.cost.asOf})`,
            "  warnings: none",
            "  stand-ins: 4: placeholders for values only you can set; a real `pulumi up` refuses until you set them (below)",
        ]);
        // The tree comes last.
        assert.ok(stdout.indexOf("Resources (by parent)") > stdout.indexOf("Monthly cost"));
        assert.ok(!stdout.includes("\u001b["), "no colour when stdout is not a terminal");
    });

    it("says each service's scale-out reaction once, not once per policy", async () => {
        const { stdout } = await plan(["--stack", "prod"]);
        const section = stdout.slice(stdout.indexOf(" Scale-out\n"), stdout.indexOf(" Rollout rollback\n"));
        assert.deepEqual(section.split("\n").filter((l) => / s, \d polic/.test(l)), [
            "  frontend: scale-out reaction: 300 s, 3 policies: web-frontend-cpu, web-frontend-requests, web-frontend-latency",
            "  backend: scale-out reaction: 300 s, 3 policies: web-backend-cpu, web-backend-requests, web-backend-latency",
        ]);
        assert.equal(section.match(/= 300 s/g)?.length, 4, section);
    });

    describe("--usage FILE is validated like stack config", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-usage-"));
        const file = (name: string, text: string) => {
            fs.writeFileSync(path.join(dir, name), text);
            return path.join(dir, name);
        };
        it("refuses a word, a negative number and an unknown key, naming each key, value and what is allowed (exit 2)", async () => {
            const bad = file("bad.json", JSON.stringify({ albLcus: "lots", natGbPerMonthPerGateway: -5, wafRuleGroups: 2.5, albLcu: 3 }));
            const { code, stdout, stderr } = await plan(["--stack", "dev", "--usage", bad]);
            assert.equal(code, 2, stdout);
            assert.equal(stdout, "");
            assert.deepEqual(stderr.trimEnd().split("\n"), [
                `--usage ${bad}: invalid usage assumptions (4 problems):`,
                '  - albLcus = "lots": must be a number >= 0 (LCUs per hour, averaged over the month)',
                "  - natGbPerMonthPerGateway = -5: must be a number >= 0 (GB processed per NAT gateway per month)",
                "  - wafRuleGroups = 2.5: must be a whole number >= 0 (WAF rules, when the web ACL lists none)",
                '  - albLcu = 3: unknown key(s) "albLcu" (did you mean `albLcus`?); allowed keys: albLcus, natGbPerMonthPerGateway, flowLogGbPerMonth, appLogGbPerMonthPerService, accessLogGbPerMonth, requestsMillionsPerMonth, wafRuleGroups',
            ]);
        });
        it("names the file when it is not JSON", async () => {
            const bad = file("notjson.json", "albLcus: 5\n");
            const { code, stderr } = await plan(["--stack", "dev", "--usage", bad]);
            assert.equal(code, 2);
            assert.ok(stderr.startsWith(`--usage ${bad}: not JSON (`), stderr);
            assert.match(stderr, /\); expected an object such as \{"albLcus": 5\}\n$/);
        });
        it("applies valid overrides to the estimate", async () => {
            const ok = file("ok.json", JSON.stringify({ albLcus: 5 }));
            const doc = JSON.parse((await plan(["--stack", "dev", "--json", "--usage", ok])).stdout) as PlanJson;
            assert.equal(doc.cost.usage.albLcus, 5);
            assert.equal(doc.cost.lines.find((l) => l.item === "ALB")?.detail, "730 h + 5 LCU");
        });
    });
});

describe("plan text style", () => {
    it("colour and alignment on a terminal only, never with NO_COLOR", () => {
        assert.deepEqual(styleFor({ isTTY: true }, {}), { color: true, align: true });
        assert.deepEqual(styleFor({ isTTY: true }, { NO_COLOR: "1" }), { color: false, align: false });
        assert.deepEqual(styleFor({ isTTY: false }, {}), { color: false, align: false });
        assert.deepEqual(styleFor({}, {}), { color: false, align: false });
        assert.equal(paint({ color: true, align: true }, "red", "x"), "\u001b[31mx\u001b[39m");
        assert.equal(paint(PLAIN, "red", "x"), "x");
        assert.deepEqual(columns({ color: false, align: true }, [["a", "1"], ["bbb", "22"]], [1]), ["a     1", "bbb  22"]);
        assert.deepEqual(columns(PLAIN, [["a", "1"], ["bbb", "22"]], [1]), ["a  1", "bbb  22"]);
    });
});
