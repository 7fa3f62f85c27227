/**
 * The game-day loop: guard, start the experiment, poll until it has ended and the stack has recovered
 * (or a time limit), stop the experiment if interrupted, then measure. Clock, sleep, the abort signal
 * and the AWS probes are injected, so tests drive it with scripted states and no waiting.
 */
import { EXPERIMENT_SLUGS, type ExperimentKind } from "../../Ecomm.Pulumi/resilience/experiments";
import { databaseOf, type StackOutputs } from "./outputs";
import { inferTargetAz, measure, renderReport, type Figures, type Predictions, type Sample, type ServiceSample } from "./measure";
import type { Probes } from "./probes";

export interface GamedayOptions {
    readonly stack: string;
    readonly experiment: ExperimentKind;
    readonly outputs: StackOutputs;
    /** `--i-know-this-is-prod` */
    readonly allowProd: boolean;
    /** Seconds between samples. @default 5 */
    readonly pollSeconds?: number;
    /** Minutes to keep watching after the experiment ends, waiting for recovery. @default 15 */
    readonly settleMinutes?: number;
    /** Hard limit from the start; the experiment is stopped when it is reached. @default 60 */
    readonly maxMinutes?: number;
    readonly predictions?: Predictions;
}

export interface GamedayDeps {
    readonly probes: Probes;
    /** Milliseconds since the epoch. */
    readonly now: () => number;
    /** Waits, resolving early when the signal aborts. */
    readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Aborted on SIGINT: the experiment is stopped and the report printed with what was seen. */
    readonly signal: AbortSignal;
    readonly log: (line: string) => void;
}

export interface GamedayResult {
    readonly experimentId: string;
    readonly endedAs: string;
    readonly interrupted: boolean;
    readonly samples: readonly Sample[];
    readonly figures: Figures;
    readonly report: string;
}

/** Refusals: nothing was started. */
export class GamedayRefusal extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GamedayRefusal";
    }
}

const TERMINAL = new Set(["completed", "stopped", "failed", "cancelled"]);
/** Consecutive failed polls (throttling, expired credentials) after which gameday stops the experiment. */
export const MAX_FAILED_POLLS = 3;

/** Why this run must not start, or undefined. */
export function refusalOf(o: Pick<GamedayOptions, "outputs" | "experiment" | "allowProd">): string | undefined {
    if (o.outputs.environment === "prod" && !o.allowProd) {
        return "refusing to run against a prod stack (its environment output is prod): real customers would see this. Pass --i-know-this-is-prod to do it anyway, in a window you announced.";
    }
    if (!o.outputs.experimentTemplateIds[o.experiment]) {
        const have = Object.keys(o.outputs.experimentTemplateIds).map((k) => EXPERIMENT_SLUGS[k as ExperimentKind]).join(", ") || "none";
        return `the stack has no ${EXPERIMENT_SLUGS[o.experiment]} template (experimentTemplateIds has: ${have}); is ecomm:resilience enabled, and is the database Multi-AZ for db-failover?`;
    }
    return undefined;
}

export async function runGameday(o: GamedayOptions, d: GamedayDeps): Promise<GamedayResult> {
    const refusal = refusalOf(o);
    if (refusal) throw new GamedayRefusal(refusal);
    const templateId = o.outputs.experimentTemplateIds[o.experiment] as string;
    const pollMs = (o.pollSeconds ?? 5) * 1000;
    const settleMs = (o.settleMinutes ?? 15) * 60_000;
    const maxMs = (o.maxMinutes ?? 60) * 60_000;
    const db = databaseOf(o.outputs);
    // Every service of the stack's table (its `services` output): the built-in two and any configured one.
    const services = Object.entries(o.outputs.services);

    const sample = async (t: number, experiment: string): Promise<Sample> => {
        const [asgs, targets, database] = await Promise.all([
            d.probes.autoScalingGroups(services.map(([, s]) => s.asgName)),
            Promise.all(services.map(([, s]) => d.probes.targetHealth(s.targetGroupArn))),
            db ? d.probes.database(db) : Promise.resolve(undefined),
        ]);
        return {
            t,
            experiment,
            services: Object.fromEntries(services.map(([name, s], i) => [name, { targets: targets[i], asg: asgs[s.asgName] }])),
            ...(database ? { database } : {}),
        };
    };
    const recovered = (s: Sample) =>
        Object.values(s.services).every((svc: ServiceSample) => svc.targets.filter((t) => t.state === "healthy").length >= svc.asg.minSize) &&
        (!s.database || s.database.status === "available");

    const samples: Sample[] = [];
    const before = d.now();
    samples.push(await sample(0, "not started"));
    if (d.signal.aborted) throw new GamedayRefusal("interrupted before the experiment started; nothing was started");
    const experimentId = await d.probes.startExperiment(templateId, { Stack: o.stack, StartedBy: "ecomm-gameday" });
    const t0 = d.now();
    samples[0] = { ...samples[0], t: before - t0 };
    d.log(`started ${EXPERIMENT_SLUGS[o.experiment]} experiment ${experimentId} from template ${templateId}; Ctrl-C stops it`);

    const stop = async (why: string): Promise<string> => {
        d.log(`${why}: stopping experiment ${experimentId}`);
        try {
            await d.probes.stopExperiment(experimentId);
            return "stopping";
        } catch (err) {
            d.log(`could not stop experiment ${experimentId} (${err instanceof Error ? err.message : String(err)}); stop it yourself: aws fis stop-experiment --id ${experimentId}`);
            return "still running (StopExperiment failed)";
        }
    };

    let endedAs = "running";
    let endedAt: number | undefined;
    let interrupted = false;
    let failedPolls = 0;
    for (;;) {
        if (d.signal.aborted) {
            interrupted = true;
            endedAs = await stop("interrupted");
            break;
        }
        let s: Sample;
        let status: string;
        let reason: string | undefined;
        try {
            ({ status, reason } = await d.probes.experimentStatus(experimentId));
            s = await sample(d.now() - t0, status);
            failedPolls = 0;
        } catch (err) {
            failedPolls++;
            d.log(`poll failed (${failedPolls}/${MAX_FAILED_POLLS}): ${err instanceof Error ? err.message : String(err)}`);
            if (failedPolls >= MAX_FAILED_POLLS) {
                endedAs = await stop(`${MAX_FAILED_POLLS} polls in a row failed, so the stack is not being watched`);
                break;
            }
            await d.sleep(pollMs, d.signal);
            continue;
        }
        samples.push(s);
        if (TERMINAL.has(status) && endedAt === undefined) {
            endedAt = s.t;
            endedAs = reason ? `${status} (${reason})` : status;
        }
        if (endedAt !== undefined && (recovered(s) || s.t - endedAt >= settleMs)) break;
        if (s.t >= maxMs) {
            if (endedAt === undefined) endedAs = `${await stop(`still running after ${o.maxMinutes ?? 60} min`)} (time limit)`;
            break;
        }
        await d.sleep(pollMs, d.signal);
    }

    const last = samples[samples.length - 1];
    const http5xx = await d.probes
        .http5xx(o.outputs.albArnSuffix, new Date(t0 - 60_000), new Date(t0 + Math.max(last.t, 0) + 60_000))
        .catch((err: unknown) => {
            d.log(`could not read the ALB's 5xx metrics: ${err instanceof Error ? err.message : String(err)}`);
            return undefined;
        });
    // The stack exports no target AZ: the AZ of the first target that fell is the one hit.
    const targetAz = isAzExperiment(o.experiment) ? inferTargetAz(samples) : undefined;
    const figures = measure(o.experiment, samples, { targetAz, http5xx });
    const report = renderReport({
        stack: o.stack,
        experiment: o.experiment,
        experimentId,
        templateId,
        endedAs,
        pollSeconds: pollMs / 1000,
        samples,
        figures,
        predictions: o.predictions,
        targetAz: isAzExperiment(o.experiment) ? targetAz : undefined,
        interrupted,
    });
    return { experimentId, endedAs, interrupted, samples, figures, report };
}

function isAzExperiment(e: ExperimentKind): boolean {
    return e === "azPower" || e === "azNetwork";
}
