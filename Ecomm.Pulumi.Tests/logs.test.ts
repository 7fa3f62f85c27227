import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, patched, refused, run, type StackRun } from "./harness";
import { CLOUDWATCH_AGENT_CONFIG_PATH, cloudWatchAgentConfig, LOG_FILES, serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";
import type { DashboardBody, LogWidget } from "../Ecomm.Pulumi/monitoring/dashboard";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ROLES = ["frontend", "backend"] as const;

const userData = (r: StackRun, role: string) => Buffer.from(input<string>(one(r, LT, `web-${role}-lt`), "userData"), "base64").toString("utf8");

/** The agent config the user data writes: the quoted heredoc's body. */
function agentConfigOf(script: string): unknown {
    const match = /<<'JSON'[^\n]*\n([\s\S]*?)\nJSON\n/.exec(script);
    assert.ok(match, "the user data writes the agent config from a quoted heredoc");
    return JSON.parse(match[1]);
}

for (const [stack, retention] of [
    ["dev", 14],
    ["prod", 90],
] as const) {
    describe(`instance logs (${stack})`, () => {
        let r: StackRun;
        before(async () => {
            r = await run(stack);
        });

        for (const role of ROLES) {
            it(`creates the ${role}'s access, error and system log groups with ${retention} days' retention`, () => {
                const service = one(r, "ecomm:web:ServiceComponent", `web-${role}`);
                const groups = ofType(r, LOG_GROUP).filter((g) => g.parentUrn === service.urn);
                assert.deepEqual(
                    groups.map((g) => [g.name, input(g, "name"), input(g, "retentionInDays")]),
                    [
                        [`web-${role}-logs-access`, `/ecomm/${stack}/${role}/nginx-access`, retention],
                        [`web-${role}-logs-error`, `/ecomm/${stack}/${role}/nginx-error`, retention],
                        [`web-${role}-logs-system`, `/ecomm/${stack}/${role}/system`, retention],
                    ],
                );
                for (const g of groups) assert.equal(input(g, "skipDestroy"), undefined, "deleted with the stack");
            });

            it(`installs the CloudWatch agent on ${role} instances, shipping nginx and system logs to those groups`, () => {
                const script = userData(r, role);
                const groups = serviceLogGroupNames(`/ecomm/${stack}/${role}`);
                assert.deepEqual(agentConfigOf(script), cloudWatchAgentConfig(groups));
                const shipped = (agentConfigOf(script) as ReturnType<typeof cloudWatchAgentConfig>).logs.logs_collected.files.collect_list;
                assert.deepEqual(
                    shipped.map((f) => [f.file_path, f.log_group_name, f.log_stream_name]),
                    [
                        ["/var/log/nginx/access.log", groups.access, "{instance_id}"],
                        ["/var/log/nginx/error.log", groups.error, "{instance_id}"],
                        ["/var/log/messages", groups.system, "{instance_id}"],
                        ["/var/log/cloud-init-output.log", groups.system, "{instance_id}/cloud-init-output"],
                    ],
                );
                // Every shipped group is one the program created (the agent never creates one).
                const created = ofType(r, LOG_GROUP).map((g) => input<string>(g, "name"));
                for (const f of shipped) assert.ok(created.includes(f.log_group_name), f.log_group_name);
                assert.match(script, /dnf install -y -q amazon-cloudwatch-agent rsyslog/);
                assert.match(script, /systemctl enable --now rsyslog/);
                assert.match(script, new RegExp(`readonly CLOUDWATCH_AGENT_CONFIG="${CLOUDWATCH_AGENT_CONFIG_PATH}"`));
                assert.match(script, /"\$\{ROOT\}\/opt\/aws\/amazon-cloudwatch-agent\/bin\/amazon-cloudwatch-agent-ctl" -a fetch-config -m ec2 -s -c "file:\$\{CLOUDWATCH_AGENT_CONFIG\}"/);
            });
        }

        it("shows the log groups on the dashboard", () => {
            const body = jsonInput<DashboardBody>(one(r, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody");
            const queries = body.widgets.filter((w): w is LogWidget => w.type === "log").map((w) => w.properties.query);
            assert.equal(queries.length, 3);
            for (const g of ofType(r, LOG_GROUP).filter((x) => String(input(x, "name")).startsWith(`/ecomm/${stack}/`))) {
                assert.ok(queries.some((q) => q.includes(`SOURCE '${String(input(g, "name"))}'`)), String(input(g, "name")));
            }
        });
    });
}

describe("ecomm:logs", () => {
    it("sets the retention of every service log group", async () => {
        const r = await run("dev", { "ecomm:logs": { retentionDays: 30 } });
        const groups = ofType(r, LOG_GROUP).filter((g) => String(input(g, "name")).startsWith("/ecomm/dev/"));
        assert.equal(groups.length, 6);
        for (const g of groups) assert.equal(input(g, "retentionInDays"), 30);
    });

    for (const [what, value, pattern] of [
        ["a retention CloudWatch Logs does not offer", { retentionDays: 10 }, /ecomm:logs\.retentionDays = 10: must be one of the CloudWatch Logs retention periods: 1, 3, 5, 7, 14/],
        ["zero (never expire is not allowed)", { retentionDays: 0 }, /ecomm:logs\.retentionDays = 0/],
        ["an unknown key", { retention: 30 }, /ecomm:logs\.retention = 30: unknown key/],
    ] as const) {
        it(`refuses ${what}, naming the key`, async () => {
            const err = await refused("dev", { "ecomm:logs": value, ...patched("dev", "ecomm:frontend", {}) });
            assert.match(err.message, pattern);
        });
    }
});

describe("logs plan", () => {
    it("ships the nginx logs and the rsyslog system log", () => {
        assert.deepEqual(LOG_FILES, { access: "/var/log/nginx/access.log", error: "/var/log/nginx/error.log", system: "/var/log/messages" });
    });

    it("refuses log group names CloudWatch Logs would reject (and that could break the heredoc)", () => {
        assert.throws(() => serviceLogGroupNames("/ecomm/dev/it's"), /must be 1-512 letters/);
        assert.throws(() => cloudWatchAgentConfig({ access: "a", error: "b\nJSON", system: "c" }), /\(error\)/);
    });

    it("leaves retention to the program: the agent config sets none", () => {
        const text = JSON.stringify(cloudWatchAgentConfig(serviceLogGroupNames("/x")));
        assert.ok(!text.includes("retention"));
    });
});
