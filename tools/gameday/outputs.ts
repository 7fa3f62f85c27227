/**
 * The stack outputs `npm run gameday` reads, checked when it parses `pulumi stack output --json`. Gameday
 * keeps no contract of its own: `GAMEDAY_OUTPUTS` picks names out of the one output contract
 * (`Ecomm.Pulumi/outputs.ts` `OUTPUT_CONTRACT`; a name the contract lacks is a compile error), and each
 * output's schema, its optionality (outputs of some database modes only) and its error text come from the
 * contract's descriptor. Minimum sizes are read from the Auto Scaling groups themselves at run time; the
 * AZ an experiment hit is inferred from the targets that fell (the stack exports no such output).
 */
import { z } from "zod";
import { describeOutput, SERVICE_OUTPUT_FIELDS, typeText, type EcommOutputName, type EcommStackOutputs, type OutputType } from "../../Ecomm.Pulumi/outputs";
import { EXPERIMENTS, EXPERIMENT_SLUGS, type ExperimentKind } from "../../Ecomm.Pulumi/resilience/experiments";

/** The outputs gameday reads, by contract name. */
export const GAMEDAY_OUTPUTS = [
    "environment",
    "region",
    "experimentTemplateIds",
    "services",
    "albArnSuffix",
    "dbClusterIdentifier",
    "dbInstanceIdentifiers",
] as const satisfies readonly EcommOutputName[];

export type GamedayOutputName = (typeof GAMEDAY_OUTPUTS)[number];

/** The FIS template id of each experiment the stack has; the contract's `experimentTemplateIds` map, narrowed to the experiments gameday knows. */
export type ExperimentTemplateIds = Partial<Record<ExperimentKind, string>>;

/** What gameday reads, typed by the contract (the template ids narrowed to the known experiments). */
export type StackOutputs = Omit<Pick<EcommStackOutputs, GamedayOutputName>, "experimentTemplateIds"> & {
    readonly experimentTemplateIds: ExperimentTemplateIds;
};

/** A zod schema for one contract type. Strings must be non-empty: the contract leaves an absent output out, never `""`. */
function typeSchema(type: OutputType, error: string): z.ZodType {
    if (type === "string") return z.string({ error }).min(1, { error });
    if (type === "number") return z.number({ error });
    if (type === "string[]") return z.array(z.string({ error }), { error });
    if (type === "map") return z.record(z.string(), z.string({ error }), { error });
    if (type === "services") {
        const field = z.string({ error }).min(1, { error });
        return z.record(z.string(), z.strictObject(Object.fromEntries(SERVICE_OUTPUT_FIELDS.map((f) => [f, field]))), { error });
    }
    return z.enum(type.oneOf as readonly [string, ...string[]], { error });
}

/** The schema of one output, from its contract descriptor: optional where only some database modes have it. */
export function outputSchema(name: EcommOutputName): z.ZodType {
    const d = describeOutput(name);
    const schema = typeSchema(d.type, `must be ${d.meaning} (${typeText(d.type)}; Ecomm.Pulumi/outputs.ts)`);
    return d.databaseModes ? schema.optional() : schema;
}

/** Keeps the templates of the experiments gameday can run. */
function knownExperiments(ids: Readonly<Record<string, string>>): ExperimentTemplateIds {
    return Object.fromEntries(EXPERIMENTS.filter((e) => ids[e] !== undefined).map((e) => [e, ids[e]]));
}

export const stackOutputsSchema = z.object({
    ...Object.fromEntries(GAMEDAY_OUTPUTS.map((name) => [name, outputSchema(name)])),
    experimentTemplateIds: outputSchema("experimentTemplateIds").transform((ids) => knownExperiments(ids as Record<string, string>)),
});

/** Parses `pulumi stack output --json`, naming every missing or malformed output at once. */
export function parseStackOutputs(json: unknown): StackOutputs {
    const result = stackOutputsSchema.safeParse(json);
    // The schema is built from the same contract descriptors as `EcommStackOutputs`, so the data has its types.
    if (result.success) return result.data as unknown as StackOutputs;
    const problems = result.error.issues.map((i) => `  - ${i.path.join(".") || "(outputs)"}: ${i.message}`);
    throw new Error(`the stack outputs lack what gameday needs:\n${problems.join("\n")}`);
}

/** The database to watch: the cluster in cluster modes, else the (only) instance. */
export function databaseOf(outputs: StackOutputs): { kind: "cluster" | "instance"; id: string } | undefined {
    if (outputs.dbClusterIdentifier) return { kind: "cluster", id: outputs.dbClusterIdentifier };
    const instance = outputs.dbInstanceIdentifiers[0];
    return instance ? { kind: "instance", id: instance } : undefined;
}

/** `az-power` → `azPower`; undefined for an unknown name. */
export function experimentOfSlug(slug: string): ExperimentKind | undefined {
    return EXPERIMENTS.find((e) => EXPERIMENT_SLUGS[e] === slug);
}
