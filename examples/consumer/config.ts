/**
 * The consumer example's configuration (namespace `ecomm-consumer`), validated once by one zod schema:
 * unknown keys are refused and every problem is reported at once with its full key, value and what is
 * allowed, before any resource (or the StackReference) is registered.
 */
import { z } from "zod";

export const CONSUMER_NAMESPACE = "ecomm-consumer";

/** `<org>/<project>/<stack>` as Pulumi Cloud names stacks. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Route 53 hosted zone ids: `Z` and up to 31 upper-case letters or digits. */
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** A lower-case DNS name of at least two labels, without the trailing dot. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const LATENCY_STATISTICS = ["p90", "p95", "p99"] as const;

const int = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

const latencyAlarmSchema = z
    .strictObject({
        /** The alarm fires when the ALB's target response time percentile stays above this many seconds. */
        thresholdSeconds: z
            .number({ error: "must be a number of seconds from 0.01 to 60" })
            .min(0.01, { error: "must be a number of seconds from 0.01 to 60" })
            .max(60, { error: "must be a number of seconds from 0.01 to 60" })
            .default(0.5),
        statistic: z.enum(LATENCY_STATISTICS, { error: `must be one of: ${LATENCY_STATISTICS.join(" | ")}` }).default("p99"),
        /** One-minute periods looked at. */
        evaluationPeriods: int(1, 60).default(5),
        /** How many of them must breach. */
        datapointsToAlarm: int(1, 60).default(3),
        /** Where the alarm notifies. @default the ecomm stack's `alertTopicArn` */
        topicArn: z.string().regex(SNS_TOPIC_ARN, { error: "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts" }).optional(),
    })
    .refine((a) => a.datapointsToAlarm <= a.evaluationPeriods, {
        error: "datapointsToAlarm must be at most evaluationPeriods",
        path: ["datapointsToAlarm"],
    });

export const consumerConfigSchema = z.strictObject({
    /** The AWS region this program deploys into (`aws:region`); it must be the ecomm stack's. */
    region: z.string({ error: "aws:region must be set, e.g. us-east-1" }).regex(REGION, { error: "must be an AWS region such as us-east-1" }),
    /** The ecomm stack to read, e.g. `acme/ecomm/prod`. */
    ecommStack: z
        .string({ error: "must be the ecomm stack as <org>/ecomm/<stack>, e.g. acme/ecomm/prod" })
        .regex(STACK_NAME, { error: "must be the ecomm stack as <org>/ecomm/<stack>, e.g. acme/ecomm/prod" }),
    hostedZoneId: z
        .string({ error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
        .regex(HOSTED_ZONE_ID, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
    recordName: z
        .string({ error: "must be a lower-case DNS name such as shop.example.com" })
        .regex(DNS_NAME, { error: "must be a lower-case DNS name such as shop.example.com (no trailing dot)" }),
    latencyAlarm: latencyAlarmSchema.default({ thresholdSeconds: 0.5, statistic: "p99", evaluationPeriods: 5, datapointsToAlarm: 3 }),
});

export type ConsumerConfig = z.output<typeof consumerConfigSchema>;

export interface ConsumerConfigProblem {
    readonly key: string;
    readonly value: unknown;
    readonly message: string;
}

export class ConsumerConfigError extends Error {
    constructor(readonly problems: readonly ConsumerConfigProblem[]) {
        super(
            `Invalid ${CONSUMER_NAMESPACE} configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key} = ${p.value === undefined ? "(not set)" : JSON.stringify(p.value)}: ${p.message}`).join("\n"),
        );
        this.name = "ConsumerConfigError";
    }
}

function keyOf(path: readonly PropertyKey[]): string {
    const [head, ...rest] = path;
    if (head === "region") return "aws:region";
    return `${CONSUMER_NAMESPACE}:${String(head ?? "")}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

/** The value the user wrote at `path` (undefined when not set). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let value = input;
    for (const p of path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[p] : undefined;
    return value;
}

function allowedKeys(path: readonly PropertyKey[]): string {
    const keys = path.length === 0 ? Object.keys(consumerConfigSchema.shape).filter((k) => k !== "region") : Object.keys(latencyAlarmSchema.shape);
    return keys.join(", ");
}

/**
 * Parses the raw config map as the engine passes it (`ecomm-consumer:latencyAlarm` → JSON text) into a
 * typed `ConsumerConfig`, or throws a `ConsumerConfigError` listing every problem.
 */
export function parseConsumerConfig(raw: Readonly<Record<string, string>>): ConsumerConfig {
    const problems: ConsumerConfigProblem[] = [];
    const input: Record<string, unknown> = { region: raw["aws:region"] };
    for (const [fullKey, text] of Object.entries(raw)) {
        if (!fullKey.startsWith(`${CONSUMER_NAMESPACE}:`)) continue;
        const key = fullKey.slice(CONSUMER_NAMESPACE.length + 1);
        if (key === "latencyAlarm") {
            try {
                input[key] = JSON.parse(text);
            } catch {
                problems.push({ key: fullKey, value: text, message: "must be a YAML object" });
            }
        } else {
            input[key] = text;
        }
    }
    const result = consumerConfigSchema.safeParse(input);
    if (!result.success) {
        for (const issue of result.error.issues) {
            if (issue.code === "unrecognized_keys") {
                for (const k of issue.keys) {
                    problems.push({ key: keyOf([...issue.path, k]), value: valueAt(input, [...issue.path, k]), message: `unknown key; allowed: ${allowedKeys(issue.path)}` });
                }
            } else {
                problems.push({ key: keyOf(issue.path), value: valueAt(input, issue.path), message: issue.message });
            }
        }
    }
    if (problems.length > 0 || !result.success) throw new ConsumerConfigError(problems);
    return result.data;
}
