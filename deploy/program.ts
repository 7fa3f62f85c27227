/**
 * The deploy project's program: registers Pulumi Deployments settings for each ecomm stack and, when a
 * policy pack is configured, the Policy Group that enforces it. Config is read and validated once, before
 * any resource registers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { DeployConfigError, ECOMM_STACKS, parseDeployConfig, type DeployConfig } from "./config";
import { deploymentSettingsFor, policyGroupFor, repositoryUrl } from "./settings";

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

    const settings = ECOMM_STACKS.map((stack) => {
        const args = deploymentSettingsFor(config, stack);
        return new pulumiservice.DeploymentSettings(`${config.project}-${stack}`, {
            organization: args.organization,
            project: args.project,
            stack: args.stack,
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

    const group = policyGroupFor(config);
    const policyGroup = group
        ? new pulumiservice.PolicyGroup(`${config.project}-policy`, {
              ...group,
              policyPacks: group.policyPacks.map((p) => ({ ...p })),
              stacks: group.stacks.map((s) => ({ ...s })),
          })
        : undefined;

    return {
        repository: repositoryUrl(config),
        /** `<org>/<project>/<stack>` of each stack whose deployments are configured. */
        deploymentSettings: settings.map((s) => s.id),
        branches: Object.fromEntries(ECOMM_STACKS.map((stack) => [stack, config.stacks[stack].branch])),
        ...(policyGroup ? { policyGroup: policyGroup.name } : {}),
    };
}
