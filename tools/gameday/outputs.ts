/**
 * The stack outputs `npm run gameday` relies on, by name. The stack program must export them (the lead
 * wires them with the web tier, monitoring and the ResilienceComponent):
 *
 * | output                              | type                                          | from                                   |
 * | ----------------------------------- | --------------------------------------------- | -------------------------------------- |
 * | `environment`                       | `"dev"` \| `"prod"`                           | config (already exported)              |
 * | `region`                            | string                                        | `aws:region` (already exported)        |
 * | `experimentTemplateIds`             | `{ azPower?, azNetwork?, dbFailover?, cpu? }` | `ResilienceComponent.experimentTemplateIds` |
 * | `resilienceTargetAvailabilityZone`  | string, optional                              | `ResilienceComponent.targetAvailabilityZone` |
 * | `frontendTargetGroupArn`, `backendTargetGroupArn` | string                          | the web tier's target groups           |
 * | `frontendAsgName`, `backendAsgName` | string                                        | the web tier's Auto Scaling groups      |
 * | `albArnSuffix`                      | string (`app/<name>/<id>`)                    | the ALB's `arnSuffix`                  |
 * | `dbMode`                            | database mode, optional                       | already exported                       |
 * | `dbClusterIdentifier`               | string, optional (cluster modes)              | already exported                       |
 * | `dbInstanceIdentifiers`             | string[], optional (instance modes: one)      | already exported                       |
 *
 * Minimum sizes are read from the Auto Scaling groups themselves at run time.
 */
import { z } from "zod";
import { EXPERIMENTS, EXPERIMENT_SLUGS, type ExperimentKind } from "../../Ecomm.Pulumi/resilience/experiments";

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

export const stackOutputsSchema = z.object({
    environment: text("the stack's environment (dev or prod)"),
    region: text("the stack's AWS region"),
    experimentTemplateIds: z
        .object(Object.fromEntries(EXPERIMENTS.map((e) => [e, z.string().optional()])) as Record<ExperimentKind, z.ZodOptional<z.ZodString>>, {
            error: "must be an object of FIS template ids { azPower, azNetwork, dbFailover, cpu } (ResilienceComponent.experimentTemplateIds)",
        }),
    resilienceTargetAvailabilityZone: z.string().optional(),
    frontendTargetGroupArn: text("the frontend target group's ARN"),
    backendTargetGroupArn: text("the backend target group's ARN"),
    frontendAsgName: text("the frontend Auto Scaling group's name"),
    backendAsgName: text("the backend Auto Scaling group's name"),
    albArnSuffix: text("the ALB's ARN suffix (app/<name>/<id>)"),
    dbMode: z.enum(["single-az", "multi-az-instance", "multi-az-cluster", "aurora"]).optional(),
    dbClusterIdentifier: z.string().optional(),
    dbInstanceIdentifiers: z.array(z.string()).optional(),
});

export type StackOutputs = z.output<typeof stackOutputsSchema>;

/** Parses `pulumi stack output --json`, naming every missing or malformed output at once. */
export function parseStackOutputs(json: unknown): StackOutputs {
    const result = stackOutputsSchema.safeParse(json);
    if (result.success) return result.data;
    const problems = result.error.issues.map((i) => `  - ${i.path.join(".") || "(outputs)"}: ${i.message}`);
    throw new Error(`the stack outputs lack what gameday needs:\n${problems.join("\n")}`);
}

/** The database to watch: the cluster in cluster modes, else the (only) instance. */
export function databaseOf(outputs: StackOutputs): { kind: "cluster" | "instance"; id: string } | undefined {
    if (outputs.dbClusterIdentifier) return { kind: "cluster", id: outputs.dbClusterIdentifier };
    const instance = outputs.dbInstanceIdentifiers?.[0];
    return instance ? { kind: "instance", id: instance } : undefined;
}

/** `az-power` → `azPower`; undefined for an unknown name. */
export function experimentOfSlug(slug: string): ExperimentKind | undefined {
    return EXPERIMENTS.find((e) => EXPERIMENT_SLUGS[e] === slug);
}
