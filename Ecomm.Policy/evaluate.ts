/**
 * Runs every ecomm policy over a list of resources, outside the policy engine, with a policy pack config
 * applied the way the engine applies it: used by the tests (over the recorded resources of the real
 * stacks, with the config each path passes) and by anything that wants the verdict offline.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, StackValidationPolicy, ResourceValidationPolicy } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL } from "./pack";
import { allPolicies } from "./policies";

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly resource: string;
    readonly message: string;
}

/** A config entry as the CLI file and a Policy Group accept it: a level, or an object carrying `enforcementLevel`. */
export type PolicyConfigEntry = EnforcementLevel | { readonly enforcementLevel?: EnforcementLevel };
export type AnyPolicyPackConfig = Readonly<Record<string, PolicyConfigEntry>>;

const levelOf = (entry: PolicyConfigEntry | undefined): EnforcementLevel | undefined =>
    entry === undefined ? undefined : typeof entry === "string" ? entry : entry.enforcementLevel;

/**
 * The level a policy runs at: its own config entry, else `all`, else the policy's declared level, else
 * the pack's (Pulumi's documented order: "A configured enforcement level for a specific policy will
 * override the policy's existing enforcement level as well as `all`").
 */
export function effectiveLevel(config: AnyPolicyPackConfig, policy: { readonly name: string; readonly enforcementLevel?: EnforcementLevel }): EnforcementLevel {
    return levelOf(config[policy.name]) ?? levelOf(config.all) ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
}

/** True when the engine would fail the preview or update: at least one mandatory violation. */
export function blocks(violations: readonly Violation[]): boolean {
    return violations.some((v) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate");
}

const notApplicable = () => {
    throw new Error("not applicable");
};

export async function evaluatePolicies(
    resources: readonly PolicyResource[],
    config: AnyPolicyPackConfig,
    policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = allPolicies,
): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const level = effectiveLevel(config, policy);
        if (level === "disabled") continue;
        if ("validateResource" in policy && policy.validateResource) {
            const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const r of resources) {
                const args = { ...r, getConfig: () => ({}), notApplicable } as unknown as ResourceValidationArgs;
                for (const v of validators) await v(args, (message) => violations.push({ policy: policy.name, enforcementLevel: level, resource: r.name, message }));
            }
        }
        if ("validateStack" in policy) {
            await policy.validateStack(
                { resources: [...resources], stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable },
                (message, urn) => violations.push({ policy: policy.name, enforcementLevel: level, resource: resources.find((r) => r.urn === urn)?.name ?? "(stack)", message }),
            );
        }
    }
    return violations;
}
