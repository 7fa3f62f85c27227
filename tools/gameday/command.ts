/**
 * `npm run gameday -- --stack <name> --experiment <az-power|az-network|db-failover|cpu>`: the command,
 * with its I/O injected (cli.ts wires the process: argv, SIGINT, stdout, the AWS SDK).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { EXPERIMENTS, EXPERIMENT_SLUGS, type ExperimentKind } from "../../Ecomm.Pulumi/resilience/experiments";
import { experimentOfSlug, parseStackOutputs, type StackOutputs } from "./outputs";
import { predictionsFromScorecard, type Predictions } from "./measure";
import { GamedayRefusal, refusalOf, runGameday } from "./session";
import type { Probes } from "./probes";
import type { Scorecard } from "../report/scorecard";

export const USAGE = `usage: npm run gameday -- --stack <name> --experiment <${EXPERIMENTS.map((e) => EXPERIMENT_SLUGS[e]).join("|")}> [options]

Runs one of the stack's AWS FIS experiments with your own AWS credentials (the SDK's default chain:
AWS_PROFILE, SSO, environment, instance role), watches the stack recover, and prints a timeline and
the measured figures beside the HA scorecard's predictions.

  az-power      the web tier's instances in one AZ lose power; launches there fail
  az-network    the AZ's private subnet loses all network traffic
  db-failover   the database fails over to its standby (Multi-AZ modes only)
  cpu           the backend instances run at high CPU; the ASG should scale out

Options
  --stack NAME             the Pulumi stack; its outputs come from \`pulumi stack output --json --stack NAME\`
  --outputs FILE           read the stack outputs from FILE (JSON) instead of the Pulumi CLI
  --predictions FILE       predictions to compare with: \`npm run -s plan -- --json\` output or a scorecard JSON;
                           by default the scorecard of an offline run of Pulumi.<stack>.yaml
  --poll SECONDS           seconds between samples (default 5; the figures' resolution)
  --settle MINUTES         minutes to wait for recovery after the experiment ends (default 15)
  --max MINUTES            stop the experiment if it still runs after this long (default 60)
  --i-know-this-is-prod    allow a stack whose environment output is prod
  --dry-run                check the outputs and print the predictions, then exit: no AWS call
  -h, --help               this text

Ctrl-C stops the experiment (FIS StopExperiment) and prints what was measured so far.
Exit status: 0 done, 1 failed, 2 refused or bad usage, 130 interrupted.`;

export interface CommandIo {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
    /** Reads `pulumi stack output --json` for a stack. */
    readonly stackOutputs: (stack: string) => Promise<unknown>;
    /** The scorecard of an offline run of the stack, or undefined when there is none. */
    readonly scorecard: (stack: string, environment: string) => Promise<Scorecard | undefined>;
    readonly probes: (region: string) => Probes;
    readonly now: () => number;
    readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    readonly signal: AbortSignal;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new GamedayRefusal(`--${name} must be a positive number, not ${raw}`);
    return n;
}

function loadPredictions(file: string): Predictions {
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    if ("scorecard" in json) return predictionsFromScorecard(json.scorecard as Scorecard, file);
    if ("rotation" in json) return predictionsFromScorecard(json as unknown as Scorecard, file);
    if ("outOfRotationSeconds" in json) return { ...(json as unknown as Predictions), source: file };
    throw new GamedayRefusal(`--predictions ${file}: expected \`npm run plan -- --json\` output, a scorecard, or { outOfRotationSeconds, ... }`);
}

export async function gamedayCommand(argv: readonly string[], io: CommandIo): Promise<number> {
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string", short: "s" },
                experiment: { type: "string", short: "e" },
                outputs: { type: "string" },
                predictions: { type: "string" },
                poll: { type: "string" },
                settle: { type: "string" },
                max: { type: "string" },
                "i-know-this-is-prod": { type: "boolean" },
                "dry-run": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        io.err(`${(err as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        io.out(USAGE);
        return 0;
    }
    const stack = values.stack as string | undefined;
    const experiment = experimentOfSlug(String(values.experiment ?? ""));
    if (!stack || !experiment) {
        io.err(`${!stack ? "--stack is required" : `--experiment must be one of ${EXPERIMENTS.map((e) => EXPERIMENT_SLUGS[e]).join(", ")}, not ${String(values.experiment ?? "(none)")}`}\n\n${USAGE}`);
        return 2;
    }
    try {
        const raw = values.outputs ? (JSON.parse(fs.readFileSync(String(values.outputs), "utf8")) as unknown) : await io.stackOutputs(stack);
        const outputs: StackOutputs = parseStackOutputs(raw);
        const allowProd = values["i-know-this-is-prod"] === true;
        const refusal = refusalOf({ outputs, experiment, allowProd });
        if (refusal) throw new GamedayRefusal(refusal);
        let predictions: Predictions | undefined;
        if (values.predictions) predictions = loadPredictions(String(values.predictions));
        else {
            const scorecard = await io.scorecard(stack, outputs.environment).catch((err: unknown) => {
                io.err(`no predictions: the offline run of ${stack} failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
                return undefined;
            });
            if (scorecard) predictions = predictionsFromScorecard(scorecard, `scorecard of an offline run of Pulumi.${stack}.yaml`);
        }
        if (values["dry-run"] === true) {
            io.out(renderDryRun(stack, experiment, outputs, predictions));
            return 0;
        }
        const result = await runGameday(
            {
                stack,
                experiment,
                outputs,
                allowProd,
                predictions,
                pollSeconds: positive("poll", values.poll as string | undefined, 5),
                settleMinutes: positive("settle", values.settle as string | undefined, 15),
                maxMinutes: positive("max", values.max as string | undefined, 60),
            },
            { probes: io.probes(outputs.region), now: io.now, sleep: io.sleep, signal: io.signal, log: io.err },
        );
        io.out(result.report);
        if (result.interrupted) return 130;
        return result.endedAs.startsWith("completed") ? 0 : 1;
    } catch (err) {
        if (err instanceof GamedayRefusal) {
            io.err(`gameday refused: ${err.message}`);
            return 2;
        }
        io.err(`gameday failed: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
}

/** What `--dry-run` prints: the experiment it would start and the figures it would measure against. */
export function renderDryRun(stack: string, experiment: ExperimentKind, outputs: StackOutputs, p: Predictions | undefined): string {
    const svc = (r: Partial<Record<string, number>>) => Object.entries(r).map(([k, v]) => `${k} ${v} s`).join(", ") || "n/a";
    return [
        `Dry run: would start ${EXPERIMENT_SLUGS[experiment]} (template ${outputs.experimentTemplateIds[experiment]}) on stack ${stack} in ${outputs.region}; nothing was started.`,
        p
            ? [
                  `Predictions (${p.source})`,
                  `  dead targets out of rotation   ${svc(p.outOfRotationSeconds)}`,
                  `  failed instance replaced       ${svc(p.replacementSeconds)}`,
                  `  scale-out reaction             ${svc(p.scaleOutSeconds)}`,
                  `  database failover              ${p.databaseRtoSeconds ? `${p.databaseRtoSeconds.join("–")} s` : "n/a (no standby)"}`,
              ].join("\n")
            : "Predictions: none",
    ].join("\n");
}

/** `pulumi stack output --json --stack <name>`, through the Pulumi CLI on the PATH. */
export function pulumiStackOutputs(stack: string, cwd: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
        execFile("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`pulumi stack output --json --stack ${stack} failed (${err.message.split("\n")[0]}): ${stderr.trim()}; pass --outputs FILE instead`));
            else resolve(JSON.parse(stdout) as unknown);
        });
    });
}

/** The scorecard of an offline run (mock engine) of Pulumi.<stack>.yaml, when that file exists. */
export async function offlineScorecard(stack: string, environment: string, projectRoot: string): Promise<Scorecard | undefined> {
    if (!fs.existsSync(path.join(projectRoot, `Pulumi.${stack}.yaml`))) return undefined;
    const { runStack, withProgramLogOnStderr } = await import("../offline/run");
    const { buildScorecard } = await import("../report/scorecard");
    const run = await withProgramLogOnStderr(() => runStack({ stack, projectRoot }));
    return buildScorecard(run.resources, environment);
}
