/**
 * Prints one IAM document of the delivery set-up as JSON, for `aws iam create-role` / `put-role-policy`
 * (docs/delivery.md, step 3). Reads deploy/Pulumi.main.yaml, so the documents name your organisation,
 * repository, branches and accounts.
 *
 *   node scripts/run-ts.cjs deploy/iam-cli.ts trust <deploy|preview|esc> <dev|prod>
 *   node scripts/run-ts.cjs deploy/iam-cli.ts permissions preview <dev|prod>
 *   node scripts/run-ts.cjs deploy/iam-cli.ts arn <deploy|preview|esc> <dev|prod>
 */
import * as path from "node:path";
import { readStackConfig } from "../tools/offline/stack-file";
import { DeployConfigError, ECOMM_STACKS, parseDeployConfig, type EcommStack } from "./config";
import { previewPermissionPolicy, roleArn, ROLE_KINDS, trustPolicy, type RoleKind } from "./iam";

const USAGE = "usage: iam-cli.ts trust <deploy|preview|esc> <dev|prod> | permissions preview <dev|prod> | arn <deploy|preview|esc> <dev|prod>";

function main(argv: readonly string[]): number {
    const [what, kind, stack] = argv;
    const isKind = (k: string | undefined): k is RoleKind => (ROLE_KINDS as readonly string[]).includes(k ?? "");
    const isStack = (s: string | undefined): s is EcommStack => (ECOMM_STACKS as readonly string[]).includes(s ?? "");
    if (!isKind(kind) || !isStack(stack) || !["trust", "permissions", "arn"].includes(what ?? "") || (what === "permissions" && kind !== "preview")) {
        console.error(`${USAGE}\ngot: ${argv.join(" ")}`);
        return 2;
    }
    let config;
    try {
        config = parseDeployConfig(readStackConfig("main", path.join(__dirname)).config);
    } catch (err) {
        if (err instanceof DeployConfigError) {
            console.error(err.message);
            return 1;
        }
        throw err;
    }
    if (what === "trust") console.log(JSON.stringify(trustPolicy(config, kind, stack), null, 2));
    else if (what === "permissions") console.log(JSON.stringify(JSON.parse(previewPermissionPolicy(config, stack)), null, 2));
    else console.log(roleArn(config, kind, stack));
    return 0;
}

process.exitCode = main(process.argv.slice(2));
