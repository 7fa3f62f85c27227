/**
 * Services are data: a third service behind the ALB is a config entry (`ecomm:services.<name>`), not code.
 * The dev stack with `admin` at `/admin/*` gets its own ASG, target group, listener rule, security-group
 * rules, alarms, dashboard widgets, log groups and outputs, and nothing else of the stack changes.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { input, jsonInput, one, ofType, refused, run, type RecordedResource, type StackRun } from "./harness";
import { Graph } from "../tools/report/graph";
import { estimateCost, loadPriceTable } from "../tools/report/cost";
import { maxServiceNameLength, serviceNameProblem, serviceTable } from "../Ecomm.Pulumi/web/services";
import { realUrns } from "../tools/offline/urns";

const ASG = "aws:autoscaling/group:Group";
const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const LISTENER = "aws:lb/listener:Listener";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const ADMIN = { pathPatterns: ["/admin/*"], priority: 20, minSize: 1, maxSize: 3, healthCheckPath: "/admin/health" };

describe("a third service through config alone: ecomm:services.admin at /admin/*", () => {
    let base: StackRun;
    let r: StackRun;
    before(async () => {
        base = await run("dev");
        r = await run("dev", { "ecomm:services": { admin: ADMIN } });
    });
    const tg = () => one(r, TG, "web-admin-tg");
    const asg = () => one(r, ASG, "web-admin-asg");

    it("builds its ServiceComponent under the web tier, its ASG registering with its own target group", () => {
        const component = one(r, "ecomm:web:ServiceComponent", "web-admin");
        assert.match(component.parentUrn, /ecomm:web:WebTierComponent::web$/);
        const a = asg();
        assert.equal(a.parentUrn, component.urn);
        assert.equal(input(a, "minSize"), 1);
        assert.equal(input(a, "maxSize"), 3);
        assert.equal(input(a, "desiredCapacity"), 1);
        assert.deepEqual(input(a, "targetGroupArns"), [tg().state.arn]);
        assert.equal(input(a, "healthCheckType"), "ELB");
        const tags = input<{ key: string; value: string }[]>(a, "tags");
        assert.deepEqual(tags.find((t) => t.key === "Service"), { key: "Service", value: "admin", propagateAtLaunch: true });
    });

    it("health-checks its own path on its target group", () => {
        const hc = input<{ path: string; matcher: string }>(tg(), "healthCheck");
        assert.equal(hc.path, "/admin/health");
        assert.equal(input(tg(), "port"), 80);
        assert.equal(input(tg(), "deregistrationDelay"), 30);
    });

    it("routes /admin/* to it with a listener rule at its priority, on the serving listener", () => {
        const rule = one(r, RULE, "web-admin-rule");
        assert.equal(input(rule, "priority"), 20);
        assert.deepEqual(input(rule, "conditions"), [{ pathPattern: { values: ["/admin/*"] } }]);
        assert.deepEqual(input(rule, "actions"), [{ type: "forward", targetGroupArn: tg().state.arn }]);
        assert.equal(input(rule, "listenerArn"), one(r, LISTENER, "web-http").state.arn);
        // The backend's rule is untouched; the frontend stays the default action.
        assert.equal(input(one(r, RULE, "web-backend-rule"), "priority"), 10);
        assert.deepEqual(input(one(r, LISTENER, "web-http"), "defaultActions"), [{ type: "forward", targetGroupArn: one(r, TG, "web-frontend-tg").state.arn }]);
        // Its ASG waits for the rules, like the others (a request-count policy needs a routed target group).
        assert.ok(asg().dependencies.includes(rule.urn));
    });

    it("opens the ALB to its instances on its port only, and its instances to the ALB only", () => {
        const out = one(r, EGRESS, "web-alb-to-admin");
        const sg = one(r, "aws:ec2/securityGroup:SecurityGroup", "web-admin-sg");
        assert.equal(input(out, "referencedSecurityGroupId"), sg.state.id);
        assert.equal(input(out, "fromPort"), 80);
        const from = one(r, INGRESS, "web-admin-from-alb");
        assert.equal(input(from, "referencedSecurityGroupId"), one(r, "aws:ec2/securityGroup:SecurityGroup", "web-alb-sg").state.id);
        // Not a database client: the database admits the backend only.
        const dbIngress = ofType(r, INGRESS).filter((i) => i.name.startsWith("database"));
        assert.ok(dbIngress.length > 0);
        for (const i of dbIngress) assert.notEqual(input(i, "referencedSecurityGroupId"), sg.state.id, i.name);
    });

    it("gets its own health and capacity alarms, on its target group and ASG", () => {
        const mine = ofType(r, ALARM).filter((a) => a.name.startsWith("monitoring-admin-"));
        assert.deepEqual(mine.map((a) => String(input(a, "name"))).sort(), [
            "ecomm-dev-admin-healthy-below-min",
            "ecomm-dev-admin-in-service-below-min",
            "ecomm-dev-admin-no-healthy-hosts",
            "ecomm-dev-admin-unhealthy-hosts",
        ]);
        const unhealthy = one(r, ALARM, "monitoring-admin-unhealthy-hosts");
        assert.deepEqual(input(unhealthy, "dimensions"), { TargetGroup: tg().state.arnSuffix, LoadBalancer: one(r, "aws:lb/loadBalancer:LoadBalancer").state.arnSuffix });
        assert.deepEqual(input(one(r, ALARM, "monitoring-admin-in-service-below-min"), "dimensions"), { AutoScalingGroupName: asg().state.name });
        // The same alarms the other services get, no more.
        const frontend = ofType(r, ALARM).filter((a) => a.name.startsWith("monitoring-frontend-")).map((a) => a.name.replace("frontend", "admin"));
        assert.deepEqual(mine.map((a) => a.name).sort(), frontend.sort());
    });

    it("rolls its instance refresh back on its own health alarms", () => {
        const prefs = input<{ autoRollback: boolean; alarmSpecification: { alarms: string[] } }>(asg(), "instanceRefresh") as unknown as { preferences: { autoRollback: boolean; alarmSpecification: { alarms: string[] } } };
        assert.equal(prefs.preferences.autoRollback, true);
        assert.deepEqual(prefs.preferences.alarmSpecification.alarms, ["ecomm-dev-admin-unhealthy-hosts", "ecomm-dev-admin-no-healthy-hosts"]);
    });

    it("shows it on the dashboard: target health, response time, CPU and its logs", () => {
        const body = jsonInput<{ widgets: { type: string; properties: { title: string; metrics?: unknown[][]; query?: string; alarms?: string[] } }[] }>(one(r, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody");
        const metricsWith = (value: unknown) => body.widgets.filter((w) => (w.properties.metrics ?? []).some((m) => m.includes(value))).map((w) => w.properties.title);
        const byTarget = metricsWith(tg().state.arnSuffix);
        const baseBody = jsonInput<typeof body>(one(base, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody");
        const frontendTitles = baseBody.widgets.filter((w) => (w.properties.metrics ?? []).some((m) => m.includes(one(base, TG, "web-frontend-tg").state.arnSuffix))).map((w) => w.properties.title);
        assert.ok(frontendTitles.length > 0);
        assert.deepEqual(byTarget, frontendTitles, "the admin target group is in every widget the frontend's is in");
        assert.ok(metricsWith(asg().state.name).length > 0, "its ASG's CPU");
        const adminLogs = ofType(r, LOG_GROUP).filter((g) => g.name.startsWith("web-admin-logs-")).map((g) => String(input(g, "name")));
        assert.deepEqual(adminLogs.sort(), ["/ecomm/dev/admin/nginx-access", "/ecomm/dev/admin/nginx-error", "/ecomm/dev/admin/system"]);
        const queries = body.widgets.filter((w) => w.type === "log").map((w) => JSON.stringify(w.properties));
        assert.ok(queries.some((q) => q.includes("/ecomm/dev/admin/nginx-error")), "its nginx errors");
        const alarmsShown = body.widgets.flatMap((w) => w.properties.alarms ?? []);
        assert.ok(alarmsShown.includes(String(one(r, ALARM, "monitoring-admin-unhealthy-hosts").state.arn)));
    });

    it("exports it under services, keeps the built-in outputs' names and values", () => {
        const services = r.outputs.services as Record<string, Record<string, string>>;
        assert.deepEqual(Object.keys(services), ["frontend", "backend", "admin"]);
        assert.deepEqual(services.admin, {
            asgName: asg().state.name,
            targetGroupArn: tg().state.arn,
            targetGroupArnSuffix: tg().state.arnSuffix,
            securityGroupId: one(r, "aws:ec2/securityGroup:SecurityGroup", "web-admin-sg").state.id,
        });
        for (const key of ["frontendAsgName", "frontendTargetGroupArn", "backendAsgName", "backendSecurityGroupId", "url"]) assert.equal(r.outputs[key], base.outputs[key], key);
        assert.deepEqual(Object.keys(base.outputs.services as object), ["frontend", "backend"]);
    });

    it("adds resources and changes none: every real URN of the dev stack is still there", () => {
        const before = new Set(realUrns(base.resources).values());
        const after = new Set(realUrns(r.resources).values());
        assert.deepEqual([...before].filter((u) => !after.has(u)), []);
        const added = [...after].filter((u) => !before.has(u));
        assert.ok(added.length >= 15, `${added.length} added`);
        for (const u of added) assert.match(u, /admin/, u);
        // The real engine's URN of a grandchild: the whole parent chain.
        assert.ok(added.includes("urn:pulumi:dev::ecomm::ecomm:web:WebTierComponent$ecomm:web:ServiceComponent$aws:autoscaling/group:Group::web-admin-asg"));
    });

    it("is a service for the report: the graph, the cost lines", () => {
        const g = new Graph(r.resources);
        assert.deepEqual(g.ofType(ASG).map((a: RecordedResource) => g.serviceOf(a)).sort(), ["admin", "backend", "frontend"]);
        assert.equal(g.serviceOf(tg()), "admin");
        const table = loadPriceTable("us-east-1");
        assert.ok(table, "the us-east-1 price table");
        const items = estimateCost(r.resources, table).lines.map((l) => l.item);
        assert.ok(items.includes("EC2 admin") && items.includes("EBS admin"), items.join(", "));
    });
});

describe("ecomm:services refusals, before anything is registered", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
        ["a built-in name", { frontend: ADMIN }, /ecomm:services\.frontend = "frontend": is a built-in service: configure it under ecomm:frontend/],
        ["an upper-case name", { Admin: ADMIN }, /ecomm:services\.Admin = "Admin": must be lowercase letters and digits/],
        ["a name of the web tier's own resources", { alb: ADMIN }, /ecomm:services\.alb = "alb": is reserved/],
        ["a name too long for its target group", { administration12345: ADMIN }, /ecomm:services\.administration12345 = "administration12345": must be at most 17 characters: its target group web-administration12345-tg/],
        ["the backend's priority", { admin: { ...ADMIN, priority: 10 } }, /ecomm:services\.admin\.priority = 10: is already the listener-rule priority of backend/],
        ["the backend's path", { admin: { ...ADMIN, pathPatterns: ["/api/*"] } }, /ecomm:services\.admin\.pathPatterns\[0\] = "\/api\/\*": is already routed to backend/],
        ["no path patterns", { admin: { priority: 20 } }, /ecomm:services\.admin\.pathPatterns = \[\]: must list 1 to 5 path patterns/],
        ["no priority", { admin: { pathPatterns: ["/admin/*"] } }, /ecomm:services\.admin\.priority/],
        ["a priority outside 1-50000", { admin: { ...ADMIN, priority: 50001 } }, /ecomm:services\.admin\.priority = 50001/],
        ["an unknown setting", { admin: { ...ADMIN, pathPattern: "/admin/*" } }, /ecomm:services\.admin/],
        ["crossed group bounds", { admin: { ...ADMIN, minSize: 4, maxSize: 3 } }, /ecomm:services\.admin\.minSize = 4: must be <= maxSize \(3\)/],
    ];
    for (const [what, services, message] of cases) {
        it(`refuses ${what}`, async () => {
            const err = await refused("dev", { "ecomm:services": services });
            assert.match(err.message, message);
        });
    }

    it("prod: at least two instances and a pinned AMI, naming the keys", async () => {
        const err = await refused("prod", { "ecomm:services": { admin: ADMIN } });
        assert.match(err.message, /ecomm:services\.admin\.minSize = 1: must be >= 2 in prod/);
        assert.match(err.message, /ecomm:services\.admin\.ami.*is required in prod/);
        assert.match(err.message, /npm run ami:latest -- --stack prod --write \(or: pulumi config set --stack prod --path 'ecomm:services\.admin\.ami' <ami id>\)/);
    });
});

describe("the service table", () => {
    it("is the built-in services, then the configured ones by name", () => {
        const table = serviceTable({ zeta: { priority: 30 }, admin: { priority: 20 } });
        assert.deepEqual(
            table.map((d) => [d.name, d.routing, d.databaseClient]),
            [
                ["frontend", { kind: "default" }, false],
                ["backend", { kind: "path", priority: 10 }, true],
                ["admin", { kind: "path", priority: 20 }, false],
                ["zeta", { kind: "path", priority: 30 }, false],
            ],
        );
    });

    it("limits names by the target group's 32 characters", () => {
        assert.equal(maxServiceNameLength("web"), 17); // "web-" + 17 + "-tg" = 24, plus Pulumi's 8-character suffix = 32
        assert.equal(serviceNameProblem("a".repeat(17)), undefined);
        assert.match(serviceNameProblem("a".repeat(18)) ?? "", /at most 17 characters/);
        assert.match(serviceNameProblem("https") ?? "", /reserved/);
        assert.match(serviceNameProblem("9lives") ?? "", /starting with a letter/);
    });
});
