/**
 * Pure builders: the Pulumi Deployments settings and the policy group the deploy project registers,
 * as plain values computed from the validated config (tested without any engine).
 */
import { policyPackConfigFor, type PolicyPackConfig } from "../Ecomm.Policy/pack";
import { ECOMM_STACKS, type DeployConfig, type EcommStack } from "./config";

/** Commands Pulumi Deployments runs in the checkout before `pulumi preview`/`up`: exactly the lockfile. */
export const PRE_RUN_COMMANDS: readonly string[] = ["npm ci"];

/** The `pulumiservice:index:DeploymentSettings` inputs for one ecomm stack (names as in the provider schema). */
export interface StackDeploymentSettings {
    readonly organization: string;
    readonly project: string;
    readonly stack: EcommStack;
    readonly sourceContext: {
        readonly git: {
            /** Pushes to this branch deploy, as a full ref (`refs/heads/main`), the form the provider's examples use. */
            readonly branch: string;
            /** Where the ecomm `Pulumi.yaml` is, relative to the repository root. */
            readonly repoDir: string;
        };
    };
    readonly github: {
        readonly repository: string;
        readonly deployCommits: boolean;
        /** Always false: a Deployments preview would run PR code with the stack's write role (see config.ts). */
        readonly previewPullRequests: boolean;
        /** Review stacks per PR are not used: previews run against the real stack, which is cheaper and closer to what merges. */
        readonly pullRequestTemplate: boolean;
        readonly paths: readonly string[];
    };
    readonly operationContext: {
        readonly preRunCommands: readonly string[];
        readonly options: {
            /** `npm ci` above installs exactly the lockfile; the default install step would run a second, looser install. */
            readonly skipInstallDependencies: boolean;
            /** A burst of pushes deploys the newest commit once instead of every commit in turn. */
            readonly skipIntermediateDeployments: boolean;
        };
        readonly oidc: {
            readonly aws: {
                readonly roleARN: string;
                readonly sessionName: string;
                /** Go duration text, as the service expects: `1h0m0s`. */
                readonly duration: string;
            };
        };
    };
    readonly cacheOptions: { readonly enable: boolean };
}

/** `pulumiservice:index:PolicyGroup` inputs that apply the ecomm policy pack, with one stack's config, to that stack. */
export interface EcommPolicyGroup {
    readonly name: string;
    readonly organizationName: string;
    readonly entityType: "stacks";
    readonly mode: "audit" | "preventative";
    /** `config` is the pack entry's config (provider 1.3.0: "The special key `all` sets the default enforcement level"). */
    readonly policyPacks: readonly { readonly name: string; readonly versionTag?: string; readonly config: PolicyPackConfig }[];
    readonly stacks: readonly { readonly name: EcommStack; readonly routingProject: string }[];
}

/** `pulumiservice:index:Stack` inputs: the ecomm stack itself, which the settings and policy group need to exist. */
export interface EcommStackArgs {
    readonly organizationName: string;
    readonly projectName: string;
    readonly stackName: EcommStack;
    /** Never delete a stack that still holds resources (the provider's default, set explicitly). */
    readonly forceDestroy: false;
}

/**
 * Options of the stack resources: `retainOnDelete` keeps the ecomm stacks (and the AWS resources they
 * track) when the deploy project is destroyed or the resource is replaced; Pulumi only forgets them.
 * Not `protect`: that would make `pulumi destroy` in deploy/ fail instead of removing settings and groups.
 */
export const STACK_RESOURCE_OPTIONS = { retainOnDelete: true } as const;

/** A branch as the full git ref Deployments and GitHub's OIDC subjects use: `main` → `refs/heads/main`. */
export function gitRef(branch: string): string {
    return `refs/heads/${branch}`;
}

/** Minutes as the `XhYmZs` duration text AWS OIDC settings take: 60 → `1h0m0s`, 45 → `45m0s`. */
export function goDuration(minutes: number): string {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return h > 0 ? `${h}h${m}m0s` : `${m}m0s`;
}

/** The assumed-role session name, visible in CloudTrail as who made each change (AWS allows 2–64 characters). */
export function sessionName(project: string, stack: EcommStack): string {
    return `pulumi-deployments-${project}-${stack}`.slice(0, 64);
}

export function deploymentSettingsFor(config: DeployConfig, stack: EcommStack): StackDeploymentSettings {
    const s = config.stacks[stack];
    return {
        organization: config.organization,
        project: config.project,
        stack,
        sourceContext: { git: { branch: gitRef(s.branch), repoDir: config.repoDir } },
        github: {
            repository: config.githubRepository,
            deployCommits: s.deployCommits,
            previewPullRequests: s.previewPullRequests,
            pullRequestTemplate: false,
            paths: [...config.paths],
        },
        operationContext: {
            preRunCommands: [...PRE_RUN_COMMANDS],
            options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
            oidc: {
                aws: {
                    roleARN: s.roleArn,
                    sessionName: sessionName(config.project, stack),
                    duration: goDuration(s.sessionDurationMinutes),
                },
            },
        },
        cacheOptions: { enable: true },
    };
}

export function stackFor(config: DeployConfig, stack: EcommStack): EcommStackArgs {
    return { organizationName: config.organization, projectName: config.project, stackName: stack, forceDestroy: false };
}

/**
 * One policy group per ecomm stack, each applying the pack with that stack's config (`policyPackConfigFor`,
 * the same config the CLI and GitHub Actions pass): a group's pack entry carries one config, and dev and
 * prod need different ones. Empty when no pack is configured.
 */
export function policyGroupsFor(config: DeployConfig): EcommPolicyGroup[] {
    const pack = config.policyPack;
    if (!pack) return [];
    return ECOMM_STACKS.map((stack) => ({
        name: `${config.project}-${stack}`,
        organizationName: config.organization,
        entityType: "stacks",
        mode: pack.mode,
        policyPacks: [
            pack.versionTag === undefined
                ? { name: pack.name, config: policyPackConfigFor(stack) }
                : { name: pack.name, versionTag: pack.versionTag, config: policyPackConfigFor(stack) },
        ],
        stacks: [{ name: stack, routingProject: config.project }],
    }));
}

/** The repository's clone URL, for humans (the service derives it from `github.repository`). */
export function repositoryUrl(config: DeployConfig): string {
    return `https://github.com/${config.githubRepository}.git`;
}
