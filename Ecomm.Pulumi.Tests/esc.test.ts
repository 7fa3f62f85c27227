import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { PROJECT_ROOT, readStackConfig } from "../Ecomm.Pulumi/engine/run";
import { parseStackConfig } from "../Ecomm.Pulumi/config";
import { parseDeployConfig } from "../deploy/config";
import { DEPLOY_ROOT } from "./deploy-harness";

interface EscEnvironment {
    values: {
        aws: { login: { "fn::open::aws-login": { oidc?: { roleArn: string; sessionName: string; duration: string }; static?: unknown } } };
        environmentVariables: Record<string, string>;
        pulumiConfig: Record<string, unknown>;
    };
}

const file = path.join(PROJECT_ROOT, "docs", "esc", "ecomm-dev.yaml");
const env = parseYaml(fs.readFileSync(file, "utf8")) as EscEnvironment;

describe("docs/esc/ecomm-dev.yaml (example ESC environment)", () => {
    it("logs in to AWS through OIDC only, with dev's deployment role", () => {
        const login = env.values.aws.login["fn::open::aws-login"];
        assert.equal(login.static, undefined, "no static credentials");
        const deploy = parseDeployConfig(readStackConfig("main", DEPLOY_ROOT).config);
        assert.deepEqual(login.oidc, { roleArn: deploy.stacks.dev.roleArn, sessionName: "pulumi-esc-ecomm-dev", duration: "1h" });
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
