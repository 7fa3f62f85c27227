/**
 * Stack files as the engine reads them: `Pulumi.<stack>.yaml` into the flat, namespaced string map a
 * program is handed, and config patches on top. No Pulumi SDK here, so the small commands that only read
 * a stack file (deploy/iam-cli.ts, `npm run ami:latest`, `npm run gameday`) start without loading it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";

export const PROJECT = "ecomm";
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Reads `Pulumi.<stack>.yaml` into the flat string map the engine hands a program. */
export function readStackConfig(stack: string, projectRoot = PROJECT_ROOT): { config: Record<string, string>; secretKeys: string[] } {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${file}; stacks here: ${listStacks(projectRoot).join(", ")}`);
    const doc = (parseStackYaml(file) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value && typeof value === "object" && "secure" in value) {
            // Ciphertext can't be decrypted offline; the program sees a placeholder, marked secret.
            config[full] = "[secret]";
            secretKeys.push(full);
        } else {
            config[full] = encode(value);
        }
    }
    return { config, secretKeys };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function deepMerge(base: Json, patch: Json): Json {
    if (patch && typeof patch === "object" && !Array.isArray(patch) && base && typeof base === "object" && !Array.isArray(base)) {
        const out: { [key: string]: Json } = { ...base };
        for (const [k, v] of Object.entries(patch)) out[k] = k in out ? deepMerge(out[k], v) : v;
        return out;
    }
    return patch;
}

/**
 * The stack file's value for `key` with `patch` deep-merged in, as a config override:
 * `patched("prod", "ecomm:frontend", { minSize: 1 })`.
 */
export function patched(stack: string, key: string, patch: Json, projectRoot = PROJECT_ROOT): Record<string, unknown> {
    const raw = readStackConfig(stack, projectRoot).config[key];
    const base: Json = raw === undefined ? {} : (JSON.parse(raw) as Json);
    return { [key]: deepMerge(base, patch) };
}

export function listStacks(projectRoot = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(projectRoot)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
}

export function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Parses a stack file; a YAML syntax error names the file, line and column (`Pulumi.dev.yaml:12:5`). */
export function parseStackYaml(file: string): unknown {
    try {
        return parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if (!(err instanceof YAMLParseError)) throw err;
        const at = err.linePos?.[0];
        const where = at ? `${path.basename(file)}:${at.line}:${at.col}` : path.basename(file);
        throw new Error(`${where}: YAML syntax error in ${file}: ${err.message}`);
    }
}
