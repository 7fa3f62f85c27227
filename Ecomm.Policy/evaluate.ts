/**
 * Runs every ecomm policy over a list of resources, outside the policy engine: used by the tests (over
 * the recorded resources of the real stacks) and by anything that wants the verdict offline.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { allPolicies } from "./policies";

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly resource: string;
    readonly message: string;
}

/** Enforcement per environment: everything mandatory in prod, advisory in dev (policy-config.<env>.json). */
export function enforcementFor(environment: "dev" | "prod"): EnforcementLevel {
    return environment === "prod" ? "mandatory" : "advisory";
}

export async function evaluatePolicies(resources: readonly PolicyResource[], level: EnforcementLevel): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of allPolicies) {
        if ("validateResource" in policy && policy.validateResource) {
            const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const r of resources) {
                const args = { ...r, getConfig: () => ({}), notApplicable: () => { throw new Error("not applicable"); } } as unknown as ResourceValidationArgs;
                for (const v of validators) await v(args, (message) => violations.push({ policy: policy.name, enforcementLevel: level, resource: r.name, message }));
            }
        }
        if ("validateStack" in policy) {
            await policy.validateStack(
                { resources: [...resources], stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => { throw new Error("not applicable"); } },
                (message, urn) => violations.push({ policy: policy.name, enforcementLevel: level, resource: resources.find((r) => r.urn === urn)?.name ?? "(stack)", message }),
            );
        }
    }
    return violations;
}
