/**
 * What every config parser of this repository shares (the stack's `ecomm:` keys, the deploy project's
 * `ecomm-deploy:` keys): turning the engine's flat string map into schema input, and zod's issues into
 * problems that name the full key, the value and what is allowed, all reported at once.
 */
import { z } from "zod";

export interface ConfigProblem {
    /** The full key, e.g. `ecomm:frontend.minSize`. */
    readonly key: string;
    /** The offending value, as given (or as defaulted). */
    readonly value: unknown;
    /** What is allowed. */
    readonly message: string;
    /** The command that fixes it, where one exists (`pulumi config set ...`). */
    readonly fix?: string;
}

/** Every problem of one namespace's config, in one error. */
export class NamespaceConfigError extends Error {
    constructor(
        readonly namespace: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            `Invalid ${namespace} configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key} = ${showValue(p.value)}: ${p.message}${p.fix ? `\n      fix: ${p.fix}` : ""}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export function showValue(value: unknown): string {
    if (value === undefined) return "(not set)";
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `ecomm:frontend.healthCheck.intervalSeconds`, `ecomm:monitoring.alarmEmails[0]`. */
export function fullKey(namespace: string, path: readonly PropertyKey[]): string {
    if (path.length === 0) return `${namespace}:`;
    const [head, ...rest] = path;
    return `${namespace}:${String(head)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

export interface NamespaceParse<T> {
    readonly namespace: string;
    /** Keys whose values are YAML objects or lists in the stack file (the engine passes them as JSON text). */
    readonly structuredKeys: ReadonlySet<string>;
    /** The schema for this input (it may depend on a value in it, such as the environment). */
    readonly schema: (input: Readonly<Record<string, unknown>>) => z.ZodType<T>;
    /** Builds the error thrown with every problem. */
    readonly error: (problems: readonly ConfigProblem[]) => Error;
}

/**
 * Parses the raw config map exactly as the engine passes it into the schema's typed, defaulted output,
 * or throws `error(problems)` listing every problem. Keys of other namespaces are ignored.
 */
export function parseNamespace<T>(raw: Readonly<Record<string, string>>, spec: NamespaceParse<T>): T {
    const problems: ConfigProblem[] = [];
    const input: Record<string, unknown> = {};
    /** Keys already reported as unparseable: the schema's report on them would be noise. */
    const unparsed = new Set<string>();
    for (const [key, text] of Object.entries(raw)) {
        const i = key.indexOf(":");
        if (i < 0 || key.slice(0, i) !== spec.namespace) continue;
        const short = key.slice(i + 1);
        if (spec.structuredKeys.has(short)) {
            try {
                input[short] = JSON.parse(text);
            } catch {
                problems.push({ key, value: text, message: "must be a YAML/JSON object or list" });
                unparsed.add(short);
            }
        } else {
            input[short] = text;
        }
    }
    const result = spec.schema(input).safeParse(input, { reportInput: true });
    if (!result.success) {
        for (const issue of result.error.issues) {
            if (issue.path.length > 0 && unparsed.has(String(issue.path[0]))) continue;
            if (issue.code === "unrecognized_keys") {
                for (const k of issue.keys) {
                    problems.push({ key: fullKey(spec.namespace, [...issue.path, k]), value: (issue.input as Record<string, unknown> | undefined)?.[k], message: issue.message });
                }
            } else {
                const value = issue.path.length === 0 ? undefined : "input" in issue ? issue.input : undefined;
                // A custom issue may carry the command that fixes it (`params: { fix }`).
                const fix = issue.code === "custom" && typeof issue.params?.fix === "string" ? issue.params.fix : undefined;
                problems.push({ key: fullKey(spec.namespace, issue.path), value, message: issue.message, ...(fix ? { fix } : {}) });
            }
        }
    }
    if (problems.length > 0 || !result.success) throw spec.error(problems);
    return result.data;
}

/**
 * An object that rejects unknown keys, listing the allowed ones (a misspelt key is never silently
 * ignored), and says which keys it expects when given something that is not an object.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}; allowed keys: ${allowed}`
                : issue.code === "invalid_type"
                  ? `must be an object with the keys: ${allowed}`
                  : undefined,
    });
}
