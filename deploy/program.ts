/**
 * The deploy project's program: creates the ecomm stacks (kept when this project is destroyed), registers
 * Pulumi Deployments settings for each and, when a policy pack is configured, one Policy Group per stack
 * that enforces it with that stack's config. Config is read and validated once, before any resource
 * registers. Settings and groups take the stack's names from the stack resource, so they are created
 * after the stack exists (a fresh organisation has neither).
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { DeployConfigError, ECOMM_STACKS, parseDeployConfig, type DeployConfig, type EcommStack } from "./config";
import { deploymentSettingsFor, policyGroupsFor, repositoryUrl, stackFor, STACK_RESOURCE_OPTIONS } from "./settings";

/** Reads the deploy project's config from the engine, refusing bad input before any resource exists. */
export function loadDeployConfig(): DeployConfig {
    try {
        return parseDeployConfig(pulumi.runtime.allConfig());
    } catch (err) {
        // A RunError prints just the message: every problem with its key, value and what is allowed.
        if (err instanceof DeployConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

export function deployStack() {
    const config = loadDeployConfig();

    const stacks = Object.fromEntries(
        ECOMM_STACKS.map((stack) => [stack, new pulumiservice.Stack(`${config.project}-${stack}-stack`, { ...stackFor(config, stack) }, { ...STACK_RESOURCE_OPTIONS })]),
    ) as Record<EcommStack, pulumiservice.Stack>;

    const settings = ECOMM_STACKS.map((stack) => {
        const args = deploymentSettingsFor(config, stack);
        return new pulumiservice.DeploymentSettings(`${config.project}-${stack}`, {
            organization: stacks[stack].organizationName,
            project: stacks[stack].projectName,
            stack: stacks[stack].stackName,
            sourceContext: { git: { ...args.sourceContext.git } },
            github: { ...args.github, paths: [...args.github.paths] },
            operationContext: {
                preRunCommands: [...args.operationContext.preRunCommands],
                options: { ...args.operationContext.options },
                oidc: { aws: { ...args.operationContext.oidc.aws } },
            },
            cacheOptions: { ...args.cacheOptions },
        });
    });

    const policyGroups = policyGroupsFor(config).map(
        (group) =>
            new pulumiservice.PolicyGroup(`${group.name}-policy`, {
                ...group,
                policyPacks: group.policyPacks.map((p) => ({ ...p, config: { ...p.config } })),
                // The stack's name from the stack resource: the group is created once the stack exists.
                stacks: group.stacks.map((s) => ({ name: stacks[s.name].stackName, routingProject: s.routingProject })),
            }),
    );

    return {
        repository: repositoryUrl(config),
        /** `<org>/<project>/<stack>` of each stack whose deployments are configured. */
        deploymentSettings: settings.map((s) => s.id),
        branches: Object.fromEntries(ECOMM_STACKS.map((stack) => [stack, config.stacks[stack].branch])),
        /** `<org>/<project>/<stack>` of each ecomm stack this project created (or imported). */
        stacks: ECOMM_STACKS.map((stack) => stacks[stack].id),
        ...(policyGroups.length > 0 ? { policyGroups: policyGroups.map((g) => g.name) } : {}),
    };
}
