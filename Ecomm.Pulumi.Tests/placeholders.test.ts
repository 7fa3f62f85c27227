import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { patched, refused, run } from "./harness";
import { readStackConfig, runStack } from "../tools/offline/run";
import { placeholderProblems, placeholderReason, REQUIRED_VALUES, STAND_IN_AMI, withStandIns } from "../Ecomm.Pulumi/config/placeholders";

/** A completed prod: values that look like a real user's (no documentation account, no reserved name). */
const REAL_CERT = "arn:aws:acm:us-east-1:210987654321:certificate/8e4f2a3b-1c5d-4e6f-9a7b-2c3d4e5f6a7b";
const REAL_EMAILS = { alarmEmails: ["oncall@shop-team.net"] };
/** What the committed prod file shipped before: AWS's documentation account and an example.com address. */
const REAL_AMI = "ami-0c1f4e2a9b8d7c6e5";
/** Prod's pinned AMIs, as `npm run ami:latest -- --write` leaves them. */
const amis = () => ({ ...patched("prod", "ecomm:frontend", { ami: REAL_AMI }), ...patched("prod", "ecomm:backend", { ami: REAL_AMI }) });
const OLD_PROD_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000";

const monitoring = (patch: Record<string, unknown>) => ({ ...(JSON.parse(readStackConfig("prod").config["ecomm:monitoring"] ?? "{}") as object), ...patch });

describe("placeholderReason: what counts as a documentation placeholder", () => {
    const placeholders: [string, RegExp][] = [
        [OLD_PROD_CERT, /123456789012 is AWS's documentation account; an all-zero id/],
        ["arn:aws:iam::000000000000:role/x", /000000000000 is not an account/],
        ["00000000-0000-0000-0000-000000000000", /all-zero id/],
        ["ami-00000000000000000", /all-zero resource id/],
        ["sg-00000000", /all-zero resource id/],
        ["oncall@example.com", /example\.com is a documentation domain/],
        ["Payments@EXAMPLE.ORG", /example\.org is a documentation domain/],
        ["shop.example.net", /shop\.example\.net is a documentation domain/],
        ["https://hooks.example/alerts", /hooks\.example is under the reserved \.example TLD/],
        ["ops@shop.test", /shop\.test is under the reserved \.test TLD/],
        ["stand-in-oncall@example.invalid", /example\.invalid is under the reserved \.invalid TLD/],
        ["api.localhost", /api\.localhost is under the reserved \.localhost TLD/],
        ["root@localhost", /localhost is not reachable from AWS/],
    ];
    for (const [value, reason] of placeholders) it(`refuses ${value}`, () => assert.match(placeholderReason(value) ?? "(none)", reason));

    const real = [REAL_CERT, "oncall@shop-team.net", "10.20.0.0/16", "sun:05:00-sun:06:00", "db.m7g.large", "/api/*", "ami-0abcdef1234567890", "us-east-1a", "16", "testing", "example", "Z0123456789ABCDEFGHIJ", "123456789012345"];
    for (const value of real) it(`accepts ${value}`, () => assert.equal(placeholderReason(value), undefined));
});

describe("placeholderProblems: every value, every namespace, with its command", () => {
    it("names nested keys with --path, secrets with --secret and without their value, other namespaces too", () => {
        const problems = placeholderProblems(
            {
                "ecomm:monitoring": JSON.stringify({ alarmEmails: ["oncall@shop-team.net", "ops@example.com"] }),
                "ecomm:webhook": "https://hooks.example/x",
                "aws:allowedAccountIds": JSON.stringify(["123456789012"]),
                "ecomm:tags": JSON.stringify({ "owner@example.com": "x" }),
            },
            { stack: "prod", region: "us-east-1", isSecret: (key) => key === "ecomm:webhook" },
        );
        assert.deepEqual(
            problems.map((p) => [p.key, p.value, p.fix]),
            [
                ["ecomm:monitoring.alarmEmails[1]", "ops@example.com", "pulumi config set --stack prod --path 'ecomm:monitoring.alarmEmails[1]' <your on-call address>"],
                ["ecomm:webhook", "[secret]", "pulumi config set --stack prod --secret ecomm:webhook <your real value>"],
                ["aws:allowedAccountIds[0]", "123456789012", "pulumi config set --stack prod --path 'aws:allowedAccountIds[0]' <your real value>"],
                ["ecomm:tags[\"owner@example.com\"]", "owner@example.com", "pulumi config rm --stack prod --path 'ecomm:tags[\"owner@example.com\"]'"],
            ],
        );
    });

    it("finds nothing in the dev stack file or in a completed prod", () => {
        assert.deepEqual(placeholderProblems(readStackConfig("dev").config), []);
        const prod = { ...readStackConfig("prod").config, "ecomm:certificateArn": REAL_CERT, "ecomm:monitoring": JSON.stringify(monitoring(REAL_EMAILS)) };
        assert.deepEqual(placeholderProblems(prod), []);
    });
});

describe("under the real engine, no placeholder reaches AWS", () => {
    it("refuses the committed prod file before any resource, naming each value it lacks and the command that sets it, in one message", async () => {
        const err = await refused("prod", {}, { realEngine: true });
        assert.match(err.message, /Invalid ecomm configuration \(4 problems\)/);
        for (const service of ["frontend", "backend"]) {
            assert.ok(
                err.message.includes(
                    `  - ecomm:${service}.ami = (not set): is required in prod: a pinned AMI id, so prod's OS changes only when you move it\n` +
                        "      fix: npm run ami:latest -- --stack prod --write",
                ),
                err.message,
            );
        }
        assert.ok(
            err.message.includes(
                "  - ecomm:certificateArn = (not set): is required in prod unless ecomm:domain is set: prod serves HTTPS only\n" +
                    "      fix: pulumi config set --stack prod ecomm:certificateArn <ARN of an issued ACM certificate in us-east-1>",
            ),
            err.message,
        );
        assert.ok(
            err.message.includes(
                "  - ecomm:monitoring.alarmEmails = (not set): must list at least one address in prod: otherwise the alarms page nobody\n" +
                    "      fix: pulumi config set --stack prod --path 'ecomm:monitoring.alarmEmails[0]' <your on-call address>",
            ),
            err.message,
        );
    });

    it("refuses the placeholders prod used to ship (documentation account, all-zero id, example.com), each with its command", async () => {
        const err = await refused("prod", { ...amis(), "ecomm:certificateArn": OLD_PROD_CERT, "ecomm:monitoring": monitoring({ alarmEmails: ["oncall@example.com"] }) }, { realEngine: true });
        assert.match(err.message, /\(2 problems\)/);
        assert.match(
            err.message,
            /ecomm:certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate\/00000000-0000-4000-8000-000000000000": is a documentation placeholder \(123456789012 is AWS's documentation account; an all-zero id\), not a value AWS can use\n {6}fix: pulumi config set --stack prod ecomm:certificateArn <ARN of an issued ACM certificate in us-east-1>/,
        );
        assert.match(
            err.message,
            /ecomm:monitoring\.alarmEmails\[0\] = "oncall@example\.com": is a documentation placeholder \(example\.com is a documentation domain \(RFC 2606\)\), not a value AWS can use\n {6}fix: pulumi config set --stack prod --path 'ecomm:monitoring\.alarmEmails\[0\]' <your on-call address>/,
        );
    });

    it("lists schema problems and placeholders together", async () => {
        const err = await refused("prod", { ...amis(), "ecomm:certificateArn": REAL_CERT, "ecomm:monitoring": monitoring({ alarmEmails: ["oncall@example.com"] }), ...{ "ecomm:tags": { "aws:x": "y" } } }, { realEngine: true });
        assert.deepEqual(
            [...err.message.matchAll(/^ {2}- (\S+) = /gm)].map((m) => m[1]),
            ["ecomm:tags.aws:x", "ecomm:monitoring.alarmEmails[0]"],
        );
    });

    it("refuses the offline stand-ins themselves: they are placeholders too", async () => {
        const { config, standIns } = withStandIns(readStackConfig("prod").config, "us-east-1", "prod");
        assert.equal(standIns.length, REQUIRED_VALUES.length);
        const err = await refused("prod", { "ecomm:certificateArn": config["ecomm:certificateArn"], "ecomm:monitoring": JSON.parse(config["ecomm:monitoring"]) as object }, { realEngine: true });
        assert.match(err.message, /ecomm:certificateArn = .*documentation placeholder/);
        assert.match(err.message, /ecomm:monitoring\.alarmEmails\[0\] = "stand-in-oncall@example\.invalid": is a documentation placeholder/);
    });

    it("accepts dev as committed and prod once its user has completed it", async () => {
        const dev = await runStack({ stack: "dev", realEngine: true });
        assert.deepEqual(dev.standIns, []);
        const prod = await runStack({ stack: "prod", realEngine: true, config: { ...amis(), "ecomm:certificateArn": REAL_CERT, "ecomm:monitoring": monitoring(REAL_EMAILS) } });
        assert.deepEqual(prod.standIns, []);
        const https = prod.resources.find((r) => r.type === "aws:lb/listener:Listener" && r.name === "web-https");
        assert.equal(https?.inputs.certificateArn, REAL_CERT);
    });

    it("offline, the same prod file runs with labelled stand-ins, and the next real-engine run in the process is guarded again", async () => {
        const offline = await run("prod");
        assert.deepEqual(
            offline.standIns.map((s) => [s.key, s.value]),
            [
                ["ecomm:certificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"],
                ["ecomm:monitoring.alarmEmails[0]", "stand-in-oncall@example.invalid"],
                ["ecomm:frontend.ami", STAND_IN_AMI],
                ["ecomm:backend.ami", STAND_IN_AMI],
            ],
        );
        const https = offline.resources.find((r) => r.type === "aws:lb/listener:Listener" && r.name === "web-https");
        assert.equal(https?.inputs.certificateArn, offline.standIns[0].value);
        await refused("prod", {}, { realEngine: true });
    });
});

describe("a resilience target AZ outside the stack's AZs", () => {
    it("is refused before any resource, naming the key and the stack's AZs (was an unhandled rejection naming no key)", async () => {
        const err = await refused("dev", { "ecomm:resilience": { targetAvailabilityZone: "us-east-1f" } });
        assert.match(err.message, /ecomm:resilience\.targetAvailabilityZone = "us-east-1f": must be one of the VPC's availability zones \(the first 2 of us-east-1\): us-east-1a, us-east-1b/);
    });
});
