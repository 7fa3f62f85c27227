/**
 * Pure: turns the samples a game day recorded into a timeline of changes and the measured figures,
 * and sets them beside the scorecard's predictions. No clock, no AWS.
 */
import { EXPERIMENT_SLUGS, type ExperimentKind } from "../../Ecomm.Pulumi/resilience/experiments";
import type { Scorecard } from "../report/scorecard";
import type { AsgSample, DatabaseSample, Http5xx, TargetSample } from "./probes";

/** A service behind the ALB, by its name in the stack's `services` output (`frontend`, `backend`, any configured one). */
export type Service = string;

/** The service the CPU experiment stresses (resilience/experiments.ts: the backend ASG's instances). */
export const CPU_STRESSED_SERVICE: Service = "backend";

export interface ServiceSample {
    readonly targets: readonly TargetSample[];
    readonly asg: AsgSample;
}

export interface Sample {
    /** Milliseconds since the experiment started (the baseline sample is negative or 0). */
    readonly t: number;
    readonly experiment: string;
    readonly services: Readonly<Record<Service, ServiceSample>>;
    readonly database?: DatabaseSample;
}

export interface TimelineEvent {
    readonly t: number;
    readonly text: string;
}

export interface Figures {
    /** Seconds until no target in the impaired AZ was still reported healthy; null: never; absent: not an AZ experiment. */
    readonly outOfRotationSeconds: Partial<Record<Service, number | null>>;
    /** Per service: the minimum, the fewest healthy targets seen, and seconds until back at the minimum (0: never below; null: not back). */
    readonly capacity: Readonly<Record<Service, { readonly minSize: number; readonly lowest: number; readonly backSeconds: number | null }>>;
    /** cpu: seconds until the backend served with more healthy targets than at the start; null: never. */
    readonly scaleOutSeconds?: number | null;
    /** The database's non-available window (status polling), and the writer's AZ before and after. */
    readonly database?: { readonly unavailableSeconds: number | null; readonly writerAzBefore?: string; readonly writerAzAfter?: string };
    readonly http5xx?: { readonly elb: number; readonly target: number; readonly peakPerMinute: number };
}

export interface Predictions {
    readonly outOfRotationSeconds: Partial<Record<Service, number>>;
    readonly replacementSeconds: Partial<Record<Service, number>>;
    readonly scaleOutSeconds: Partial<Record<Service, number>>;
    /** [typical low, typical high] failover seconds of the database mode. */
    readonly databaseRtoSeconds?: readonly number[];
    /** Where they came from (`scorecard of stack dev`, a file name). */
    readonly source: string;
}

const healthy = (s: ServiceSample) => s.targets.filter((t) => t.state === "healthy").length;

/** The services a game day sampled, in the stack's order (every sample has the same ones). */
export function servicesOf(samples: readonly Sample[]): Service[] {
    return Object.keys(samples[0]?.services ?? {});
}

/** One service's view in a sample; a sample always has every service of the game day. */
function serviceIn(s: Sample, svc: Service): ServiceSample {
    const found = s.services[svc];
    if (!found) throw new Error(`sample at ${s.t} ms has no ${svc} (it has ${Object.keys(s.services).join(", ")})`);
    return found;
}

/** Instance id → AZ, from every sample's ASG view (terminated instances leave the ASG, so remember them). */
function azOfInstances(samples: readonly Sample[]): Map<string, string> {
    const map = new Map<string, string>();
    const services = servicesOf(samples);
    for (const s of samples) for (const svc of services) for (const i of serviceIn(s, svc).asg.instances) map.set(i.id, i.availabilityZone);
    return map;
}

/**
 * The AZ an AZ experiment hit, when the stack does not export it: the AZ of the first target that was
 * healthy at the start and stopped being healthy.
 */
export function inferTargetAz(samples: readonly Sample[]): string | undefined {
    const az = azOfInstances(samples);
    const baseline = samples[0];
    if (!baseline) return undefined;
    const services = servicesOf(samples);
    for (const s of samples.slice(1)) {
        for (const svc of services) {
            const wasHealthy = new Set(serviceIn(baseline, svc).targets.filter((t) => t.state === "healthy").map((t) => t.id));
            const now = new Map(serviceIn(s, svc).targets.map((t) => [t.id, t.state]));
            const fallen = [...wasHealthy].find((id) => now.get(id) !== "healthy");
            if (fallen && az.has(fallen)) return az.get(fallen);
        }
    }
    return undefined;
}

export function measure(experiment: ExperimentKind, samples: readonly Sample[], opts: { targetAz?: string; http5xx?: Http5xx }): Figures {
    const after = samples.filter((s) => s.t >= 0);
    const baseline = samples[0];
    const secs = (t: number) => Math.round(t / 1000);

    const outOfRotationSeconds: Partial<Record<Service, number | null>> = {};
    if ((experiment === "azPower" || experiment === "azNetwork") && opts.targetAz && baseline) {
        const az = azOfInstances(samples);
        for (const svc of servicesOf(samples)) {
            const impaired = new Set(serviceIn(baseline, svc).targets.filter((t) => az.get(t.id) === opts.targetAz).map((t) => t.id));
            if (impaired.size === 0) continue;
            const out = after.find((s) => !serviceIn(s, svc).targets.some((t) => impaired.has(t.id) && t.state === "healthy"));
            outOfRotationSeconds[svc] = out ? secs(out.t) : null;
        }
    }

    const capacity = Object.fromEntries(
        servicesOf(samples).map((svc) => {
            const minSize = baseline ? serviceIn(baseline, svc).asg.minSize : 0;
            const counts = after.map((s) => ({ t: s.t, n: healthy(serviceIn(s, svc)) }));
            const lowest = Math.min(...counts.map((c) => c.n), baseline ? healthy(serviceIn(baseline, svc)) : Infinity);
            const dip = counts.findIndex((c) => c.n < minSize);
            const back = dip < 0 ? undefined : counts.slice(dip).find((c) => c.n >= minSize);
            return [svc, { minSize, lowest: Number.isFinite(lowest) ? lowest : 0, backSeconds: dip < 0 ? 0 : back ? secs(back.t) : null }];
        }),
    ) as Record<Service, { minSize: number; lowest: number; backSeconds: number | null }>;

    let scaleOutSeconds: number | null | undefined;
    if (experiment === "cpu" && baseline) {
        const initial = healthy(serviceIn(baseline, CPU_STRESSED_SERVICE));
        const grown = after.find((s) => healthy(serviceIn(s, CPU_STRESSED_SERVICE)) > initial);
        scaleOutSeconds = grown ? secs(grown.t) : null;
    }

    let database: Figures["database"];
    const withDb = samples.filter((s) => s.database);
    if (withDb.length > 0) {
        const down = after.findIndex((s) => s.database && s.database.status !== "available");
        const up = down < 0 ? undefined : after.slice(down).find((s) => s.database?.status === "available");
        database = {
            unavailableSeconds: down < 0 ? 0 : up ? secs(up.t - after[down].t) : null,
            writerAzBefore: withDb[0].database?.availabilityZone,
            writerAzAfter: withDb[withDb.length - 1].database?.availabilityZone,
        };
    }

    const minutes = opts.http5xx?.minutes ?? [];
    const http5xx = opts.http5xx
        ? {
              elb: minutes.reduce((n, m) => n + m.elb, 0),
              target: minutes.reduce((n, m) => n + m.target, 0),
              peakPerMinute: Math.max(0, ...minutes.map((m) => m.elb + m.target)),
          }
        : undefined;

    return { outOfRotationSeconds, capacity, scaleOutSeconds, database, http5xx };
}

/** Every change between consecutive samples, as dated lines. */
export function timeline(samples: readonly Sample[]): TimelineEvent[] {
    const events: TimelineEvent[] = [];
    const az = azOfInstances(samples);
    const services = servicesOf(samples);
    samples.forEach((s, i) => {
        const prev = samples[i - 1];
        if (!prev) {
            events.push({ t: s.t, text: `baseline: experiment ${s.experiment}; ${services.map((svc) => `${svc} ${healthy(serviceIn(s, svc))} healthy (min ${serviceIn(s, svc).asg.minSize})`).join(", ")}${s.database ? `; database ${s.database.status} in ${s.database.availabilityZone ?? "?"}` : ""}` });
            return;
        }
        if (s.experiment !== prev.experiment) events.push({ t: s.t, text: `experiment ${prev.experiment} → ${s.experiment}` });
        for (const svc of services) {
            const before = new Map(serviceIn(prev, svc).targets.map((t) => [t.id, t.state]));
            const now = new Map(serviceIn(s, svc).targets.map((t) => [t.id, t.state]));
            for (const [id, state] of now) {
                const was = before.get(id);
                if (was !== state) events.push({ t: s.t, text: `${svc} target ${id} (${az.get(id) ?? "?"}): ${was ?? "new"} → ${state}` });
            }
            for (const [id, was] of before) if (!now.has(id)) events.push({ t: s.t, text: `${svc} target ${id} (${az.get(id) ?? "?"}): ${was} → gone` });
            const [h0, h1] = [healthy(serviceIn(prev, svc)), healthy(serviceIn(s, svc))];
            if (h0 !== h1) events.push({ t: s.t, text: `${svc}: ${h1} healthy target${h1 === 1 ? "" : "s"} (min ${serviceIn(s, svc).asg.minSize})` });
            if (serviceIn(s, svc).asg.desiredCapacity !== serviceIn(prev, svc).asg.desiredCapacity) {
                events.push({ t: s.t, text: `${svc} ASG desired capacity ${serviceIn(prev, svc).asg.desiredCapacity} → ${serviceIn(s, svc).asg.desiredCapacity}` });
            }
        }
        if (s.database && prev.database) {
            if (s.database.status !== prev.database.status) events.push({ t: s.t, text: `database ${prev.database.status} → ${s.database.status}` });
            if (s.database.availabilityZone !== prev.database.availabilityZone) {
                events.push({ t: s.t, text: `database writer ${prev.database.availabilityZone ?? "?"} → ${s.database.availabilityZone ?? "?"}` });
            }
        }
    });
    return events;
}

/** The scorecard's figures that an experiment can confirm or refute. */
export function predictionsFromScorecard(s: Scorecard, source: string): Predictions {
    const per = (figures: readonly { label: string; value: number }[], pick: "first" | "min" = "first") => {
        const out: Partial<Record<Service, number>> = {};
        // A figure's label starts with its service (`admin: dead instance out of rotation`).
        for (const svc of new Set(figures.map((f) => f.label.split(":")[0]))) {
            const values = figures.filter((f) => f.label.startsWith(`${svc}:`)).map((f) => f.value);
            if (values.length > 0) out[svc] = pick === "min" ? Math.min(...values) : values[0];
        }
        return out;
    };
    return {
        outOfRotationSeconds: per(s.rotation),
        replacementSeconds: per(s.replacement),
        scaleOutSeconds: per(s.scaleOut, "min"),
        databaseRtoSeconds: s.database.rtoSeconds.length > 0 ? s.database.rtoSeconds : undefined,
        source,
    };
}

function clock(ms: number): string {
    const sign = ms < 0 ? "-" : "+";
    const total = Math.round(Math.abs(ms) / 1000);
    return `${sign}${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

const seconds = (v: number | null | undefined, never: string) => (v === null ? never : v === undefined ? "n/a" : `${v} s`);

export interface ReportInput {
    readonly stack: string;
    readonly experiment: ExperimentKind;
    readonly experimentId: string;
    readonly templateId: string;
    readonly endedAs: string;
    readonly pollSeconds: number;
    readonly samples: readonly Sample[];
    readonly figures: Figures;
    readonly predictions?: Predictions;
    readonly targetAz?: string;
    readonly interrupted?: boolean;
}

/** The printed report: the timeline, then each measured figure beside its prediction. */
export function renderReport(r: ReportInput): string {
    const p = r.predictions;
    const f = r.figures;
    const lines = [
        `Game day: ${EXPERIMENT_SLUGS[r.experiment]} on stack ${r.stack} — experiment ${r.experimentId} (template ${r.templateId})${r.targetAz ? `, AZ ${r.targetAz}` : ""}`,
        "",
        "Timeline (mm:ss from the experiment's start)",
        ...timeline(r.samples).map((e) => `  ${clock(e.t)}  ${e.text}`),
        "",
        `Measured (resolution ±${r.pollSeconds} s, the poll interval) vs predicted${p ? ` (${p.source})` : " (no predictions)"}`,
    ];
    const row = (label: string, measured: string, predicted?: number | string) =>
        lines.push(`  ${label.padEnd(48)} ${measured.padEnd(20)} ${predicted === undefined ? "" : `predicted ${typeof predicted === "number" ? `${predicted} s` : predicted}`}`.trimEnd());
    const services = servicesOf(r.samples);
    for (const svc of services) {
        if (svc in f.outOfRotationSeconds) row(`${svc}: dead targets out of rotation`, seconds(f.outOfRotationSeconds[svc], "still in rotation"), p?.outOfRotationSeconds[svc]);
    }
    for (const svc of services) {
        const c = f.capacity[svc];
        if (!c) continue;
        const measured = c.backSeconds === 0 ? `never below (lowest ${c.lowest})` : `${seconds(c.backSeconds, "not back")} (lowest ${c.lowest})`;
        row(`${svc}: capacity back to min ${c.minSize}`, measured, c.backSeconds === 0 ? undefined : p?.replacementSeconds[svc]);
    }
    if (f.scaleOutSeconds !== undefined) row(`${CPU_STRESSED_SERVICE}: scale-out serving`, seconds(f.scaleOutSeconds, "no scale-out"), p?.scaleOutSeconds[CPU_STRESSED_SERVICE]);
    if (f.database && r.experiment === "dbFailover") {
        const rto = p?.databaseRtoSeconds;
        row("database: unavailable (status not available)", seconds(f.database.unavailableSeconds, "not back"), rto ? `${rto[0]}–${rto[1]} s` : undefined);
        row("database: writer AZ", `${f.database.writerAzBefore ?? "?"} → ${f.database.writerAzAfter ?? "?"}`);
    }
    if (f.http5xx) row("ALB 5xx during the experiment", `${f.http5xx.elb} ELB + ${f.http5xx.target} target (peak ${f.http5xx.peakPerMinute}/min)`);
    lines.push("", `Experiment ended as: ${r.endedAs}${r.interrupted ? " (interrupted by Ctrl-C)" : ""}`);
    return lines.join("\n");
}
