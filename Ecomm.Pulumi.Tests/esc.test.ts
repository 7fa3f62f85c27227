import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { PROJECT_ROOT, readStackConfig } from "../tools/offline/run";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { parseDeployConfig } from "../deploy/config";
import { DEPLOY_ROOT } from "./deploy-harness";
import { escAudience, escEnvironment, escSubject, roleArn, trustPolicy } from "../deploy/iam";

interface EscEnvironment {
    values: {
        aws: { login: { "fn::open::aws-login": { oidc?: { roleArn: string; sessionName: string; duration: string; subjectAttributes?: string[] }; static?: unknown } } };
        environmentVariables: Record<string, string>;
        pulumiConfig: Record<string, unknown>;
    };
}

const file = path.join(PROJECT_ROOT, "docs", "esc", "ecomm-dev.yaml");
const env = parseYaml(fs.readFileSync(file, "utf8")) as EscEnvironment;

describe("docs/esc/ecomm-dev.yaml (example ESC environment)", () => {
    const deploy = parseDeployConfig(readStackConfig("main", DEPLOY_ROOT).config);

    it("logs in to AWS through OIDC only, with dev's ESC role (not the Deployments role, which trusts only update)", () => {
        const login = env.values.aws.login["fn::open::aws-login"];
        assert.equal(login.static, undefined, "no static credentials");
        assert.deepEqual(login.oidc, { roleArn: roleArn(deploy, "esc", "dev"), sessionName: "pulumi-esc-ecomm-dev", duration: "1h", subjectAttributes: ["currentEnvironment.name"] });
        assert.notEqual(login.oidc?.roleArn, deploy.stacks.dev.roleArn);
    });

    it("the ESC role's trust names the audience and subject ESC's token carries for this environment", () => {
        // The environment's name as the docs create it (`pulumi env init <org>/ecomm/dev`), and the subject ESC
        // builds from subjectAttributes: the fixed prefix, then `:<attribute>:<value>` per attribute, in order.
        const init = /pulumi env init <org>\/([\w-]+\/[\w-]+) --file docs\/esc\/ecomm-dev\.yaml/.exec(fs.readFileSync(path.join(PROJECT_ROOT, "docs", "delivery.md"), "utf8"));
        assert.ok(init, "docs/delivery.md creates the environment with pulumi env init <org>/<project>/<env>");
        assert.equal(init[1], escEnvironment(deploy, "dev"));
        const values: Record<string, string> = { "currentEnvironment.name": init[1], "pulumi.organization.login": deploy.organization };
        const attrs = env.values.aws.login["fn::open::aws-login"].oidc?.subjectAttributes ?? [];
        const subject = `pulumi:environments:pulumi.organization.login:${deploy.organization}${attrs.map((a) => `:${a}:${values[a]}`).join("")}`;
        assert.equal(subject, escSubject(deploy, "dev"));
        const condition = trustPolicy(deploy, "esc", "dev").Statement[0].Condition.StringEquals;
        assert.deepEqual(condition, { "api.pulumi.com/oidc:aud": "aws:acme", "api.pulumi.com/oidc:sub": subject });
        assert.equal(escAudience(deploy), "aws:acme");
    });

    it("exports only the session's temporary credentials", () => {
        assert.deepEqual(env.values.environmentVariables, {
            AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
            AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
            AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
        });
    });

    it("its pulumiConfig passes the program's strict config schema on top of Pulumi.dev.yaml", () => {
        const raw = readStackConfig("dev").config;
        const fromEnv = Object.fromEntries(
            Object.entries(env.values.pulumiConfig).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        // In Pulumi the stack file wins over the environment; here the environment's values are laid on top
        // so that each of them is validated even where the stack file also sets the key.
        const config = parseStackConfig({ ...raw, ...fromEnv });
        assert.deepEqual(config.tags, { CostCenter: "shop-dev", Owner: "platform-team" });
        assert.equal(fromEnv["aws:region"], "us-east-1");
    });
});
