/**
 * The deploy project's configuration (`deploy/Pulumi.<stack>.yaml`, namespace `ecomm-deploy`): which
 * Pulumi organisation and GitHub repository the ecomm stacks deploy from, which branch drives each stack,
 * and which IAM role each stack's deployments assume through OIDC.
 *
 * Same rules as the main program's config (`Ecomm.Pulumi/config/schema.ts`): one zod schema holds every default
 * and rule, unknown keys are refused, and every problem is reported at once naming the full key
 * (`ecomm-deploy:stacks.prod.roleArn`), the bad value and what is allowed — before any resource exists.
 */
import { z } from "zod";
import { NamespaceConfigError, parseNamespace, strictObject, type ConfigProblem } from "../Ecomm.Pulumi/config/parse";
import { POLICY_PACK_NAME } from "../Ecomm.Policy/pack";

export const DEPLOY_NAMESPACE = "ecomm-deploy";

/** The ecomm stacks that get deployment settings; each has a `Pulumi.<stack>.yaml` at the repository root. */
export const ECOMM_STACKS = ["dev", "prod"] as const;
export type EcommStack = (typeof ECOMM_STACKS)[number];

export const POLICY_GROUP_MODES = ["audit", "preventative"] as const;

/**
 * Changes that deploy (or preview): the program, the app it builds and ships (storefront/: a new build is a
 * new artifact and launch template), the stack files, the dependency set and the compiler settings `pulumi up`
 * type-checks with. Docs and Markdown anywhere never trigger a deployment.
 * Patterns are matched against the whole path from the repository root; `!` marks an exclude.
 */
export const DEFAULT_PATHS: readonly string[] = [
    "Ecomm.Pulumi/**",
    "storefront/**",
    "Pulumi*.yaml",
    "package*.json",
    "tsconfig.json",
    "!docs/**",
    "!**/*.md",
];

// ---------------------------------------------------------------------------------------------------
// Building blocks (the same shapes as Ecomm.Pulumi/config/fields.ts)
// ---------------------------------------------------------------------------------------------------

const strict = strictObject;

const bool = () => z.boolean({ error: "must be true or false" });

const int = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** Pulumi Cloud organisation names: letters, digits, `-`, `_` and `.`, 1–40 characters. */
const ORGANIZATION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
/** GitHub `owner/repo`: owner up to 39 letters, digits and single hyphens; repo up to 100 of `A-Za-z0-9._-`. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
/** A branch name git accepts (the common subset): no spaces, `..`, `//`, leading `-` or `/`, trailing `/`, `.` or `.lock`. */
const BRANCH = /^(?!-)(?!\/)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*[/.]$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;
/** An IAM role ARN (any partition), path allowed: `arn:aws:iam::123456789012:role/ci/ecomm-deploy-dev`. */
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** `Pulumi.yaml`'s directory inside the repository: `.` or a relative path without `..`. */
const REPO_DIR = /^(?:\.|(?!\/)(?!.*\.\.)[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*)$/;
/** A path filter: a relative glob, optionally negated with a leading `!`. */
const PATH_FILTER = /^!?(?!\/)[A-Za-z0-9._*?[\]{},/-]+$/;
const VERSION_TAG = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$/;

// ---------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------

function stackSchema(defaultBranch: string) {
    return strict({
        /** The branch this stack deploys from: pushes to it run `pulumi up`; pull requests into it run `pulumi preview`. */
        branch: z
            .string({ error: "must be a git branch name such as main" })
            .regex(BRANCH, { error: "must be a git branch name such as main or release (no spaces, '..', '//' or trailing '/')" })
            .default(defaultBranch),
        /**
         * The IAM role deployments of this stack assume with Pulumi Cloud's OIDC token. Its trust policy
         * must accept `api.pulumi.com/oidc` for this organisation (see docs/delivery.md).
         */
        roleArn: z
            .string({ error: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/ecomm-deploy-dev" })
            .regex(IAM_ROLE_ARN, { error: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/ecomm-deploy-dev" }),
        /** How long the assumed-role session lasts (15 minutes to 12 hours; the role's own maximum must allow it). */
        sessionDurationMinutes: int(15, 720).default(60),
        /** Run `pulumi up` on every push to `branch` that touches a path in `paths`. */
        deployCommits: bool().default(true),
        /**
         * Must stay false. Pulumi Deployments runs a pull request's preview with the stack's one OIDC role
         * (`operationContext.oidc.aws.roleARN` has no per-operation variant), so PR code would get the
         * deployment role. Pull requests are previewed by GitHub Actions instead, on a read-only role.
         */
        previewPullRequests: z
            .literal(false, {
                error: "must be false: Pulumi Deployments would run the pull request's code with the stack's deployment role, which can write; pull requests are previewed by GitHub Actions on the read-only preview role (docs/delivery.md)",
            })
            .default(false),
    });
}

export const deployConfigSchema = strict({
    /** The Pulumi Cloud organisation that owns the ecomm stacks (`<org>/ecomm/dev`). */
    organization: z
        .string({ error: "must be a Pulumi organisation name such as acme" })
        .regex(ORGANIZATION, { error: "must be a Pulumi organisation name: letters, digits, '-', '_' or '.', 1-40 characters" }),
    /** The ecomm Pulumi project name (`name:` in the root Pulumi.yaml). */
    project: z
        .string()
        .regex(ORGANIZATION, { error: "must be a Pulumi project name such as ecomm" })
        .default("ecomm"),
    /** This repository on GitHub, `owner/repo`; the Pulumi GitHub app must be installed on it. */
    githubRepository: z
        .string({ error: "must be a GitHub repository as owner/repo, such as acme/ecomm" })
        .regex(GITHUB_REPOSITORY, { error: "must be a GitHub repository as owner/repo, such as acme/ecomm" }),
    /** The directory holding the ecomm `Pulumi.yaml`, relative to the repository root. */
    repoDir: z.string().regex(REPO_DIR, { error: "must be . or a relative directory such as infra/ecomm" }).default("."),
    /** Path filters: only pushes and pull requests changing a matching file deploy or preview. */
    paths: z
        .array(
            z.string({ error: "must be a glob such as Ecomm.Pulumi/** or !docs/**" }).regex(PATH_FILTER, {
                error: "must be a relative glob such as Ecomm.Pulumi/** (prefix ! to exclude)",
            }),
            { error: "must be a list of globs such as [Ecomm.Pulumi/**, !docs/**]" },
        )
        .default([...DEFAULT_PATHS])
        .refine((paths) => paths.some((p) => !p.startsWith("!")), {
            error: "must include at least one include pattern (without !), or every change outside the excludes would deploy",
        }),
    /** One entry per ecomm stack. */
    stacks: strict({
        dev: stackSchema("main"),
        prod: stackSchema("release"),
    }),
    /**
     * The published policy pack to enforce, through one Pulumi Cloud Policy Group per stack, each with that
     * stack's config (Deployment settings have no policy-pack input: Policy Groups apply packs to stacks,
     * for every operation whoever runs it). Publish the pack (`pulumi policy publish <org>` in
     * Ecomm.Policy/) before setting this; leave it unset to register no policy group.
     */
    policyPack: strict({
        /** The pack's name: always the name `Ecomm.Policy/index.ts` publishes under. */
        name: z
            .literal(POLICY_PACK_NAME, { error: `must be ${POLICY_PACK_NAME}, the name Ecomm.Policy publishes under (POLICY_PACK_NAME in Ecomm.Policy/pack.ts)` })
            .default(POLICY_PACK_NAME),
        /** The published version to enforce (`version` in Ecomm.Policy/package.json when it was published); the latest when unset. */
        versionTag: z.string().regex(VERSION_TAG, { error: "must be a policy pack version tag such as 0.1.0" }).optional(),
        /** `preventative` blocks an operation that violates a mandatory policy; `audit` only reports. */
        mode: z.enum(POLICY_GROUP_MODES, { error: `must be one of: ${POLICY_GROUP_MODES.join(" | ")}` }).default("preventative"),
    }).optional(),
}).superRefine((c, ctx) => {
    const { dev, prod } = c.stacks;
    if (dev.branch === prod.branch) {
        ctx.addIssue({
            code: "custom",
            path: ["stacks", "prod", "branch"],
            input: prod.branch,
            message: `must differ from stacks.dev.branch (${dev.branch}): prod is promoted by merging ${dev.branch} into its own branch`,
        });
    }
    if (dev.roleArn === prod.roleArn) {
        ctx.addIssue({
            code: "custom",
            path: ["stacks", "prod", "roleArn"],
            input: prod.roleArn,
            message: "must differ from stacks.dev.roleArn: a dev deployment must not be able to change prod",
        });
    }
});

export type DeployConfig = z.output<typeof deployConfigSchema>;
export type StackDeployConfig = DeployConfig["stacks"][EcommStack];

// ---------------------------------------------------------------------------------------------------
// Parsing and errors
// ---------------------------------------------------------------------------------------------------

export type DeployConfigProblem = ConfigProblem;

/** Every problem of the `ecomm-deploy:` config, each naming its key, value and what is allowed. */
export class DeployConfigError extends NamespaceConfigError {
    constructor(problems: readonly ConfigProblem[]) {
        super(DEPLOY_NAMESPACE, problems);
        this.name = "DeployConfigError";
    }
}

/** Keys whose values are YAML objects or lists in the stack file (the engine passes them as JSON text). */
const STRUCTURED_KEYS = new Set(["paths", "stacks", "policyPack"]);

/**
 * Parses the raw config map exactly as the engine passes it (`ecomm-deploy:stacks` → JSON text) into a
 * typed, defaulted `DeployConfig`, or throws a `DeployConfigError` listing every problem. Keys of other
 * namespaces (`pulumiservice:accessToken`) are ignored.
 */
export function parseDeployConfig(raw: Readonly<Record<string, string>>): DeployConfig {
    return parseNamespace(raw, {
        namespace: DEPLOY_NAMESPACE,
        structuredKeys: STRUCTURED_KEYS,
        schema: () => deployConfigSchema,
        error: (problems) => new DeployConfigError(problems),
    });
}
