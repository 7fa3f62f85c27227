/**
 * Test helpers over the offline engine: run a real stack (optionally with config changes) and query the
 * recorded resources by type and name. `npm test` runs many spec files in one process (./groups/): a
 * stack run is shared and frozen (see `runStack`), and a test that builds components under its own
 * `setMocks` must let every registration settle before it ends, or the next file's mocks receive it.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { patched, PROJECT, readStackConfig, recordRegistrations, runProgram, runStack, settle, StackRunError, withoutStackFrames, type StackRun } from "../tools/offline/run";
import { EcommMocks, type RecordedResource } from "../tools/offline/mocks";
import { withStandIns } from "../Ecomm.Pulumi/config/placeholders";
import { requireTool } from "../tools/testing/require-tool";

export type { RecordedResource, StackRun };
export { patched };

/**
 * Config for a stack that runs its own app, not the storefront: `ecomm:app.source none`. MySQL stacks need it
 * (the storefront speaks PostgreSQL only, and the program refuses the pair, naming ecomm:database.engine).
 */
export const OWN_APP: Readonly<Record<string, unknown>> = { "ecomm:app": { source: "none" } };

export function run(stack: string, config?: Record<string, unknown>): Promise<StackRun> {
    return runStack({ stack, config });
}

/** Runs the program again, not the shared run: for comparing two runs of the same stack and config. */
export function runFresh(stack: string, config?: Record<string, unknown>): Promise<StackRun> {
    return runStack({ stack, config, fresh: true });
}

/**
 * The stack file's raw config as the offline engine hands it to the program: with a labelled stand-in
 * for each value only the stack's user knows (prod's certificate and on-call address).
 */
export function offlineStackConfig(stack: string): Record<string, string> {
    const raw = readStackConfig(stack).config;
    return withStandIns(raw, raw["aws:region"] ?? "us-east-1", stack).config;
}

/** Every recorded resource of a type (the full token, e.g. `aws:lb/targetGroup:TargetGroup`). */
export function ofType(run: StackRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type (and name, when given); fails when there is not exactly one. */
export function one(run: StackRun, type: string, name?: string): RecordedResource {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
}

/** A resource's recorded input, typed by the caller. */
export function input<T = unknown>(resource: RecordedResource, key: string): T {
    return resource.inputs[key] as T;
}

/** The parsed JSON of a string input (policy documents, dashboards). */
export function jsonInput<T = unknown>(resource: RecordedResource, key: string): T {
    const value = resource.inputs[key];
    assert.equal(typeof value, "string", `${resource.name}.${key} should be a JSON string`);
    return JSON.parse(value as string) as T;
}

/** Runs a stack expecting the program to refuse; returns the error after checking nothing was registered. */
export async function refused(stack: string, config: Record<string, unknown>, options: { readonly realEngine?: boolean } = {}): Promise<StackRunError> {
    try {
        await runStack({ stack, config, realEngine: options.realEngine });
    } catch (err) {
        assert.ok(err instanceof StackRunError, `expected a StackRunError, got ${String(err)}`);
        const registered = err.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
        assert.deepEqual(registered.map((r) => `${r.type} ${r.name}`), [], "no resource may be registered before config is validated");
        return err;
    }
    assert.fail(`stack ${stack} with ${JSON.stringify(config)} should have been refused`);
}

/**
 * shellcheck, which npm cannot install: a test that needs it passes `{ skip: SHELLCHECK.skip }` and is skipped,
 * with the reason shown, where it is missing — unless `ECOMM_REQUIRE_TOOLS` names it (CI), then it fails.
 */
export const SHELLCHECK = requireTool("shellcheck");

/** Runs shellcheck on a script; fails on any finding (and when shellcheck is required but missing). */
export function shellcheck(script: string): void {
    try {
        execFileSync(SHELLCHECK.path(), ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stdout?: string; status?: number };
        if (e.status === undefined || e.status === null) throw err;
        assert.fail(`shellcheck found problems (exit ${e.status}):\n${e.stdout ?? ""}`);
    }
}

/** What `runComponent` recorded: the same shape `one`/`ofType` query, plus the builder's resolved outputs. */
export interface ComponentRun<T> extends StackRun {
    readonly value: T;
}

/**
 * Builds a component directly under the mock engine (no stack program, no config), waits until every
 * registration (including those made from `apply`) has settled, and returns what was registered and
 * the builder's outputs, resolved. `build` returns a record of the outputs to check.
 */
export async function runComponent<T extends Record<string, unknown>>(
    build: () => T,
    options: { readonly region?: string; readonly stack?: string } = {},
): Promise<ComponentRun<pulumi.Unwrap<T>>> {
    const stack = options.stack ?? "dev";
    const mocks = new EcommMocks(options.region ?? "us-east-1");
    pulumi.runtime.setAllConfig({}, []);
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    recordRegistrations(mocks);
    const value = await withoutStackFrames(async () => {
        try {
            return (await runProgram(build)) as pulumi.Unwrap<T>;
        } finally {
            await settle(mocks).catch(() => undefined);
        }
    });
    return {
        stack,
        resources: mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
        outputs: value,
        config: {},
        secretKeys: [],
        invokes: mocks.invokes,
        standIns: [],
        value,
    };
}
