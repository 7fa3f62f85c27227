/**
 * Runs the consumer example (`examples/consumer/`) under Pulumi's mock engine with its real
 * `Pulumi.prod.yaml` (plus overrides). The StackReference to ecomm is answered with the outputs the
 * caller passes — in the tests, the real ecomm prod stack's outputs from the offline engine — so the
 * example is proven against the contract as the ecomm program really fulfils it.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { PROJECT_ROOT, readStackConfig, settle, tick } from "../tools/offline/run";

export const CONSUMER_ROOT = path.join(PROJECT_ROOT, "examples", "consumer");
export const CONSUMER_PROJECT = "ecomm-consumer";
export const CONSUMER_STACK = "prod";

export interface ConsumerResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** What the mock returned as the resource's state. */
    readonly state: Record<string, unknown>;
}

export interface ConsumerRun {
    readonly resources: readonly ConsumerResource[];
    readonly outputs: Readonly<Record<string, unknown>>;
}

export class ConsumerRunError extends Error {
    constructor(
        message: string,
        readonly resources: readonly ConsumerResource[],
    ) {
        super(message);
        this.name = "ConsumerRunError";
    }
}

const ACCOUNT = "123456789012";

/** Mocks answering the StackReference with a given stack's outputs and AWS resources with AWS-looking state. */
class ConsumerMocks implements pulumi.runtime.Mocks {
    readonly resources: ConsumerResource[] = [];

    constructor(
        private readonly region: string,
        private readonly ecommOutputs: Readonly<Record<string, unknown>>,
    ) {}

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        throw new Error(`consumer mocks: the consumer program makes no invokes, got ${args.token}`);
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const answer = this.answer(args.type, args.name, inputs, args.id);
        this.resources.push({ type: args.type, name: args.name, inputs, state: answer.state });
        return answer;
    }

    private answer(type: string, name: string, inputs: Record<string, unknown>, id: string | undefined): { id: string | undefined; state: Record<string, unknown> } {
        switch (type) {
            case "pulumi:pulumi:StackReference":
                // A StackReference is read by id (the stack name); its state carries the referenced outputs.
                return { id: id ?? String(inputs.name), state: { name: inputs.name, outputs: { ...this.ecommOutputs }, secretOutputNames: [] } };
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                return { id: String(inputs.name), state: { ...inputs, arn: `arn:aws:cloudwatch:${this.region}:${ACCOUNT}:alarm:${String(inputs.name)}` } };
            case "aws:route53/record:Record":
                return { id: `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`, state: { ...inputs, fqdn: inputs.name } };
            default:
                return { id: type.startsWith("pulumi:providers:") ? `${name}-provider-id` : `${name}-id`, state: inputs };
        }
    }
}

/** Present at runtime, internal in the type declarations: returns the pending promises and forgets them. */
const leakedPromises = (debuggable as unknown as { leakedPromises(): [Set<Promise<unknown>>, string] }).leakedPromises;

/**
 * Runs the consumer program against `ecommOutputs` (what the referenced ecomm stack exports) with
 * `examples/consumer/Pulumi.prod.yaml` plus `overrides` (full keys; objects JSON-encoded as the engine
 * does; `undefined` removes a key).
 */
export async function runConsumer(ecommOutputs: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>> = {}): Promise<ConsumerRun> {
    const { config, secretKeys } = readStackConfig(CONSUMER_STACK, CONSUMER_ROOT);
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete config[key];
        else config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const mocks = new ConsumerMocks(config["aws:region"] ?? "us-east-1", ecommOutputs);
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(mocks, CONSUMER_PROJECT, CONSUMER_STACK, false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(CONSUMER_ROOT) as () => unknown;
    const failures: unknown[] = [];
    let outputs: Record<string, unknown> = {};
    // An input that rejects while a resource registers (a missing or mistyped referenced output) escapes
    // as an unhandled rejection; the language host turns those into a failed deployment, so do the same.
    const previous = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    // Such a failure leaves the resource's outputs (and the stack's) pending forever: stop waiting then.
    let signalFailure: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (signalFailure = resolve));
    const onRejection = (reason: unknown) => {
        failures.push(reason);
        signalFailure();
    };
    process.on("unhandledRejection", onRejection);
    const runAndSettle = async () => {
        try {
            outputs = ((await pulumi.runtime.runInPulumiStack(async () => {
                try {
                    return await program();
                } catch (error) {
                    failures.push(error);
                    return {};
                }
            })) ?? {}) as Record<string, unknown>;
            await settle(mocks);
        } catch (error) {
            failures.push(error);
            await settle(mocks).catch(() => undefined);
        }
    };
    try {
        await Promise.race([runAndSettle(), failed]);
    } finally {
        // Let every other rejection of the same run arrive before handing the listeners back.
        for (let i = 0; i < 5; i++) await tick();
        process.off("unhandledRejection", onRejection);
        for (const listener of previous) process.on("unhandledRejection", listener);
    }
    const resources = mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    if (failures.length > 0) {
        // The failed registration's promises never settle. The language host would exit with the error;
        // here the process goes on, so drop them or Pulumi's leak check fails the test file at exit.
        leakedPromises();
        const messages = [...new Set(failures.map((e) => (e instanceof Error ? e.message : String(e))))];
        throw new ConsumerRunError(messages.join("\n"), resources);
    }
    return { resources, outputs };
}
