/**
 * `npm run bench [-- --stack prod --runs 5]`: times `npm run plan` for one stack (a fresh process each run,
 * as a user runs it) against the floor — a bare node process that only imports @pulumi/pulumi,
 * @pulumi/aws and @pulumi/awsx — and prints the median of each and their ratio (target: <= 1.5x).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(__dirname, "..");
const USAGE = "usage: npm run bench -- [--stack <name>] [--runs N]   (defaults: prod, 5)";
let values: { stack?: string; runs?: string; help?: boolean };
try {
    ({ values } = parseArgs({ options: { stack: { type: "string", default: "prod" }, runs: { type: "string", default: "5" }, help: { type: "boolean", short: "h" } } }));
} catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
}
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs must be a whole number of at least 1, not ${values.runs}\n${USAGE}`);
    process.exit(2);
}

function time(cmd: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr.toString()}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const floorArgs = ["-e", "require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/awsx');"];
const planArgs = [path.join(root, "scripts", "run-ts.cjs"), path.join(root, "tools", "plan", "cli.ts"), "--stack", values.stack!, "--json"];

// One warm-up of each so the OS file cache is equally warm for both.
time(process.execPath, floorArgs);
time(process.execPath, planArgs);
const floor: number[] = [];
const plan: number[] = [];
for (let i = 0; i < runs; i++) {
    floor.push(time(process.execPath, floorArgs));
    plan.push(time(process.execPath, planArgs));
}
const f = median(floor);
const p = median(plan);
console.log(`floor (node importing @pulumi/pulumi, aws, awsx): median ${f.toFixed(0)} ms over ${runs} runs [${floor.map((x) => x.toFixed(0)).join(", ")}]`);
console.log(`plan --stack ${values.stack}:                     median ${p.toFixed(0)} ms over ${runs} runs [${plan.map((x) => x.toFixed(0)).join(", ")}]`);
console.log(`ratio plan/floor: ${(p / f).toFixed(2)}x (target <= 1.50x)`);
