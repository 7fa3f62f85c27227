/**
 * What a rule returns: every problem, each with the path of the field it is about (relative to the object
 * the rule checked), the offending value and what is allowed. The config schema turns them into issues on
 * `ecomm:<key>.<path>`; a component turns them into one `ResourceError`. No zod, no Pulumi here.
 */
export interface RuleProblem {
    /** The field's path inside the checked object, e.g. `["healthCheck", "timeoutSeconds"]`. */
    readonly path: readonly (string | number)[];
    /** The offending value. */
    readonly input: unknown;
    /** What is allowed. */
    readonly message: string;
}

/** `minSize (3) must be <= maxSize (2)`: a problem as one line, for a component's error. */
export function problemLine(p: RuleProblem): string {
    const field = p.path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
    return `${field || "value"} (${JSON.stringify(p.input)}) ${p.message}`;
}
