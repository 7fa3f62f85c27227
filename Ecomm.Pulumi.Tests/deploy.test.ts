import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { DEFAULT_PATHS, DeployConfigError, parseDeployConfig } from "../deploy/config";
import { goDuration, sessionName } from "../deploy/settings";
import { POLICY_PACK_NAME, policyPackConfigFor } from "../Ecomm.Policy/pack";
import { DEPLOY_ROOT, DeployRunError, runDeploy, type DeployResource, type DeployRun } from "./deploy-harness";
import { readStackConfig } from "../tools/offline/run";

const SETTINGS = "pulumiservice:index:DeploymentSettings";
const POLICY_GROUP = "pulumiservice:index:PolicyGroup";
const STACK = "pulumiservice:index:Stack";
const policyPackVersion = (JSON.parse(fs.readFileSync(path.join(DEPLOY_ROOT, "..", "Ecomm.Policy", "package.json"), "utf8")) as { version: string }).version;

/** The stack file as written, so the tests check the program passes the file's values through. */
interface StackEntry {
    branch: string;
    roleArn: string;
}
const stackFile = parseYaml(fs.readFileSync(path.join(DEPLOY_ROOT, "Pulumi.main.yaml"), "utf8")) as {
    config: {
        "ecomm-deploy:stacks": { dev: StackEntry; prod: StackEntry };
        "ecomm-deploy:githubRepository": string;
        "ecomm-deploy:policyPack": { name: string; versionTag: string; mode: string };
    };
};
const fileStacks = stackFile.config["ecomm-deploy:stacks"];
const rawMain = () => readStackConfig("main", DEPLOY_ROOT).config;

interface Settings {
    organization: string;
    project: string;
    stack: string;
    sourceContext: { git: { branch: string; repoDir: string; repoUrl?: string } };
    github: { repository: string; deployCommits: boolean; previewPullRequests: boolean; pullRequestTemplate: boolean; paths: string[] };
    operationContext: {
        preRunCommands: string[];
        environmentVariables?: Record<string, string>;
        options: { skipInstallDependencies: boolean; skipIntermediateDeployments: boolean };
        oidc: { aws: { roleARN: string; sessionName: string; duration: string } };
    };
    cacheOptions: { enable: boolean };
}

function settingsOf(run: DeployRun, stack: string): Settings {
    const found = run.resources.filter((r) => r.type === SETTINGS && r.inputs.stack === stack);
    assert.equal(found.length, 1, `expected one DeploymentSettings for ${stack}, found ${found.length}`);
    return found[0].inputs as unknown as Settings;
}

const EXPECTED_PATHS = ["Ecomm.Pulumi/**", "storefront/**", "Pulumi*.yaml", "package*.json", "tsconfig.json", "!docs/**", "!**/*.md"];

describe("deployment settings from deploy/Pulumi.main.yaml", () => {
    let run: DeployRun;
    it("creates both ecomm stacks, then one DeploymentSettings and one policy group per stack", async () => {
        run = await runDeploy();
        assert.deepEqual(
            run.resources.map((r) => `${r.type} ${r.name}`).sort(),
            [`${SETTINGS} ecomm-dev`, `${SETTINGS} ecomm-prod`, `${POLICY_GROUP} ecomm-dev-policy`, `${POLICY_GROUP} ecomm-prod-policy`, `${STACK} ecomm-dev-stack`, `${STACK} ecomm-prod-stack`],
        );
        assert.deepEqual(run.outputs.stacks, ["acme/ecomm/dev", "acme/ecomm/prod"]);
        assert.deepEqual(run.outputs.deploymentSettings, ["acme/ecomm/dev", "acme/ecomm/prod"]);
        assert.deepEqual(run.outputs.branches, { dev: "main", prod: "release" });
        assert.equal(run.outputs.repository, "https://github.com/acme/ecomm.git");
        assert.deepEqual(run.outputs.policyGroups, ["ecomm-dev", "ecomm-prod"]);
    });

    it("the stacks exist on a fresh organisation and survive destroying the deploy project", () => {
        const stacks = run.resources.filter((r) => r.type === STACK);
        assert.deepEqual(stacks.map((r) => r.inputs), [
            { organizationName: "acme", projectName: "ecomm", stackName: "dev", forceDestroy: false },
            { organizationName: "acme", projectName: "ecomm", stackName: "prod", forceDestroy: false },
        ]);
        for (const r of stacks) assert.deepEqual(r.options, { retainOnDelete: true, protect: undefined }, r.name);
        // Settings and groups take the stack's names from the stack resources' outputs, so they register after them.
        const order = run.resources.map((r) => r.name);
        for (const later of ["ecomm-dev", "ecomm-prod", "ecomm-dev-policy", "ecomm-prod-policy"]) {
            assert.ok(order.indexOf("ecomm-dev-stack") < order.indexOf(later) && order.indexOf("ecomm-prod-stack") < order.indexOf(later), `${later} after the stacks`);
        }
    });

    it("dev deploys main on push (as refs/heads/main, the provider's form); pull requests are not previewed by Deployments", () => {
        const dev = settingsOf(run, "dev");
        assert.equal(dev.organization, "acme");
        assert.equal(dev.project, "ecomm");
        assert.deepEqual(dev.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
        assert.equal(dev.sourceContext.git.branch, `refs/heads/${fileStacks.dev.branch}`);
        assert.deepEqual(dev.github, {
            repository: "acme/ecomm",
            deployCommits: true,
            previewPullRequests: false,
            pullRequestTemplate: false,
            paths: EXPECTED_PATHS,
        });
    });

    it("prod deploys release on push; its pull requests are previewed by GitHub Actions only", () => {
        const prod = settingsOf(run, "prod");
        assert.deepEqual(prod.sourceContext, { git: { branch: "refs/heads/release", repoDir: "." } });
        assert.equal(prod.sourceContext.git.branch, `refs/heads/${fileStacks.prod.branch}`);
        assert.equal(prod.github.deployCommits, true);
        assert.equal(prod.github.previewPullRequests, false);
        assert.equal(prod.github.repository, stackFile.config["ecomm-deploy:githubRepository"]);
        assert.deepEqual(prod.github.paths, EXPECTED_PATHS);
    });

    it("installs exactly the lockfile with npm ci and skips the service's own install", () => {
        for (const stack of ["dev", "prod"]) {
            const s = settingsOf(run, stack);
            assert.deepEqual(s.operationContext.preRunCommands, ["npm ci"]);
            assert.deepEqual(s.operationContext.options, { skipInstallDependencies: true, skipIntermediateDeployments: true });
            assert.deepEqual(s.cacheOptions, { enable: true });
        }
    });

    it("assumes each stack's own role from config through OIDC", () => {
        assert.deepEqual(settingsOf(run, "dev").operationContext.oidc, {
            aws: { roleARN: "arn:aws:iam::111111111111:role/ecomm-deploy-dev", sessionName: "pulumi-deployments-ecomm-dev", duration: "1h0m0s" },
        });
        assert.deepEqual(settingsOf(run, "prod").operationContext.oidc, {
            aws: { roleARN: "arn:aws:iam::222222222222:role/ecomm-deploy-prod", sessionName: "pulumi-deployments-ecomm-prod", duration: "1h0m0s" },
        });
        assert.equal(settingsOf(run, "dev").operationContext.oidc.aws.roleARN, fileStacks.dev.roleArn);
        assert.equal(settingsOf(run, "prod").operationContext.oidc.aws.roleARN, fileStacks.prod.roleArn);
    });

    it("passes no environment variables and nothing that looks like a static AWS key", () => {
        for (const r of run.resources.filter((x) => x.type === SETTINGS)) {
            const ctx = r.inputs.operationContext as Settings["operationContext"];
            assert.equal(ctx.environmentVariables, undefined, `${r.name} sets environment variables`);
            const text = JSON.stringify(r.inputs);
            assert.doesNotMatch(text, /AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}/, r.name);
        }
    });
});

describe("path filters", () => {
    // The service's rule: a changed file counts when it matches an include and no exclude; a push deploys
    // when at least one changed file counts.
    const counts = (file: string, paths: readonly string[]) =>
        paths.some((p) => !p.startsWith("!") && path.matchesGlob(file, p)) &&
        !paths.some((p) => p.startsWith("!") && path.matchesGlob(file, p.slice(1)));
    const deploys = (changed: string[], paths: readonly string[] = DEFAULT_PATHS) => changed.some((f) => counts(f, paths));

    it("the defaults are the documented list", () => assert.deepEqual(DEFAULT_PATHS, EXPECTED_PATHS));
    it("program, stack files and dependencies deploy", () => {
        for (const f of ["Ecomm.Pulumi/stack.ts", "Ecomm.Pulumi/config.ts", "Pulumi.yaml", "Pulumi.prod.yaml", "package.json", "package-lock.json", "tsconfig.json"]) {
            assert.equal(deploys([f]), true, f);
        }
    });
    it("a change to the app the program ships deploys (a new build is a new artifact and launch template)", () => {
        for (const f of ["storefront/backend/shop.ts", "storefront/frontend/app.js", "storefront/build.ts", "storefront/package.json"]) assert.equal(deploys([f]), true, f);
        assert.equal(deploys(["storefront/README.md"]), false);
    });
    it("changes to the tools beside the program (offline runner, plan, gameday) do not deploy", () => {
        assert.equal(deploys(["tools/offline/mocks.ts", "tools/plan/cli.ts", "tools/gameday/session.ts"]), false);
    });
    it("docs-only changes do not deploy", () => {
        assert.equal(deploys(["README.md", "docs/delivery.md", "docs/esc/ecomm-dev.yaml", "Ecomm.Pulumi/NOTES.md"]), false);
    });
    it("tests, CI, the deploy project and the workflows do not redeploy the ecomm stacks", () => {
        assert.equal(deploys(["Ecomm.Pulumi.Tests/deploy.test.ts", ".github/workflows/ci.yml", "deploy/Pulumi.main.yaml", "deploy/index.ts"]), false);
    });
    it("a docs change alongside a program change deploys", () => {
        assert.equal(deploys(["docs/delivery.md", "Ecomm.Pulumi/stack.ts"]), true);
    });
});

describe("policy pack", () => {
    const groupsOf = (run: DeployRun): DeployResource[] => run.resources.filter((r) => r.type === POLICY_GROUP);

    it("the pack the groups enforce is the one Ecomm.Policy publishes, at the version in its package.json", () => {
        const pack = stackFile.config["ecomm-deploy:policyPack"];
        assert.equal(pack.name, POLICY_PACK_NAME);
        assert.equal(pack.versionTag, policyPackVersion, "after a version bump, publish it and set this tag (docs/delivery.md)");
    });

    it("each stack has its own preventative group whose pack entry carries that stack's config", async () => {
        const run = await runDeploy();
        assert.deepEqual(groupsOf(run).map((g) => g.inputs), [
            {
                name: "ecomm-dev",
                organizationName: "acme",
                entityType: "stacks",
                mode: "preventative",
                policyPacks: [{ name: "ecomm-policy", versionTag: policyPackVersion, config: policyPackConfigFor("dev") }],
                stacks: [{ name: "dev", routingProject: "ecomm" }],
            },
            {
                name: "ecomm-prod",
                organizationName: "acme",
                entityType: "stacks",
                mode: "preventative",
                policyPacks: [{ name: "ecomm-policy", versionTag: policyPackVersion, config: { all: "mandatory" } }],
                stacks: [{ name: "prod", routingProject: "ecomm" }],
            },
        ]);
        const dev = groupsOf(run)[0].inputs.policyPacks as { config: Record<string, string> }[];
        assert.equal(dev[0].config["rds-5-multi-az"], "advisory");
        assert.equal(dev[0].config.all, "mandatory");
    });

    it("audit mode and the latest version when no tag is given; the name defaults to the published one", async () => {
        const run = await runDeploy({ "ecomm-deploy:policyPack": { mode: "audit" } });
        for (const g of groupsOf(run)) {
            assert.equal(g.inputs.mode, "audit");
            assert.deepEqual((g.inputs.policyPacks as { name: string; versionTag?: string }[]).map((p) => [p.name, p.versionTag]), [[POLICY_PACK_NAME, undefined]]);
        }
    });

    it("no pack configured: no policy group", async () => {
        const run = await runDeploy({ "ecomm-deploy:policyPack": undefined });
        assert.deepEqual(groupsOf(run), []);
        assert.equal("policyGroups" in run.outputs, false);
    });
});

describe("config overrides", () => {
    it("session duration and per-stack triggers come from config", async () => {
        const stacks = {
            dev: { ...fileStacks.dev, sessionDurationMinutes: 90 },
            prod: { ...fileStacks.prod, sessionDurationMinutes: 45, deployCommits: false },
        };
        const run = await runDeploy({ "ecomm-deploy:stacks": stacks, "ecomm-deploy:paths": ["infra/**", "!infra/docs/**"], "ecomm-deploy:repoDir": "infra" });
        assert.equal(settingsOf(run, "dev").operationContext.oidc.aws.duration, "1h30m0s");
        assert.equal(settingsOf(run, "prod").operationContext.oidc.aws.duration, "45m0s");
        assert.equal(settingsOf(run, "prod").github.deployCommits, false);
        assert.equal(settingsOf(run, "prod").github.previewPullRequests, false);
        assert.deepEqual(settingsOf(run, "dev").github.paths, ["infra/**", "!infra/docs/**"]);
        assert.equal(settingsOf(run, "dev").sourceContext.git.repoDir, "infra");
    });

    it("durations and session names are formatted as the service and AWS expect", () => {
        assert.deepEqual([15, 45, 60, 61, 120, 720].map(goDuration), ["15m0s", "45m0s", "1h0m0s", "1h1m0s", "2h0m0s", "12h0m0s"]);
        assert.equal(sessionName("ecomm", "prod"), "pulumi-deployments-ecomm-prod");
        assert.ok(sessionName("x".repeat(60), "prod").length <= 64);
    });

    it("defaults: project ecomm, repoDir ., the default paths, one-hour sessions, both triggers on", () => {
        const c = parseDeployConfig(rawMain());
        assert.equal(c.project, "ecomm");
        assert.equal(c.repoDir, ".");
        assert.deepEqual(c.paths, EXPECTED_PATHS);
        assert.deepEqual(c.stacks.dev, { branch: "main", roleArn: fileStacks.dev.roleArn, sessionDurationMinutes: 60, deployCommits: true, previewPullRequests: false });
        assert.deepEqual(c.policyPack, { name: POLICY_PACK_NAME, versionTag: policyPackVersion, mode: "preventative" });
    });
});

describe("bad deploy config is refused before any resource registers, naming the key", () => {
    const stacks = (patch: { dev?: Record<string, unknown>; prod?: Record<string, unknown>; [k: string]: unknown }) => ({
        "ecomm-deploy:stacks": { ...patch, dev: { ...fileStacks.dev, ...patch.dev }, prod: { ...fileStacks.prod, ...patch.prod } },
    });
    const cases: [string, Record<string, unknown>, string, string][] = [
        ["repository without owner", { "ecomm-deploy:githubRepository": "ecomm" }, "ecomm-deploy:githubRepository", '"ecomm"'],
        ["repository as a URL", { "ecomm-deploy:githubRepository": "https://github.com/acme/ecomm" }, "ecomm-deploy:githubRepository", "owner/repo"],
        ["organisation missing", { "ecomm-deploy:organization": undefined }, "ecomm-deploy:organization", "(not set)"],
        ["prod role not an IAM role ARN", stacks({ prod: { roleArn: "arn:aws:iam::222222222222:user/deployer" } }), "ecomm-deploy:stacks.prod.roleArn", "IAM role ARN"],
        ["dev role missing", stacks({ dev: { roleArn: undefined } }), "ecomm-deploy:stacks.dev.roleArn", "(not set)"],
        ["prod on the same branch as dev", stacks({ prod: { branch: "main" } }), "ecomm-deploy:stacks.prod.branch", "must differ from stacks.dev.branch"],
        ["prod with dev's role", stacks({ prod: { roleArn: fileStacks.dev.roleArn } }), "ecomm-deploy:stacks.prod.roleArn", "must differ from stacks.dev.roleArn"],
        ["branch with ..", stacks({ dev: { branch: "feature..x" } }), "ecomm-deploy:stacks.dev.branch", "git branch name"],
        ["session too long", stacks({ dev: { sessionDurationMinutes: 721 } }), "ecomm-deploy:stacks.dev.sessionDurationMinutes", "from 15 to 720"],
        ["unknown stack", stacks({ staging: { branch: "staging" } }), "ecomm-deploy:stacks.staging", "allowed keys: dev, prod"],
        ["static keys asked for", { "ecomm-deploy:environmentVariables": { AWS_SECRET_ACCESS_KEY: "x" } }, "ecomm-deploy:environmentVariables", "unknown key"],
        ["only exclude paths", { "ecomm-deploy:paths": ["!docs/**"] }, "ecomm-deploy:paths", "at least one include pattern"],
        ["absolute path filter", { "ecomm-deploy:paths": ["/Ecomm.Pulumi/**"] }, "ecomm-deploy:paths[0]", "relative glob"],
        ["repoDir escaping the repository", { "ecomm-deploy:repoDir": "../other" }, "ecomm-deploy:repoDir", "relative directory"],
        ["policy mode", { "ecomm-deploy:policyPack": { name: "ecomm-policy", mode: "strict" } }, "ecomm-deploy:policyPack.mode", "audit | preventative"],
        ["a pack name Ecomm.Policy does not publish", { "ecomm-deploy:policyPack": { name: "ecomm" } }, "ecomm-deploy:policyPack.name", "must be ecomm-policy, the name Ecomm.Policy publishes under"],
        ["Deployments previews of pull requests (PR code on the write role)", stacks({ prod: { previewPullRequests: true } }), "ecomm-deploy:stacks.prod.previewPullRequests", "must be false"],
    ];
    for (const [what, overrides, key, hint] of cases) {
        it(what, async () => {
            try {
                await runDeploy(overrides);
            } catch (err) {
                assert.ok(err instanceof DeployRunError, String(err));
                assert.deepEqual(err.resources.map((r) => `${r.type} ${r.name}`), [], "nothing may register before config is validated");
                const line = err.message.split("\n").find((l) => l.includes(`- ${key} = `));
                assert.ok(line, `no problem line for ${key} in:\n${err.message}`);
                assert.ok(line.includes(hint), `${line} should say ${hint}`);
                return;
            }
            assert.fail(`${what}: should have been refused`);
        });
    }

    it("every problem is reported at once", () => {
        const raw = { ...rawMain(), "ecomm-deploy:githubRepository": "nope", "ecomm-deploy:organization": "-bad", "ecomm-deploy:typo": "x" };
        try {
            parseDeployConfig(raw);
        } catch (err) {
            assert.ok(err instanceof DeployConfigError);
            assert.deepEqual(err.problems.map((p) => p.key).sort(), ["ecomm-deploy:githubRepository", "ecomm-deploy:organization", "ecomm-deploy:typo"]);
            assert.match(err.message, /^Invalid ecomm-deploy configuration \(3 problems\):/);
            return;
        }
        assert.fail("should have been refused");
    });

    it("a stacks value that is not YAML structure is named", () => {
        assert.throws(() => parseDeployConfig({ ...rawMain(), "ecomm-deploy:stacks": "dev" }), (err: unknown) => {
            assert.ok(err instanceof DeployConfigError);
            assert.deepEqual(err.problems.map((p) => p.key), ["ecomm-deploy:stacks"]);
            return true;
        });
    });
});

describe("dependencies", () => {
    it("@pulumi/pulumiservice loads the project's single @pulumi/pulumi 3.248 (mocks set on one copy are invisible to another)", () => {
        const serviceDir = path.dirname(require.resolve("@pulumi/pulumiservice"));
        const fromService = require.resolve("@pulumi/pulumi", { paths: [serviceDir] });
        assert.equal(fromService, require.resolve("@pulumi/pulumi"));
        const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(fromService), "package.json"), "utf8")) as { version: string }).version;
        assert.equal(version, "3.248.0");
    });
});
