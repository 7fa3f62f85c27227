/**
 * docs/delivery.md is a procedure: its set-up steps are numbered, each has its command, they come in an
 * order that works on a fresh organisation, the commands that print IAM documents run, and the documents
 * shown are the ones the builders render.
 */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { readStackConfig } from "../tools/offline/run";
import { parseDeployConfig } from "../deploy/config";
import { ROLE_KINDS, trustPolicy, type RoleKind } from "../deploy/iam";
import { DEPLOY_ROOT, iamCli } from "./deploy-harness";
import { DELIVERY_DOC, docPolicyCommands } from "./policy-paths";

const doc = fs.readFileSync(DELIVERY_DOC, "utf8");
const config = parseDeployConfig(readStackConfig("main", DEPLOY_ROOT).config);

/** The numbered steps of "Setting up a new organisation": number and text up to the next step or section. */
function setupSteps(): { n: number; text: string }[] {
    const start = doc.indexOf("## Setting up a new organisation");
    assert.ok(start >= 0, "the set-up section exists");
    const end = doc.indexOf("\n## ", start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const parts = section.split(/\n(?=\d+\. \*\*)/).slice(1);
    return parts.map((p) => ({ n: Number(/^(\d+)\./.exec(p)?.[1]), text: p }));
}

describe("docs/delivery.md: set-up on a new organisation", () => {
    const steps = setupSteps();
    const stepOf = (needle: string | RegExp) => {
        const found = steps.find((s) => (typeof needle === "string" ? s.text.includes(needle) : needle.test(s.text)));
        assert.ok(found, `no set-up step contains ${String(needle)}`);
        return found.n;
    };

    it("the steps are numbered 1, 2, 3 … and each has its command (or says it is a console step)", () => {
        assert.ok(steps.length >= 8);
        assert.deepEqual(steps.map((s) => s.n), steps.map((_, i) => i + 1));
        for (const s of steps) assert.ok(/```sh\n/.test(s.text) || /in the console/.test(s.text), `step ${s.n} has no command`);
    });

    it("the order works top to bottom: providers before roles, the pack before the groups, the deploy project before anything needs its stacks", () => {
        assert.ok(stepOf("npm ci") < stepOf("deploy/iam-cli.ts arn deploy dev"), "dependencies before running the CLI");
        assert.ok(stepOf("create-open-id-connect-provider") < stepOf("aws iam create-role"), "a role's trust names a provider that must exist");
        assert.ok(stepOf("pulumi policy publish <org>") < stepOf("pulumi stack init <org>/main"), "a policy group can only reference a published pack");
        assert.ok(stepOf("aws iam create-role") < stepOf("gh variable set AWS_PREVIEW_ROLE_ARN_DEV"), "the preview roles exist before CI is told about them");
        assert.ok(stepOf("pulumi stack init <org>/main") < stepOf("pulumi up --stack <org>/dev"), "the deploy project creates <org>/ecomm/dev before it is deployed");
        assert.ok(stepOf(/git push origin main:refs\/heads\/release/) < stepOf("pulumi stack init <org>/main"), "the release branch exists before prod's settings point at it");
    });

    it("both audiences are registered on Pulumi's OIDC provider, and GitHub's with the STS audience", () => {
        assert.match(doc, /--url https:\/\/api\.pulumi\.com\/oidc --client-id-list <org> aws:<org>/);
        assert.match(doc, /--url https:\/\/token\.actions\.githubusercontent\.com --client-id-list sts\.amazonaws\.com/);
    });

    it("publishing runs from Ecomm.Policy/ and the version bump is documented", () => {
        assert.match(doc, /\(cd Ecomm\.Policy && pulumi policy publish <org>\)/);
        assert.match(doc, /\(cd Ecomm\.Policy && npm version minor --no-git-tag-version && pulumi policy publish <org>\)/);
        assert.match(doc, /ecomm-deploy:policyPack\.versionTag/);
    });
});

describe("docs/delivery.md: every command that runs the policy pack passes the stack's config", () => {
    it("no `--policy-pack` without `--policy-pack-config`, and each config file is the command's stack's", () => {
        const commands = docPolicyCommands();
        assert.ok(commands.length >= 4);
        for (const line of commands) {
            const stack = /--stack\s+(?:\S+\/)?([\w.-]+)/.exec(line)?.[1];
            assert.ok(stack, line);
            assert.ok(line.includes(`--policy-pack-config Ecomm.Policy/policy-config.${stack}.json`), line);
        }
    });
});

describe("docs/delivery.md: the IAM documents it shows and the commands that print them", () => {
    it("each JSON block marked `<!-- iam: trust <kind> <stack> -->` is exactly what the builder renders for deploy/Pulumi.main.yaml", () => {
        const marked = [...doc.matchAll(/<!-- iam: trust (\w+) (\w+) -->\n```json\n([\s\S]*?)\n```/g)];
        assert.deepEqual(marked.map((m) => `${m[1]} ${m[2]}`), ["deploy prod", "preview dev", "esc dev"]);
        for (const [, kind, stack, json] of marked) {
            assert.ok((ROLE_KINDS as readonly string[]).includes(kind));
            assert.deepEqual(JSON.parse(json), trustPolicy(config, kind as RoleKind, stack as "dev" | "prod"), `${kind} ${stack}`);
        }
    });

    it("no trust policy in the docs allows every operation (operation:*) or a write scope wildcard", () => {
        assert.doesNotMatch(doc, /operation:\*/);
    });

    it("every deploy/iam-cli.ts command in the docs runs, for both stacks", () => {
        const invocations = [...doc.matchAll(/node scripts\/run-ts\.cjs deploy\/iam-cli\.ts ([^\n)>`]+)/g)].map((m) => m[1].trim());
        assert.ok(invocations.length >= 8);
        for (const args of new Set(invocations)) {
            for (const stack of ["dev", "prod"]) {
                const argv = args.replace(/\$stack/g, stack).split(/\s+/);
                // In-process (the script's own spawn is in iam-delivery.test.ts).
                const r = iamCli(argv);
                assert.equal(r.status, 0, `${args} (${stack}): ${r.stderr}`);
                assert.ok(r.stdout.trim().length > 0);
            }
        }
    });
});
