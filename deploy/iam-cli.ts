/**
 * Prints one IAM document of the delivery set-up as JSON, for `aws iam create-role` / `put-role-policy`
 * (docs/delivery.md, step 3). Reads deploy/Pulumi.main.yaml, so the documents name your organisation,
 * repository, branches and accounts.
 *
 *   node scripts/run-ts.cjs deploy/iam-cli.ts trust <deploy|preview|esc> <dev|prod>
 *   node scripts/run-ts.cjs deploy/iam-cli.ts permissions preview <dev|prod>
 *   node scripts/run-ts.cjs deploy/iam-cli.ts arn <deploy|preview|esc> <dev|prod>
 */
import { iamCommand } from "./iam-command";

process.exitCode = iamCommand(process.argv.slice(2), { out: (text) => console.log(text), err: (text) => console.error(text) });
