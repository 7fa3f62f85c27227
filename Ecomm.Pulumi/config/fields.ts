/**
 * zod building blocks every area's part of the schema uses: whole numbers in a range, booleans, enums and
 * number sets with messages that say what is allowed, strict objects, and the formats shared by areas.
 */
import { z } from "zod";
import type { RuleProblem } from "../shared/problems";
import { strictObject } from "./parse";

/** An object that rejects unknown keys, listing the allowed ones. */
export const strict = strictObject;

/** A whole number from `min` to `max`. */
export const int = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** A number (not necessarily whole) from `min` to `max`, in the unit `what` ("seconds", "percentage"). */
export const between = (min: number, max: number, what: string) =>
    z
        .number({ error: `must be a ${what} from ${min} to ${max}` })
        .min(min, { error: `must be a ${what} from ${min} to ${max}` })
        .max(max, { error: `must be a ${what} from ${min} to ${max}` });

export const bool = () => z.boolean({ error: "must be true or false" });

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `must be one of: ${values.join(" | ")}` });
}

export function oneOfNumbers<const T extends readonly number[]>(values: T, what: string) {
    return z
        .number({ error: `must be one of the ${what}: ${values.join(", ")}` })
        .refine((v) => (values as readonly number[]).includes(v), {
            error: `must be one of the ${what}: ${values.join(", ")}`,
        });
}

/** CloudWatch Logs accepts only these retention periods (days); 0 is not one of them. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A CloudWatch Logs retention period (days). */
export const logRetentionDays = () => oneOfNumbers(LOG_RETENTION_DAYS, "CloudWatch Logs retention periods");

/** AWS region names: `us-east-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** Reports a rule's problems as issues, under `prefix` (the path of the object the rule checked). */
export function addProblems(ctx: z.RefinementCtx, problems: readonly RuleProblem[], prefix: readonly (string | number)[] = []): void {
    for (const p of problems) ctx.addIssue({ code: "custom", path: [...prefix, ...p.path], input: p.input, message: p.message });
}
