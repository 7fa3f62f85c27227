/**
 * Least privilege and what security scanners flag (issue 14, point 6): instance roles read only the
 * parameters their service needs, service trust policies carry confused-deputy conditions, the WAF does not
 * block large request bodies, and the access-log bucket has server access logging.
 */
import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, jsonInput, one, ofType, patched, refused, type RecordedResource, type StackRun } from "./harness";
import { runStack } from "../tools/offline/run";
import { MOCK_ACCOUNT_ID } from "../tools/offline/mocks";
import { instanceRoleStatements } from "../Ecomm.Pulumi/web/instance-role";
import { webAclRules } from "../Ecomm.Pulumi/web/waf";
import { serviceTrustPolicy } from "../Ecomm.Pulumi/shared/iam";
import * as P from "../Ecomm.Policy/policies";
import type { PolicyResource } from "@pulumi/policy";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const PARAMETER = "aws:ssm/parameter:Parameter";
const BUCKET = "aws:s3/bucket:Bucket";

interface Statement {
    readonly Effect: string;
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Principal?: Record<string, string>;
    readonly Condition?: Record<string, Record<string, string>>;
}
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Managed policies that grant SSM parameter reads, per their published documents (AWS Managed Policy Reference). */
const MANAGED_PARAMETER_READS: Readonly<Record<string, Statement>> = {
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore": { Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParameters"], Resource: "*" },
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy": { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*" },
};

/** Does an IAM action pattern (`ssm:Get*`, `*`) cover `action`? */
function covers(pattern: string, action: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
    return re.test(action);
}

/** Every parameter resource pattern a role may read with GetParameter(s)/GetParametersByPath. */
function readableParameters(r: StackRun, role: RecordedResource): string[] {
    const statements: Statement[] = [
        ...ofType(r, ROLE_POLICY)
            .filter((p) => input(p, "role") === role.state.name)
            .flatMap((p) => jsonInput<{ Statement: Statement[] }>(p, "policy").Statement),
        ...ofType(r, ATTACHMENT)
            .filter((a) => input(a, "role") === role.state.name)
            .map((a) => MANAGED_PARAMETER_READS[String(input(a, "policyArn"))] ?? { Effect: "Allow", Action: "*", Resource: "*" }),
    ];
    const reads = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"];
    return statements
        .filter((s) => s.Effect === "Allow" && list(s.Action).some((a) => reads.some((read) => covers(a, read))))
        .flatMap((s) => list(s.Resource));
}

for (const stack of ["dev", "prod"] as const) {
    describe(`least privilege (${stack})`, () => {
        let r: StackRun;
        before(async () => {
            r = await runStack({ stack });
        });

        it("lets no instance role read a parameter its service does not need", () => {
            const frontend = one(r, ROLE, "web-frontend-role");
            const backend = one(r, ROLE, "web-backend-role");
            assert.deepEqual(readableParameters(r, frontend), [], "the frontend reads no parameter at all");
            const database = ofType(r, PARAMETER).map((p) => String(p.state.arn));
            assert.equal(database.length, 4);
            assert.deepEqual(readableParameters(r, backend).sort(), database.sort(), "the backend reads exactly the database's four parameters");
            for (const role of [frontend, backend]) {
                assert.deepEqual(ofType(r, ATTACHMENT).filter((a) => input(a, "role") === role.state.name).map((a) => input(a, "policyArn")), [], `${role.name}: no managed policy`);
            }
        });

        it("lets each instance role write only its own service's log groups", () => {
            for (const service of ["frontend", "backend"]) {
                const doc = jsonInput<{ Statement: Statement[] }>(one(r, ROLE_POLICY, `web-${service}-instance-policy`), "policy");
                const logs = doc.Statement.filter((s) => list(s.Action).some((a) => a.startsWith("logs:")));
                const resources = logs.flatMap((s) => list(s.Resource));
                assert.ok(resources.length > 0);
                for (const res of resources) assert.match(res, new RegExp(`:log-group:/ecomm/${stack}/${service}/`), res);
                // Nothing of the agent's managed policy beyond shipping: no group creation, no metrics, no parameters.
                const actions = doc.Statement.flatMap((s) => list(s.Action));
                for (const banned of ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "cloudwatch:PutMetricData", "ssm:GetParameter"]) assert.ok(!actions.includes(banned), banned);
                assert.ok(!actions.some((a) => a.includes("*")), "no wildcard action");
            }
        });

        it("conditions every service trust policy on this account and its own resources", () => {
            const region = "us-east-1";
            const expected: [string, string, string][] = [
                ["network-flow-logs-role", "vpc-flow-logs.amazonaws.com", `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:vpc-flow-log/*`],
                ...(stack === "prod" ? [["database-monitoring-role", "monitoring.rds.amazonaws.com", `arn:aws:rds:${region}:${MOCK_ACCOUNT_ID}:db:*`] as [string, string, string]] : []),
                ...ofType(r, ROLE)
                    .filter((x) => x.name.startsWith("resilience-"))
                    .map((x): [string, string, string] => [x.name, "fis.amazonaws.com", `arn:aws:fis:${region}:${MOCK_ACCOUNT_ID}:experiment/*`]),
            ];
            if (stack === "dev") assert.ok(expected.some(([n]) => n.startsWith("resilience-")), "dev has FIS roles to check");
            for (const [name, service, sourceArn] of expected) {
                const trust = jsonInput<{ Statement: Statement[] }>(one(r, ROLE, name), "assumeRolePolicy");
                assert.equal(trust.Statement.length, 1, name);
                assert.deepEqual(trust.Statement[0].Principal, { Service: service }, name);
                assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID }, ArnLike: { "aws:SourceArn": sourceArn } }, name);
            }
            // Every role assumed by an AWS service other than EC2 (instances have no source ARN) is covered.
            const serviceRoles = ofType(r, ROLE).filter((x) => {
                const t = jsonInput<{ Statement: Statement[] }>(x, "assumeRolePolicy");
                return t.Statement.some((s) => s.Principal?.Service !== "ec2.amazonaws.com");
            });
            assert.deepEqual(serviceRoles.map((x) => x.name).sort(), expected.map(([n]) => n).sort());
        });
    });
}

describe("the WAF", () => {
    it("counts the core rule set's 8 KB body limit instead of blocking carts and checkouts", async () => {
        const r = await runStack({ stack: "prod" });
        const rules = input<ReturnType<typeof webAclRules>>(one(r, "aws:wafv2/webAcl:WebAcl", "web-waf"), "rules");
        const crs = rules.find((x) => x.name === "AWSManagedRulesCommonRuleSet");
        assert.deepEqual(crs?.statement.managedRuleGroupStatement.ruleActionOverrides, [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
        assert.deepEqual(crs?.overrideAction, { none: {} }, "every other rule of the group still blocks");
        for (const x of rules.filter((y) => y !== crs)) assert.equal("ruleActionOverrides" in x.statement.managedRuleGroupStatement, false, x.name);
    });

    it("only counts, rule groups and all, in wafMode count", async () => {
        const r = await runStack({ stack: "prod", config: patched("prod", "ecomm:loadBalancer", { wafMode: "count" }) });
        const acl = one(r, "aws:wafv2/webAcl:WebAcl", "web-waf");
        const rules = input<ReturnType<typeof webAclRules>>(acl, "rules");
        assert.equal(rules.length, 3);
        for (const x of rules) assert.deepEqual(x.overrideAction, { count: {} }, x.name);
        assert.deepEqual(input(acl, "defaultAction"), { allow: {} });
    });

    it("refuses a bad wafMode, and count without a web ACL, naming the key", async () => {
        const bad = await refused("prod", patched("prod", "ecomm:loadBalancer", { wafMode: "monitor" }));
        assert.match(bad.message, /ecomm:loadBalancer\.wafMode = "monitor": must be one of: block \| count/);
        const pointless = await refused("dev", patched("dev", "ecomm:loadBalancer", { wafMode: "count" }));
        assert.match(pointless.message, /ecomm:loadBalancer\.wafMode = "count": has no effect without a web ACL/);
    });
});

describe("the ALB access-log bucket's own server access logs (FSBP S3.9)", () => {
    let r: StackRun;
    before(async () => {
        r = await runStack({ stack: "prod" });
    });

    it("go to a separate bucket, hardened like the first, that only S3 log delivery for that bucket may write", () => {
        const source = one(r, BUCKET, "web-alb-logs");
        const target = one(r, BUCKET, "web-alb-logs-access");
        const logging = one(r, "aws:s3/bucketLogging:BucketLogging", "web-alb-logs-logging");
        assert.deepEqual([input(logging, "bucket"), input(logging, "targetBucket"), input(logging, "targetPrefix")], [source.id, target.id, "s3-access/"]);
        assert.equal(input(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "web-alb-logs-access-ownership"), "rule") && input<{ objectOwnership: string }>(one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "web-alb-logs-access-ownership"), "rule").objectOwnership, "BucketOwnerEnforced");
        const block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "web-alb-logs-access-public-block");
        for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(input(block, k), true, k);
        assert.deepEqual(input(one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "web-alb-logs-access-encryption"), "rules"), [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        const policy = jsonInput<{ Statement: (Statement & { Sid: string })[] }>(one(r, "aws:s3/bucketPolicy:BucketPolicy", "web-alb-logs-access-policy"), "policy");
        assert.deepEqual(policy.Statement.map((s) => s.Sid), ["S3ServerAccessLogs", "DenyInsecureTransport"]);
        assert.deepEqual(policy.Statement[0], {
            Sid: "S3ServerAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${String(target.state.arn)}/s3-access/*`,
            Condition: { ArnLike: { "aws:SourceArn": source.state.arn }, StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
        });
        assert.ok(logging.dependencies.includes(one(r, "aws:s3/bucketPolicy:BucketPolicy", "web-alb-logs-access-policy").urn), "logging is switched on after the target may receive it");
    });

    it("is enforced by the policy pack, with the log target as its one reasoned exception", async () => {
        const res = (type: string, name: string, props: Record<string, unknown>) => ({ type, name, urn: `urn:${name}`, props }) as unknown as PolicyResource;
        const violations = async (resources: PolicyResource[]) => {
            const out: string[] = [];
            await P.bucketsLogAccess.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => undefined as never }, (m) => out.push(m));
            return out;
        };
        const a = res(BUCKET, "a", { bucket: "a" });
        const b = res(BUCKET, "b", { bucket: "b" });
        assert.deepEqual(await violations([a, b, res("aws:s3/bucketLogging:BucketLogging", "l", { bucket: "a", targetBucket: "b" })]), []);
        assert.deepEqual(await violations([a, b]), ["bucket a has no server access logging", "bucket b has no server access logging"]);
        assert.deepEqual(await violations([a, res("aws:s3/bucketLogging:BucketLogging", "l", { bucket: "a", targetBucket: "a" })]), ["bucket a logs its server access to itself"]);
    });
});

describe("policy builders", () => {
    it("instanceRoleStatements refuses anything but log group ARNs", () => {
        assert.throws(() => instanceRoleStatements([]), /needs the service's log group ARNs/);
        assert.throws(() => instanceRoleStatements(["*"]), /"\*" is not a log group ARN/);
    });

    it("serviceTrustPolicy renders both confused-deputy conditions", () => {
        assert.deepEqual(JSON.parse(serviceTrustPolicy("x.amazonaws.com", { accountId: "111122223333", sourceArn: "arn:aws:x:us-east-1:111122223333:thing/*" })), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "x.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": "111122223333" }, ArnLike: { "aws:SourceArn": "arn:aws:x:us-east-1:111122223333:thing/*" } },
                },
            ],
        });
    });
});
