/**
 * Pure builders: the Pulumi Deployments settings and the policy group the deploy project registers,
 * as plain values computed from the validated config (tested without any engine).
 */
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
            /** Pushes to this branch deploy; pull requests into it preview. */
            readonly branch: string;
            /** Where the ecomm `Pulumi.yaml` is, relative to the repository root. */
            readonly repoDir: string;
        };
    };
    readonly github: {
        readonly repository: string;
        readonly deployCommits: boolean;
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

/** `pulumiservice:index:PolicyGroup` inputs that apply the ecomm policy pack to both stacks. */
export interface EcommPolicyGroup {
    readonly name: string;
    readonly organizationName: string;
    readonly entityType: "stacks";
    readonly mode: "audit" | "preventative";
    readonly policyPacks: readonly { readonly name: string; readonly versionTag?: string }[];
    readonly stacks: readonly { readonly name: string; readonly routingProject: string }[];
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
        sourceContext: { git: { branch: s.branch, repoDir: config.repoDir } },
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

/** The policy group enforcing the configured pack on every ecomm stack, or `undefined` when none is configured. */
export function policyGroupFor(config: DeployConfig): EcommPolicyGroup | undefined {
    const pack = config.policyPack;
    if (!pack) return undefined;
    return {
        name: `${config.project}-stacks`,
        organizationName: config.organization,
        entityType: "stacks",
        mode: pack.mode,
        policyPacks: [pack.versionTag === undefined ? { name: pack.name } : { name: pack.name, versionTag: pack.versionTag }],
        stacks: ECOMM_STACKS.map((name) => ({ name, routingProject: config.project })),
    };
}

/** The repository's clone URL, for humans (the service derives it from `github.repository`). */
export function repositoryUrl(config: DeployConfig): string {
    return `https://github.com/${config.githubRepository}.git`;
}
