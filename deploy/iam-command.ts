/**
 * The command behind deploy/iam-cli.ts (which wires it to the process), with its output injected so tests run
 * every documented invocation in-process: one IAM document of the delivery set-up as JSON, read from
 * deploy/Pulumi.main.yaml, so the documents name your organisation, repository, branches and accounts.
 */
import * as path from "node:path";
import { readStackConfig } from "../tools/offline/stack-file";
import { DeployConfigError, ECOMM_STACKS, parseDeployConfig, type EcommStack } from "./config";
import { previewPermissionPolicy, roleArn, ROLE_KINDS, trustPolicy, type RoleKind } from "./iam";

export const USAGE = "usage: iam-cli.ts trust <deploy|preview|esc> <dev|prod> | permissions preview <dev|prod> | arn <deploy|preview|esc> <dev|prod>";

/** Where the command writes: its result on stdout, a usage or config error on stderr. */
export interface IamCommandIo {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

/** Runs `deploy/iam-cli.ts <argv>`; returns the exit code (2 bad usage, 1 bad deploy/Pulumi.main.yaml). */
export function iamCommand(argv: readonly string[], io: IamCommandIo): number {
    const [what, kind, stack] = argv;
    const isKind = (k: string | undefined): k is RoleKind => (ROLE_KINDS as readonly string[]).includes(k ?? "");
    const isStack = (s: string | undefined): s is EcommStack => (ECOMM_STACKS as readonly string[]).includes(s ?? "");
    if (!isKind(kind) || !isStack(stack) || !["trust", "permissions", "arn"].includes(what ?? "") || (what === "permissions" && kind !== "preview")) {
        io.err(`${USAGE}\ngot: ${argv.join(" ")}`);
        return 2;
    }
    let config;
    try {
        config = parseDeployConfig(readStackConfig("main", path.join(__dirname)).config);
    } catch (err) {
        if (err instanceof DeployConfigError) {
            io.err(err.message);
            return 1;
        }
        throw err;
    }
    if (what === "trust") io.out(JSON.stringify(trustPolicy(config, kind, stack), null, 2));
    else if (what === "permissions") io.out(JSON.stringify(JSON.parse(previewPermissionPolicy(config, stack)), null, 2));
    else io.out(roleArn(config, kind, stack));
    return 0;
}

