/**
 * What counts as a secret in recorded resources: one rule for the secrets scan (a test) and for masking
 * `npm run plan -- --json`'s resource inputs.
 */

/** Names of keys whose string values must never be plaintext (ARNs and ids of secrets are fine). */
export const SECRET_KEY = /(password|passwd|secret(?!Arn|s?Kms|Status)|(?<!http)token|privateKey|accessKey|apiKey|credential)/i;

/** What a masked value reads as. */
export const MASK = "[secret]";

/** The SDK's marker of a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * `value` with every string under a secret-looking key, and every value the SDK marks secret, replaced by
 * `[secret]`. Booleans and numbers under such keys (`manageMasterUserPassword: true`) stay: they say nothing.
 */
export function maskSecrets(value: unknown, key = ""): unknown {
    if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG] === SECRET_SIG_VALUE) return MASK;
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v, k)]));
    }
    if (typeof value === "string" && value !== "" && SECRET_KEY.test(key)) return MASK;
    return value;
}
