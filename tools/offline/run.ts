/**
 * The offline engine: runs the real stack program under Pulumi's mock engine with a stack's real config
 * file, and records every resource (type, name, parent, inputs, computed state) and the stack outputs.
 * It serves the tests and `npm run plan`.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { encode, PROJECT, PROJECT_ROOT, readStackConfig } from "./stack-file";
import { EcommMocks, type MockZone, type RecordedResource } from "./mocks";
import { setOfflineEngine } from "../../Ecomm.Pulumi/shared/offline-engine";
import { withStandIns, type StandIn } from "../../Ecomm.Pulumi/config/placeholders";
import type { AliasRecord } from "./urns";

export { listStacks, patched, PROJECT, PROJECT_ROOT, readStackConfig, type Json } from "./stack-file";

export interface RunOptions {
    /** The stack whose `Pulumi.<stack>.yaml` supplies the config. */
    readonly stack: string;
    /**
     * Config changes on top of the stack file, by full key (`ecomm:frontend`). Objects are JSON-encoded
     * the way the engine passes them; `undefined` removes the key.
     */
    readonly config?: Readonly<Record<string, unknown>>;
    /** Where `Pulumi.<stack>.yaml` lives. @default the repository root */
    readonly projectRoot?: string;
    /**
     * Run the program as the real engine would: the placeholder guard on and no stand-ins, so what
     * `pulumi up` refuses is refused here too. @default false (offline: stand-ins for missing required values)
     */
    readonly realEngine?: boolean;
    /** The region's zones as DescribeAvailabilityZones answers. @default six available AZs, a–f */
    readonly zones?: readonly MockZone[];
    /**
     * What public SSM parameters answer, by name: e.g. a newer "latest" AMI than the mock's stable one.
     * @default {} (a stable id derived from each name)
     */
    readonly ssmParameters?: Readonly<Record<string, string>>;
    /**
     * Run the program again even when this process already ran it with the same effective config: for a test
     * that compares two runs (a second `up` on the same state). The fresh run is not kept.
     * @default false (the shared, frozen run)
     */
    readonly fresh?: boolean;
}

export interface StackRun {
    readonly stack: string;
    /** Every registered resource except the root stack, in registration order. */
    readonly resources: readonly RecordedResource[];
    /** The stack's outputs, fully resolved. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Config as passed to the program. */
    readonly config: Readonly<Record<string, string>>;
    /** Config keys marked secure in the stack file. */
    readonly secretKeys: readonly string[];
    /** Invokes the program made. */
    readonly invokes: readonly { token: string; inputs: Record<string, unknown> }[];
    /** The labelled stand-ins used for required values the stack file lacks (offline only). */
    readonly standIns: readonly StandIn[];
}

/** Thrown when the program fails; carries what had been registered by then (nothing, for bad config). */
export class StackRunError extends Error {
    constructor(
        readonly cause: unknown,
        readonly resources: readonly RecordedResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "StackRunError";
    }
}

interface MonitorLike {
    registerResource(req: RegisterRequest, cb: (err: unknown, resp: { getUrn(): string } | undefined) => void): Promise<void>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getAliasesList(): {
        getUrn(): string;
        getSpec():
            | { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean }
            | undefined;
    }[];
}

/** Hooks the mock monitor so each record also gets its URN, parent, protect flag, ignoreChanges and aliases. */
export function recordRegistrations(mocks: EcommMocks): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        register(req, (err, resp) => {
            if (!err && resp) {
                const record = [...mocks.resources].reverse().find((r) => r.type === req.getType() && r.name === req.getName() && r.urn === "");
                if (record) {
                    record.urn = resp.getUrn();
                    record.parentUrn = req.getParent();
                    record.protect = req.getProtect();
                    record.ignoreChanges = req.getIgnorechangesList();
                    record.dependencies = req.getDependenciesList();
                    record.aliases = req.getAliasesList().map((a): AliasRecord => {
                        const spec = a.getSpec();
                        if (a.getUrn() || !spec) return { urn: a.getUrn() };
                        return {
                            name: spec.getName(),
                            type: spec.getType(),
                            stack: spec.getStack(),
                            project: spec.getProject(),
                            parentUrn: spec.getParenturn(),
                            noParent: spec.getNoparent(),
                        };
                    });
                }
            }
            cb(err, resp);
        });
}

const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;
/** One turn of the event loop. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until nothing is in flight and the number of registered resources stops changing. */
export async function settle(mocks: { readonly resources: readonly unknown[] }): Promise<void> {
    let stableRounds = 0;
    let last = -1;
    while (stableRounds < 3) {
        await waitForRPCs();
        await tick();
        const now = mocks.resources.length;
        stableRounds = now === last ? stableRounds + 1 : 0;
        last = now;
    }
}

/** Loads the program's entry point the way the language host does (`main: Ecomm.Pulumi/`). */
function loadProgram(): () => unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(PROJECT_ROOT, "Ecomm.Pulumi")) as unknown;
    if (typeof program !== "function") throw new Error("Ecomm.Pulumi/index.ts must `export =` the stack function");
    return program as () => unknown;
}

/**
 * Runs `program` as the stack's body and returns its outputs, resolved. A throw is caught inside the
 * body and rethrown here: let it escape and the stack's outputs reject along with promises derived from
 * them that nobody awaits, which `node --test` reports as an unhandled rejection failing the test.
 */
export async function runProgram(program: () => unknown): Promise<Record<string, unknown>> {
    let failed = false;
    let failure: unknown;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        try {
            return await program();
        } catch (err) {
            failed = true;
            failure = err;
            return {};
        }
    });
    if (failed) throw failure;
    return (outputs ?? {}) as Record<string, unknown>;
}

/**
 * Runs `fn` with console.log sent to stderr. Without an engine, the program's `pulumi.log` messages go to
 * console.log; a command that prints its result on stdout (a plan, a report, "up to date") wraps its runs in
 * this so stdout stays the result alone.
 */
export async function withProgramLogOnStderr<T>(fn: () => Promise<T>): Promise<T> {
    const toStdout = console.log;
    console.log = (...args: unknown[]) => console.error(...args);
    try {
        return await fn();
    } finally {
        console.log = toStdout;
    }
}

/**
 * Pulumi's SDK stores `new Error().stack` on every promise it makes (runtime/debuggable.js, for its leak
 * report), and with tsx's source maps on, formatting those stacks was about two thirds of a stack run's CPU
 * (a warm prod run: ~0.9 s with stack frames, ~0.3 s without). So a run captures no stack frames; error
 * messages are untouched. `ECOMM_STACK_TRACES=1` keeps them, to debug a program that throws.
 */
let framelessDepth = 0;
let savedStackTraceLimit = Error.stackTraceLimit;
export async function withoutStackFrames<T>(work: () => Promise<T>): Promise<T> {
    if (process.env.ECOMM_STACK_TRACES === "1") return work();
    if (framelessDepth++ === 0) {
        savedStackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
    }
    try {
        return await work();
    } finally {
        if (--framelessDepth === 0) Error.stackTraceLimit = savedStackTraceLimit;
    }
}

/** Freezes a finished run's records, so one run can be shared by many tests without one changing another's. */
function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
    if (value === null || typeof value !== "object" || seen.has(value)) return value;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
    return Object.freeze(value);
}

/**
 * Finished runs of this process, by everything that decides what the program does: the stack, the config
 * it is handed (the stack file as read now, with the changes and stand-ins), the engine mode and the mock
 * answers. The program is deterministic under the mocks, so the same key gives the same run; tests that
 * ask for `run("prod")` in many files (grouped into one process by `Ecomm.Pulumi.Tests/groups/`) share it.
 */
const finishedRuns = new Map<string, StackRun>();

function undefinedAware(_key: string, value: unknown): unknown {
    return value === undefined ? { "#undefined": true } : value;
}

/**
 * Runs the stack program offline and returns what it registered and exported. The result is frozen and
 * shared: the same stack with the same effective config and options returns the same run within a process.
 * A refused run is not kept (it costs nothing to repeat, and each caller gets its own error).
 */
export async function runStack(options: RunOptions): Promise<StackRun> {
    const { config, secretKeys } = readStackConfig(options.stack, options.projectRoot);
    for (const [key, value] of Object.entries(options.config ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = encode(value);
    }
    const region = config["aws:region"] ?? "us-east-1";
    const completed = options.realEngine ? { config, standIns: [] } : withStandIns(config, region, options.stack);
    const key = JSON.stringify(
        [options.stack, Object.entries(completed.config).sort(), [...secretKeys].sort(), !!options.realEngine, options.zones ?? null, Object.entries(options.ssmParameters ?? {}).sort()],
        undefinedAware,
    );
    const known = options.fresh ? undefined : finishedRuns.get(key);
    if (known) return known;
    let result: StackRun;
    try {
        result = deepFreeze(await withoutStackFrames(() => executeStack(options, completed, secretKeys, region)));
    } catch (err) {
        // Made while frames were off: give the error the caller's stack, so a failing test says where it was.
        if (err instanceof Error && framelessDepth === 0) Error.captureStackTrace(err, runStack);
        throw err;
    }
    if (!options.fresh) finishedRuns.set(key, result);
    return result;
}

async function executeStack(
    options: RunOptions,
    completed: { readonly config: Record<string, string>; readonly standIns: readonly StandIn[] },
    secretKeys: string[],
    region: string,
): Promise<StackRun> {
    const mocks = new EcommMocks(region, options.zones, options.ssmParameters);
    setOfflineEngine(!options.realEngine);
    pulumi.runtime.setAllConfig(completed.config, secretKeys);
    await pulumi.runtime.setMocks(mocks, PROJECT, options.stack, false);
    recordRegistrations(mocks);
    const program = loadProgram();
    const stackType = "pulumi:pulumi:Stack";
    let outputs: Record<string, unknown>;
    try {
        outputs = await runProgram(program);
        await settle(mocks);
    } catch (error) {
        await settle(mocks).catch(() => undefined);
        throw new StackRunError(error, mocks.resources.filter((r) => r.type !== stackType));
    }
    return {
        stack: options.stack,
        resources: mocks.resources.filter((r) => r.type !== stackType),
        outputs,
        config: completed.config,
        secretKeys,
        invokes: mocks.invokes,
        standIns: completed.standIns,
    };
}
