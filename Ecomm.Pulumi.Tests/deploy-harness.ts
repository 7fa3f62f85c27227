/**
 * Runs the deploy project (`deploy/`) under Pulumi's mock engine the way the language host would: its
 * real `Pulumi.main.yaml` as config (with optional overrides), the program inside `runInPulumiStack`,
 * then waits until every registration has settled. Records each registration's type, name and inputs.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig, PROJECT_ROOT, settle } from "../tools/offline/run";
import { iamCommand } from "../deploy/iam-command";

export const DEPLOY_ROOT = path.join(PROJECT_ROOT, "deploy");
export const DEPLOY_PROJECT = "ecomm-deploy";
export const DEPLOY_STACK = "main";

export interface DeployResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** `retainOnDelete` and `protect` as the program passed them (recorded by a stack transformation). */
    readonly options: { readonly retainOnDelete?: boolean; readonly protect?: boolean };
}

export interface DeployRun {
    readonly resources: readonly DeployResource[];
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly config: Readonly<Record<string, string>>;
}

/** Thrown when the program fails; carries what had been registered by then. */
export class DeployRunError extends Error {
    constructor(
        message: string,
        readonly resources: readonly DeployResource[],
    ) {
        super(message);
        this.name = "DeployRunError";
    }
}

/** Mocks for the Pulumi Cloud provider: ids shaped like the real ones (`org/project/stack`, `org/name`). */
class DeployMocks implements pulumi.runtime.Mocks {
    readonly resources: DeployResource[] = [];
    /** Options per `type name`, filled by the stack transformation before each registration reaches the mocks. */
    readonly options = new Map<string, DeployResource["options"]>();

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        throw new Error(`deploy mocks: the deploy program makes no invokes, got ${args.token}`);
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        this.resources.push({ type: args.type, name: args.name, inputs, options: this.options.get(`${args.type} ${args.name}`) ?? {} });
        switch (args.type) {
            case "pulumiservice:index:Stack":
                return { id: `${String(inputs.organizationName)}/${String(inputs.projectName)}/${String(inputs.stackName)}`, state: inputs };
            case "pulumiservice:index:DeploymentSettings":
                return { id: `${String(inputs.organization)}/${String(inputs.project)}/${String(inputs.stack)}`, state: inputs };
            case "pulumiservice:index:PolicyGroup":
                return { id: `${String(inputs.organizationName)}/${String(inputs.name)}`, state: inputs };
            default:
                return { id: args.type.startsWith("pulumi:providers:") ? `${args.name}-provider-id` : undefined, state: inputs };
        }
    }
}


/**
 * Runs the deploy program with `deploy/Pulumi.main.yaml` plus `overrides` (full keys; objects are
 * JSON-encoded as the engine does; `undefined` removes a key).
 */
export async function runDeploy(overrides: Readonly<Record<string, unknown>> = {}): Promise<DeployRun> {
    const { config, secretKeys } = readStackConfig(DEPLOY_STACK, DEPLOY_ROOT);
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete config[key];
        else config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const mocks = new DeployMocks();
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(mocks, DEPLOY_PROJECT, DEPLOY_STACK, false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(DEPLOY_ROOT) as () => unknown;
    let failure: { error: unknown } | undefined;
    let outputs: Record<string, unknown> = {};
    try {
        outputs = ((await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((t) => {
                mocks.options.set(`${t.type} ${t.name}`, { retainOnDelete: t.opts.retainOnDelete, protect: t.opts.protect });
                return undefined;
            });
            try {
                return await program();
            } catch (error) {
                failure = { error };
                return {};
            }
        })) ?? {}) as Record<string, unknown>;
        await settle(mocks);
    } catch (error) {
        failure ??= { error };
    }
    const resources = mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    if (failure) {
        const e = failure.error;
        throw new DeployRunError(e instanceof Error ? e.message : String(e), resources);
    }
    return { resources, outputs, config };
}

/** `node scripts/run-ts.cjs deploy/iam-cli.ts <argv>` in-process: its exit status and output, as spawnSync gives them. */
export function iamCli(argv: readonly string[]): { readonly status: number; readonly stdout: string; readonly stderr: string } {
    let stdout = "";
    let stderr = "";
    const status = iamCommand(argv, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
    return { status, stdout, stderr };
}
