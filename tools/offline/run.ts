/**
 * The offline engine: runs the real stack program under Pulumi's mock engine with a stack's real config
 * file, and records every resource (type, name, parent, inputs, computed state) and the stack outputs.
 * It serves the tests and `npm run plan`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { EcommMocks, type MockZone, type RecordedResource } from "./mocks";
import { setOfflineEngine } from "../../Ecomm.Pulumi/shared/offline-engine";
import { withStandIns, type StandIn } from "../../Ecomm.Pulumi/config/placeholders";
import type { AliasRecord } from "./urns";

export const PROJECT = "ecomm";
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

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

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
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

/** Runs the stack program offline and returns what it registered and exported. */
export async function runStack(options: RunOptions): Promise<StackRun> {
    const { config, secretKeys } = readStackConfig(options.stack, options.projectRoot);
    for (const [key, value] of Object.entries(options.config ?? {})) {
        if (value === undefined) delete config[key];
        else config[key] = encode(value);
    }
    const region = config["aws:region"] ?? "us-east-1";
    const completed = options.realEngine ? { config, standIns: [] } : withStandIns(config, region, options.stack);
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
