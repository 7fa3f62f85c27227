/**
 * `npm run ami:latest -- --stack <name> [--write]`: looks up the current Amazon Linux 2023 AMI for each
 * service's architecture in the stack's region (AWS's public SSM parameters; any account's credentials
 * work) and prints it, or with `--write` pins it in `Pulumi.<stack>.yaml` as `ecomm:<service>.ami` (a configured
 * service: `ecomm:services.<name>.ami`).
 * Exits 1 when AWS cannot be reached or the file is unusable, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { SSMClient } from "@aws-sdk/client-ssm";
import { amiKey, lookupLatestAmis, pinAmis, stackAmiTargets } from "./ami-latest";
import { PROJECT_ROOT } from "../offline/stack-file";
import { exitWhenDone } from "../exit";

const USAGE = `usage: npm run ami:latest -- --stack <name> [--write] [--root DIR]

Looks up the current Amazon Linux 2023 AMI id for each service's architecture (from its instance type) in
the stack's aws:region, from AWS's public SSM parameters
/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<arm64|x86_64>.
Needs AWS credentials for any account (ssm:GetParameter on those public parameters).
  --write      pin the ids in Pulumi.<stack>.yaml (ecomm:frontend.ami, ecomm:backend.ami,
               ecomm:services.<name>.ami for each configured service), comments kept;
               the next pulumi up rolls the instances, rolling back by itself if they turn unhealthy
  --root DIR   read Pulumi.<stack>.yaml from DIR instead of the repository root`;

async function main(argv: string[]): Promise<number> {
    let values: { stack?: string; write?: boolean; help?: boolean; root?: string };
    try {
        ({ values } = parseArgs({ args: argv, options: { stack: { type: "string", short: "s" }, write: { type: "boolean" }, help: { type: "boolean", short: "h" }, root: { type: "string" } } }));
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
    const file = path.join(values.root ?? PROJECT_ROOT, `Pulumi.${values.stack}.yaml`);
    if (!fs.existsSync(file)) {
        console.error(`no stack file ${file}`);
        return 1;
    }
    const text = fs.readFileSync(file, "utf8");
    let stack;
    try {
        stack = stackAmiTargets(text, path.basename(file));
    } catch (err) {
        console.error((err as Error).message);
        return 1;
    }
    let amis;
    try {
        amis = await lookupLatestAmis(new SSMClient({ region: stack.region }), stack.targets);
    } catch (err) {
        const e = err as Error;
        console.error(
            `could not read the Amazon Linux 2023 parameters in ${stack.region}: ${e.name}: ${e.message}\n` +
                "Configure AWS credentials for any account (AWS_PROFILE, or aws configure / aws sso login) and run again.",
        );
        return 1;
    }
    for (const t of stack.targets) {
        const now = amis[t.service];
        const change = t.current === undefined ? "not pinned yet" : t.current === now ? "already pinned" : `pinned today: ${t.current}`;
        console.log(`${amiKey(t.service)}  ${now}  (${t.instanceType}, ${t.architecture}, ${stack.region}; ${change})`);
    }
    if (!values.write) {
        console.log(`\nrun with --write to pin these in ${path.basename(file)}`);
        return 0;
    }
    const updated = pinAmis(text, amis);
    if (updated !== text) fs.writeFileSync(file, updated);
    console.log(`\n${updated === text ? "unchanged" : "wrote"} ${path.basename(file)}; review the diff, then pulumi up --stack ${values.stack}`);
    return 0;
}

exitWhenDone(main(process.argv.slice(2)));
