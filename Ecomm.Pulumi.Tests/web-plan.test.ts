import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { accessLogPrincipalKind } from "../Ecomm.Pulumi/web/access-logs";
import { al2023AmiParameter } from "../Ecomm.Pulumi/web/ami";
import { problemLine } from "../Ecomm.Pulumi/shared/problems";
import { healthCheckProblems, healthCheckTiming, targetGroupHealthCheck } from "../Ecomm.Pulumi/web/health-check";
import { instanceRefreshPreferences } from "../Ecomm.Pulumi/web/instance-refresh";
import { listenerPlan } from "../Ecomm.Pulumi/web/listeners";
import { loadBalancerNames, webTierNameProblems } from "../Ecomm.Pulumi/web/names";
import { instanceTypeOverrides, responseTimeSteps } from "../Ecomm.Pulumi/web/scaling";
import { renderUserData, targetKeepAliveSeconds, USER_DATA_TEMPLATE, type ServiceRole } from "../Ecomm.Pulumi/userdata/render";
import { SERVICE_DEFAULTS } from "../Ecomm.Pulumi/web/config";
import { SHELLCHECK, shellcheck } from "./harness";
import { serviceLogGroupNames } from "../Ecomm.Pulumi/web/logs";

const LOGS = serviceLogGroupNames("/ecomm/test/web");

describe("health-check timing", () => {
    it("prod defaults detect a dead instance in 10 s and drain in 30 s", () => {
        const d = SERVICE_DEFAULTS.prod;
        const t = healthCheckTiming(
            { intervalSeconds: d.healthCheckIntervalSeconds, timeoutSeconds: d.healthCheckTimeoutSeconds, healthyThreshold: 2, unhealthyThreshold: d.unhealthyThreshold },
            30,
        );
        assert.deepEqual(t, { detectionSeconds: 10, healthySeconds: 10, drainSeconds: 30 });
        assert.ok(d.healthCheckTimeoutSeconds < d.healthCheckIntervalSeconds);
    });

    it("dev defaults detect in 30 s", () => {
        const d = SERVICE_DEFAULTS.dev;
        assert.equal(healthCheckTiming({ intervalSeconds: d.healthCheckIntervalSeconds, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: d.unhealthyThreshold }, 30).detectionSeconds, 30);
    });

    for (const [hc, problem] of [
        [{ intervalSeconds: 5, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 }, /timeoutSeconds \(5\) must be less than healthCheck\.intervalSeconds \(5\)/],
        [{ intervalSeconds: 4, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2 }, /intervalSeconds \(4\) must be a whole number from 5 to 300/],
        [{ intervalSeconds: 30, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 }, /timeoutSeconds \(1\)/],
        [{ intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 11, unhealthyThreshold: 2 }, /healthyThreshold \(11\)/],
        [{ intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 1 }, /unhealthyThreshold \(1\)/],
    ] as const) {
        it(`refuses ${JSON.stringify(hc)}`, () => {
            const problems = healthCheckProblems(hc).map(problemLine);
            assert.equal(problems.length, 1, problems.join("; "));
            assert.match(problems[0], problem);
        });
    }

    it("accepts the ALB's extremes", () => {
        assert.deepEqual(healthCheckProblems({ intervalSeconds: 5, timeoutSeconds: 4, healthyThreshold: 2, unhealthyThreshold: 10 }), []);
        assert.deepEqual(healthCheckProblems({ intervalSeconds: 300, timeoutSeconds: 120, healthyThreshold: 10, unhealthyThreshold: 2 }), []);
    });

    it("builds the target group's health check with matcher 200 on the traffic port", () => {
        assert.deepEqual(targetGroupHealthCheck("/api/health", { intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 }), {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: "/api/health",
            matcher: "200",
            interval: 5,
            timeout: 3,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
        });
    });
});

describe("listener plan", () => {
    it("serves HTTPS and redirects 80 with a certificate", () => {
        assert.deepEqual(listenerPlan(true), { servingPort: 443, servingProtocol: "HTTPS", redirectHttp: true, openPorts: [80, 443], scheme: "https" });
    });
    it("serves plain HTTP on 80 only without one", () => {
        assert.deepEqual(listenerPlan(false), { servingPort: 80, servingProtocol: "HTTP", redirectHttp: false, openPorts: [80], scheme: "http" });
    });
});

describe("names", () => {
    it("names the ALB and target groups after the tier, within AWS's 32 characters after auto-naming", () => {
        assert.deepEqual(loadBalancerNames("web", ["frontend", "backend"]), { alb: "web-alb", targetGroups: { frontend: "web-frontend-tg", backend: "web-backend-tg" } });
        const builtIn = ["frontend", "backend"];
        assert.deepEqual(webTierNameProblems("web", builtIn), []);
        assert.deepEqual(webTierNameProblems("storefront-w", builtIn), []); // "storefront-w-frontend-tg" is exactly 24
        const problems = webTierNameProblems("storefront-web", builtIn);
        assert.equal(problems.length, 2);
        assert.match(problems[0], /"storefront-web-frontend-tg" is 26 characters/);
    });
});

describe("AMI, log principal, refresh, scaling", () => {
    for (const [type, arch] of [
        ["t4g.small", "arm64"],
        ["m7g.large", "arm64"],
        ["c7gn.2xlarge", "arm64"],
        ["m7i.large", "x86_64"],
        ["t3.micro", "x86_64"],
        ["c6in.xlarge", "x86_64"],
    ] as const) {
        it(`${type} boots the ${arch} AL2023 AMI`, () => {
            assert.equal(al2023AmiParameter(type), `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`);
        });
    }

    it("uses the ELB account in legacy regions and the log-delivery service principal in newer ones", () => {
        assert.equal(accessLogPrincipalKind("us-east-1"), "elb-account");
        assert.equal(accessLogPrincipalKind("eu-west-1"), "elb-account");
        // Jakarta opened in December 2021: the docs list it with the ELB accounts (589379963580).
        assert.equal(accessLogPrincipalKind("ap-southeast-3"), "elb-account");
        assert.equal(accessLogPrincipalKind("me-central-1"), "service");
        assert.equal(accessLogPrincipalKind("eu-central-2"), "service");
        assert.equal(accessLogPrincipalKind("il-central-1"), "service");
    });

    it("launches before terminating during refresh, within AWS's 100-point min/max spread", () => {
        assert.deepEqual(instanceRefreshPreferences(90, 120, false), { minHealthyPercentage: 90, maxHealthyPercentage: 190, instanceWarmup: "120", skipMatching: true, autoRollback: true });
        assert.deepEqual(instanceRefreshPreferences(90, 120, false, { alarmNames: ["a", "b"], checkpointDelaySeconds: 180 }), {
            minHealthyPercentage: 90,
            maxHealthyPercentage: 190,
            instanceWarmup: "120",
            skipMatching: true,
            autoRollback: true,
            alarmSpecification: { alarms: ["a", "b"] },
            checkpointPercentages: [50, 100],
            checkpointDelay: "180",
        });
        assert.throws(() => instanceRefreshPreferences(90, 120, false, { alarmNames: [], checkpointDelaySeconds: 180 }), /watches 1 to 10 alarms, not 0/);
        assert.throws(() => instanceRefreshPreferences(90, 120, false, { alarmNames: ["a"], checkpointDelaySeconds: 172801 }), /must be a whole number from 0 to 172800/);
        assert.equal(instanceRefreshPreferences(100, 60, false).maxHealthyPercentage, 200);
        assert.equal(instanceRefreshPreferences(0, 60, false).maxHealthyPercentage, 100);
        assert.equal("maxHealthyPercentage" in instanceRefreshPreferences(90, 60, true), false);
    });

    it("lists the primary instance type first in overrides, without repeats", () => {
        assert.deepEqual(instanceTypeOverrides("m7g.large", ["m6g.large", "m7g.large", "c7g.large"]), ["m7g.large", "m6g.large", "c7g.large"]);
    });

    it("keeps nginx connections open 15 s longer than the ALB's idle timeout", () => {
        assert.equal(targetKeepAliveSeconds(60), 75);
        assert.equal(targetKeepAliveSeconds(4000), 4015);
    });

    it("adds 1 instance up to twice the response-time threshold and 2 beyond", () => {
        assert.deepEqual(responseTimeSteps(1), [
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "1", scalingAdjustment: 1 },
            { metricIntervalLowerBound: "1", scalingAdjustment: 2 },
        ]);
    });
});

describe("user data", () => {
    const roles: ServiceRole[] = ["frontend", "backend"];

    it("the template is a script in the repo", () => {
        assert.match(fs.readFileSync(USER_DATA_TEMPLATE, "utf8"), /^#!\/bin\/bash\n/);
    });

    it("the template passes shellcheck", { skip: SHELLCHECK.skip }, () => shellcheck(fs.readFileSync(USER_DATA_TEMPLATE, "utf8")));

    for (const role of roles) {
        const render = () => renderUserData({ role, port: 8080, healthCheckPath: role === "frontend" ? "/health" : "/api/health", loadBalancerIdleTimeoutSeconds: 60, logGroups: LOGS });
        it(`renders the ${role} script`, () => {
            const script = render();
            assert.doesNotMatch(script, /\{\{[A-Z_]+\}\}/, "every placeholder is filled");
            assert.match(script, new RegExp(`readonly ROLE="${role}"`));
            assert.match(script, /readonly PORT="8080"/);
            assert.match(script, /readonly KEEPALIVE_SECONDS="75"/);
            // Serving's package alone, logging's in a later transaction (boot.test.ts runs the order).
            assert.match(script, /retry 5 dnf install -y -q nginx;/);
            assert.match(script, /retry 3 dnf install -y -q amazon-cloudwatch-agent rsyslog;/);
            assert.match(script, /systemctl enable --now nginx/);
            assert.match(script, /location = \/health /);
        });

        it(`the rendered ${role} script passes shellcheck`, { skip: SHELLCHECK.skip }, () => shellcheck(render()));
    }

    it("serves the storefront on the frontend and JSON /api/health on the backend", () => {
        const script = renderUserData({ role: "backend", port: 80, healthCheckPath: "/api/health", loadBalancerIdleTimeoutSeconds: 60, logGroups: LOGS });
        assert.match(script, /location = \/api\/health \{ \$\{gate\} default_type application\/json;/);
        assert.match(script, /local gate="access_log off; if \(!-f \$\{STATE\}\/boot-ok\)/);
        assert.match(script, /<h1>Welcome to the ecomm store<\/h1>/);
        assert.match(script, /"status":"ok"/);
    });

    it("refuses values that could escape the script's quoting", () => {
        assert.throws(() => renderUserData({ role: "frontend", port: 80, healthCheckPath: '/x"; rm -rf /', loadBalancerIdleTimeoutSeconds: 60, logGroups: LOGS }), /healthCheckPath/);
        assert.throws(() => renderUserData({ role: "frontend", port: 0, healthCheckPath: "/health", loadBalancerIdleTimeoutSeconds: 60, logGroups: LOGS }), /port 0/);
        assert.throws(() => renderUserData({ role: "frontend", port: 80, healthCheckPath: "/health", loadBalancerIdleTimeoutSeconds: 0, logGroups: LOGS }), /loadBalancerIdleTimeoutSeconds 0/);
        assert.throws(() => renderUserData({ role: "frontend", port: 80, healthCheckPath: "/health", loadBalancerIdleTimeoutSeconds: 60, logGroups: LOGS }, "echo {{NOPE}}"), /unknown placeholder \{\{NOPE\}\}/);
    });
});
