/**
 * `npm run plan -- --stack <name> [--json]`: runs the real program offline against a stack's config and
 * prints the resource tree, a count by type and the stack outputs. Exits 1 with the config error (every
 * bad key named) when the config is refused, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { listStacks, runStack, StackRunError } from "./run";
import { planJson, planText } from "./plan";

const USAGE = `usage: npm run plan -- --stack <${listStacks().join("|")}> [--json]

Runs the ecomm program offline under Pulumi's mock engine with Pulumi.<stack>.yaml and prints the
resources it would create (tree by parent, count by type) and the stack outputs. No cloud account or
Pulumi CLI is needed. --json prints one JSON object instead; --root DIR reads the stack file from DIR.`;

async function main(argv: string[]): Promise<number> {
    let values: { stack?: string; json?: boolean; help?: boolean; root?: string };
    try {
        ({ values } = parseArgs({
            args: argv,
            options: { stack: { type: "string", short: "s" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" }, root: { type: "string" } },
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (!values.stack) {
        console.error(`--stack is required\n\n${USAGE}`);
        return 2;
    }
    try {
        const run = await runStack({ stack: values.stack, projectRoot: values.root });
        console.log(values.json ? JSON.stringify(planJson(run), null, 2) : planText(run));
        return 0;
    } catch (err) {
        const message = err instanceof StackRunError || err instanceof Error ? err.message : String(err);
        console.error(`plan failed for stack "${values.stack}":\n${message}`);
        return 1;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    },
);
