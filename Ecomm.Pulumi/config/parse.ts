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
                    const given = (issue.input as Record<string, unknown> | undefined)?.[k];
                    // A misspelt top-level key is not in structuredKeys, so its YAML object arrived as JSON text:
                    // show it as the object it is, not as an escaped string.
                    const value = issue.path.length === 0 && typeof given === "string" ? structured(given) : given;
                    problems.push({ key: fullKey(spec.namespace, [...issue.path, k]), value, message: issue.message });
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

/** The object or list a JSON text encodes, else the text itself. */
export function structured(text: string): unknown {
    if (!/^\s*[[{]/.test(text)) return text;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

/** Levenshtein distance (insert, delete, substitute; each costs 1), case-insensitive. */
export function editDistance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const row = [i];
        for (let j = 1; j <= y.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1)));
        prev = row;
    }
    return prev[y.length];
}

/**
 * The allowed key a misspelt one most likely meant: the nearest by edit distance, when at most a third of
 * its letters (and at least one) differ; a tie goes to the first in `allowed`. Undefined when none is close.
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
    const limit = Math.max(1, Math.floor(key.length / 3));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key, candidate);
        if (d < bestDistance) [best, bestDistance] = [candidate, d];
    }
    return bestDistance <= limit ? best : undefined;
}

/** `"minSzie" (did you mean `minSize`?)`, or just `"x"` when no allowed key is close. */
export function unknownKeyText(key: string, allowed: readonly string[]): string {
    const near = closestKey(key, allowed);
    return near ? `"${key}" (did you mean \`${near}\`?)` : `"${key}"`;
}

/**
 * An object that rejects unknown keys, listing the allowed ones (a misspelt key is never silently
 * ignored), and says which keys it expects when given something that is not an object.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
    const keys = Object.keys(shape);
    const allowed = keys.join(", ");
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown key(s) ${issue.keys.map((k) => unknownKeyText(k, keys)).join(", ")}; allowed keys: ${allowed}`
                : issue.code === "invalid_type"
                  ? `must be an object with the keys: ${allowed}`
                  : undefined,
    });
}
