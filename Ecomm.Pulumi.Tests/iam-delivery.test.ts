import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PROJECT_ROOT, readStackConfig } from "../tools/offline/run";
import { parseDeployConfig } from "../deploy/config";
import {
    DEPLOYMENT_OPERATIONS,
    deploymentSubject,
    escAudience,
    escSubject,
    GITHUB_AUDIENCE,
    GITHUB_OIDC,
    previewPermissionPolicy,
    PULUMI_OIDC,
    roleArn,
    trustPolicy,
    type TrustPolicy,
} from "../deploy/iam";
import { DEPLOY_ROOT, iamCli } from "./deploy-harness";

const config = parseDeployConfig(readStackConfig("main", DEPLOY_ROOT).config);

/** An OIDC token as AWS STS sees it: which provider issued it (the issuer host), its `aud` and `sub`. */
interface Token {
    readonly issuer: string;
    readonly aud: string;
    readonly sub: string;
}

/**
 * IAM's evaluation of a web-identity trust policy, for the operators used here: a statement applies when
 * its federated principal is the token's provider and every condition key matches (keys AND, values of
 * one key OR); `<issuer>:aud` and `<issuer>:sub` are the only keys a web-identity request carries.
 */
function trustAllows(policy: TrustPolicy, account: string, token: Token): boolean {
    return policy.Statement.some((st) => {
        if (st.Effect !== "Allow" || st.Action !== "sts:AssumeRoleWithWebIdentity") return false;
        if (st.Principal.Federated !== `arn:aws:iam::${account}:oidc-provider/${token.issuer}`) return false;
        const ops = Object.entries(st.Condition) as [string, Record<string, string | readonly string[]>][];
        return ops.every(([op, keys]) => {
            assert.equal(op, "StringEquals", `the evaluator models StringEquals only, the policy uses ${op}`);
            return Object.entries(keys).every(([key, values]) => {
                const list = typeof values === "string" ? [values] : values;
                const claim = key === `${token.issuer}:aud` ? token.aud : key === `${token.issuer}:sub` ? token.sub : undefined;
                return claim !== undefined && list.includes(claim);
            });
        });
    });
}

const ACCOUNT = { dev: "111111111111", prod: "222222222222" } as const;
const deployToken = (stack: string, operation: (typeof DEPLOYMENT_OPERATIONS)[number]): Token => ({ issuer: PULUMI_OIDC, aud: config.organization, sub: deploymentSubject(config, stack, operation) });
const githubToken = (sub: string): Token => ({ issuer: GITHUB_OIDC, aud: GITHUB_AUDIENCE, sub: `repo:${config.githubRepository}:${sub}` });

describe("the deployment (write) role trusts only Pulumi Deployments' update of its own stack", () => {
    for (const stack of ["dev", "prod"] as const) {
        const policy = trustPolicy(config, "deploy", stack);
        it(`${stack}: update is allowed`, () => {
            assert.equal(trustAllows(policy, ACCOUNT[stack], deployToken(stack, "update")), true);
        });
        it(`${stack}: preview, refresh and destroy are refused (their tokens also say scope:write)`, () => {
            for (const op of ["preview", "refresh", "destroy"] as const) assert.equal(trustAllows(policy, ACCOUNT[stack], deployToken(stack, op)), false, op);
        });
        it(`${stack}: the other stack, another organisation, GitHub and ESC tokens are refused`, () => {
            const other = stack === "dev" ? "prod" : "dev";
            assert.equal(trustAllows(policy, ACCOUNT[stack], deployToken(other, "update")), false);
            assert.equal(trustAllows(policy, ACCOUNT[stack], { ...deployToken(stack, "update"), aud: "evil" }), false);
            assert.equal(trustAllows(policy, ACCOUNT[stack], githubToken("ref:refs/heads/main")), false);
            assert.equal(trustAllows(policy, ACCOUNT[stack], { issuer: PULUMI_OIDC, aud: escAudience(config), sub: escSubject(config, stack) }), false);
        });
        it(`${stack}: exact subjects only (no wildcard an attacker could fill)`, () => {
            assert.doesNotMatch(JSON.stringify(policy), /[*?]/);
            assert.deepEqual(policy.Statement[0].Condition.StringEquals, {
                "api.pulumi.com/oidc:aud": "acme",
                "api.pulumi.com/oidc:sub": `pulumi:deploy:org:acme:project:ecomm:stack:${stack}:operation:update:scope:write`,
            });
        });
    }
});

describe("the preview role trusts GitHub Actions on pull requests and the protected branches, and can change nothing", () => {
    for (const stack of ["dev", "prod"] as const) {
        const policy = trustPolicy(config, "preview", stack);
        it(`${stack}: pull requests, main and release are allowed`, () => {
            for (const sub of ["pull_request", "ref:refs/heads/main", "ref:refs/heads/release"]) assert.equal(trustAllows(policy, ACCOUNT[stack], githubToken(sub)), true, sub);
            assert.deepEqual(policy.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
                "repo:acme/ecomm:pull_request",
                "repo:acme/ecomm:ref:refs/heads/main",
                "repo:acme/ecomm:ref:refs/heads/release",
            ]);
        });
        it(`${stack}: other branches, environments, other repositories, other audiences and Pulumi tokens are refused`, () => {
            for (const sub of ["ref:refs/heads/feature/x", "ref:refs/tags/v1", "environment:prod"]) assert.equal(trustAllows(policy, ACCOUNT[stack], githubToken(sub)), false, sub);
            assert.equal(trustAllows(policy, ACCOUNT[stack], { issuer: GITHUB_OIDC, aud: GITHUB_AUDIENCE, sub: "repo:evil/ecomm:pull_request" }), false);
            assert.equal(trustAllows(policy, ACCOUNT[stack], { ...githubToken("pull_request"), aud: "https://github.com/acme" }), false);
            for (const op of DEPLOYMENT_OPERATIONS) assert.equal(trustAllows(policy, ACCOUNT[stack], deployToken(stack, op)), false, op);
        });
        it(`${stack}: its permission policy allows no write action and no data or secret read`, () => {
            const doc = JSON.parse(previewPermissionPolicy(config, stack)) as { Statement: { Effect: string; Action: string[]; Resource: string }[] };
            const actions = doc.Statement.flatMap((s) => {
                assert.equal(s.Effect, "Allow");
                return s.Action;
            });
            assert.ok(actions.length > 20);
            for (const a of actions) {
                // service:Verb…, where the verb is a read verb; no bare `*`, no `service:*`, no wildcard before the verb.
                assert.match(a, /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z0-9]*\*?$/, a);
            }
            for (const forbidden of ["s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt", "ssm:GetParameters", "iam:PassRole", "sts:AssumeRole"]) {
                const covered = actions.some((a) => new RegExp(`^${a.replace(/\*/g, ".*")}$`).test(forbidden));
                assert.equal(covered, false, `${forbidden} must not be allowed`);
            }
            // The one parameter read is AWS's public parameters (the AMI id), nothing of ecomm's.
            const ssm = doc.Statement.find((s) => s.Action.includes("ssm:GetParameter"));
            assert.equal(ssm?.Resource, "arn:aws:ssm:*::parameter/aws/service/*");
        });
    }
});

describe("the ESC role trusts ESC's aws-login token for the ecomm/dev environment", () => {
    const policy = trustPolicy(config, "esc", "dev");
    it("audience aws:<org> and subject with currentEnvironment.name", () => {
        assert.equal(trustAllows(policy, ACCOUNT.dev, { issuer: PULUMI_OIDC, aud: "aws:acme", sub: "pulumi:environments:pulumi.organization.login:acme:currentEnvironment.name:ecomm/dev" }), true);
    });
    it("refuses ESC's default subject, another environment, and Deployments' audience", () => {
        for (const sub of ["pulumi:environments:org:acme:env:ecomm/dev", "pulumi:environments:org:acme:env:<yaml>", "pulumi:environments:pulumi.organization.login:acme:currentEnvironment.name:ecomm/prod"]) {
            assert.equal(trustAllows(policy, ACCOUNT.dev, { issuer: PULUMI_OIDC, aud: "aws:acme", sub }), false, sub);
        }
        assert.equal(trustAllows(policy, ACCOUNT.dev, { issuer: PULUMI_OIDC, aud: "acme", sub: escSubject(config, "dev") }), false);
        assert.equal(trustAllows(policy, ACCOUNT.dev, deployToken("dev", "update")), false);
    });
});

describe("role ARNs: every role of a stack lives in that stack's account", () => {
    it("names follow the deploy role's account and the project", () => {
        assert.equal(roleArn(config, "deploy", "prod"), "arn:aws:iam::222222222222:role/ecomm-deploy-prod");
        assert.equal(roleArn(config, "preview", "prod"), "arn:aws:iam::222222222222:role/ecomm-preview-prod");
        assert.equal(roleArn(config, "esc", "dev"), "arn:aws:iam::111111111111:role/ecomm-esc-dev");
    });
});

describe("deploy/iam-cli.ts, as docs/delivery.md runs it", () => {
    // The command in-process; the script itself is spawned once (the role ARN below), as docs/delivery.md runs it.
    const cli = (...args: string[]) => iamCli(args);
    const spawned = (...args: string[]) => spawnSync(process.execPath, ["scripts/run-ts.cjs", "deploy/iam-cli.ts", ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
    it("prints each trust policy exactly as the builder renders it", () => {
        for (const kind of ["deploy", "preview", "esc"] as const) {
            for (const stack of ["dev", "prod"] as const) {
                const r = cli("trust", kind, stack);
                assert.equal(r.status, 0, r.stderr);
                assert.deepEqual(JSON.parse(r.stdout), trustPolicy(config, kind, stack));
            }
        }
    });
    it("prints the preview permission policy and role ARNs", () => {
        const p = cli("permissions", "preview", "dev");
        assert.equal(p.status, 0, p.stderr);
        assert.deepEqual(JSON.parse(p.stdout), JSON.parse(previewPermissionPolicy(config, "dev")));
        const a = spawned("arn", "preview", "prod");
        assert.equal(a.status, 0, a.stderr);
        assert.equal(a.stdout.trim(), "arn:aws:iam::222222222222:role/ecomm-preview-prod");
    });
    it("refuses bad arguments with the usage and exit code 2", () => {
        for (const args of [["trust", "admin", "dev"], ["trust", "deploy", "staging"], ["permissions", "deploy", "dev"], []]) {
            const r = cli(...args);
            assert.equal(r.status, 2, args.join(" "));
            assert.match(r.stderr, /^usage: iam-cli\.ts trust/);
        }
    });
});
