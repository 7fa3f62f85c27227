/**
 * The HA scorecard: each figure with its formula and the resource inputs it came from, read from the
 * recorded resource graph. Published SLA and failover figures come from `sla.json`.
 */
import type { RecordedResource } from "../recorded";
import slaData from "./sla.json";
import {
    capacityAfterAzLoss, downtimeMinutes, downtimeReduction, fraction, replacementSeconds, rollbackTriggerSeconds,
    scaleOutSeconds, serial, TARGET_GROUP_DEFAULTS, targetGroupTiming, type RecordedHealthCheck,
} from "./formulas";
import { COLD_BOOT_SECONDS, COLD_BOOT_STEPS } from "../../Ecomm.Pulumi/web/cold-boot";
import { arr, Graph, num, rec, TYPES } from "./graph";
import type { DatabaseMode } from "../../Ecomm.Pulumi/database/modes";

export interface Figure {
    /** What is measured, e.g. `frontend: dead instance out of rotation`. */
    readonly label: string;
    readonly value: number;
    readonly unit: "s" | "instances" | "%" | "min/month";
    /** The formula with the numbers substituted. */
    readonly formula: string;
    /** The resource inputs the numbers came from (`web-frontend-tg.healthCheck.interval`). */
    readonly from: readonly string[];
}

export interface Scorecard {
    readonly rotation: Figure[];
    readonly drain: Figure[];
    readonly replacement: Figure[];
    readonly scaleOut: Figure[];
    /** Per service: how long a bad rollout (image, boot script) takes to trigger the refresh's auto rollback. */
    readonly rollback: Figure[];
    /** Per service: the grace period against a cold boot plus the healthy checks (web/cold-boot.ts). */
    readonly grace: Figure[];
    /** Per service: instances left after the fullest AZ fails, against the configured minimum. */
    readonly azLoss: (Figure & { readonly minSize: number; readonly staticallyStable: boolean; readonly minForStaticStability: number })[];
    readonly database: {
        readonly mode: DatabaseMode | "none";
        readonly rtoSeconds: readonly number[];
        readonly rpoSeconds: number;
        readonly source: string;
    };
    readonly availability: {
        readonly components: { readonly name: string; readonly percent: number; readonly source: string }[];
        readonly percent: number;
        readonly downtimeMinutesPerMonth: number;
        readonly baselinePercent: number;
        readonly baselineDowntimeMinutesPerMonth: number;
        readonly downtimeReductionPercent: number;
        /** The seed project's unsupported claim, shown beside ours. */
        readonly seedClaimPercent: 35;
        readonly formula: string;
    };
    readonly warnings: string[];
}

const EST = slaData.estimates;
const SLA = slaData.sla;

/** The database's HA mode as the recorded resources show it. */
export function databaseMode(g: Graph): DatabaseMode | "none" {
    const cluster = g.ofType(TYPES.rdsCluster)[0];
    if (cluster) return String(cluster.inputs.engine ?? "").startsWith("aurora") ? "aurora" : "multi-az-cluster";
    const instance = g.ofType(TYPES.rdsInstance)[0];
    if (instance) return instance.inputs.multiAz === true ? "multi-az-instance" : "single-az";
    return "none";
}

/** A recorded target group's health-check input, with only the numbers it sets. */
function recordedHealthCheck(tg: RecordedResource | undefined): RecordedHealthCheck {
    const hc = rec(tg?.inputs.healthCheck);
    return { interval: num(hc.interval), timeout: num(hc.timeout), healthyThreshold: num(hc.healthyThreshold), unhealthyThreshold: num(hc.unhealthyThreshold) };
}

function round(n: number, digits = 3): number {
    const f = 10 ** digits;
    return Math.round(n * f) / f;
}

export function buildScorecard(resources: readonly RecordedResource[], environment: string): Scorecard {
    const g = new Graph(resources);
    const warnings: string[] = [];
    const rotation: Figure[] = [];
    const drain: Figure[] = [];
    const replacement: Figure[] = [];
    const scaleOut: Figure[] = [];
    const rollback: Figure[] = [];
    const graceFigures: Figure[] = [];
    const alarmsByName = new Map(g.ofType(TYPES.alarm).map((a) => [String(a.inputs.name ?? a.state.name ?? ""), a]));
    const azLoss: Scorecard["azLoss"] = [];

    for (const tg of g.ofType(TYPES.targetGroup)) {
        const hc = recordedHealthCheck(tg);
        const { interval, unhealthyThreshold: threshold } = hc;
        const delay = num(tg.inputs.deregistrationDelay);
        const service = g.serviceOf(tg);
        const timing = targetGroupTiming(hc, delay);
        const detection = timing.detectionSeconds;
        rotation.push({
            label: `${service}: dead instance out of rotation`,
            value: detection,
            unit: "s",
            formula: `interval ${interval ?? `${TARGET_GROUP_DEFAULTS.intervalSeconds} (AWS default)`} s × unhealthy threshold ${threshold ?? `${TARGET_GROUP_DEFAULTS.unhealthyThreshold} (AWS default)`} = ${detection} s`,
            from: [`${tg.name}.healthCheck.interval`, `${tg.name}.healthCheck.unhealthyThreshold`],
        });
        const drained = timing.drainSeconds;
        drain.push({
            label: `${service}: connection drain`,
            value: drained,
            unit: "s",
            formula: `deregistration delay = ${drained} s${delay === undefined ? " (AWS default)" : ""}`,
            from: [`${tg.name}.deregistrationDelay`],
        });
        if (detection > 30) warnings.push(`${service}: health checks take ${detection} s to take a dead instance out of rotation (over 30 s)`);
        if (drained > 60) warnings.push(`${service}: a ${drained} s deregistration delay slows every deployment and scale-in`);
    }

    const azCountOf = (asg: RecordedResource) => arr(asg.inputs.vpcZoneIdentifiers).length || arr(asg.inputs.availabilityZones).length;
    for (const asg of g.ofType(TYPES.asg)) {
        const service = g.serviceOf(asg);
        const min = num(asg.inputs.minSize) ?? 0;
        const azs = azCountOf(asg);
        const grace = num(asg.inputs.healthCheckGracePeriod) ?? 300;
        const warm = Object.keys(rec(asg.inputs.warmPool)).length > 0;
        const tg = g.targetGroupsOf(asg)[0];
        const timing = targetGroupTiming(recordedHealthCheck(tg), num(tg?.inputs.deregistrationDelay));
        const detection = timing.detectionSeconds;
        const launch = warm ? EST.warmPoolLaunchSeconds : EST.instanceLaunchSeconds;
        const boot = warm ? 0 : COLD_BOOT_SECONDS;
        const replaced = replacementSeconds(detection, launch, boot, grace);
        replacement.push({
            label: `${service}: failed instance replaced`,
            value: replaced,
            unit: "s",
            formula: `detection ${detection} s + launch ${launch} s${warm ? " (warm pool)" : ""} + boot ${boot} s + grace ${grace} s = ${replaced} s`,
            from: [`${tg?.name ?? "(no target group)"}.healthCheck`, `${asg.name}.healthCheckGracePeriod`, `${asg.name}.warmPool`, "sla.json estimates", "web/cold-boot.ts COLD_BOOT_STEPS"],
        });

        const healthy = timing.healthySeconds;
        const graceNeeded = COLD_BOOT_SECONDS + healthy;
        graceFigures.push({
            label: `${service}: grace period over a cold boot`,
            value: grace - graceNeeded,
            unit: "s",
            formula: `grace ${grace} s − (cold boot ${COLD_BOOT_SECONDS} s [${COLD_BOOT_STEPS.map((s) => s.seconds).join(" + ")}] + interval × healthy threshold ${healthy} s) = ${grace - graceNeeded} s to spare`,
            from: [`${asg.name}.healthCheckGracePeriod`, `${tg?.name ?? "(no target group)"}.healthCheck`, "web/cold-boot.ts COLD_BOOT_STEPS"],
        });
        if (grace < graceNeeded) warnings.push(`${service}: a ${grace} s grace period is shorter than a cold boot plus healthy checks (${graceNeeded} s): booting instances get replaced`);

        const prefs = rec(rec(asg.inputs.instanceRefresh).preferences);
        const watched = arr(rec(prefs.alarmSpecification).alarms).map(String);
        const alarms = watched.map((n) => alarmsByName.get(n)).filter((a): a is RecordedResource => a !== undefined);
        if (watched.length > alarms.length) warnings.push(`${service}: the instance refresh watches alarms that do not exist: ${watched.filter((n) => !alarmsByName.has(n)).join(", ")}`);
        if (prefs.autoRollback !== true) warnings.push(`${service}: instance refreshes do not roll back by themselves`);
        else if (alarms.length === 0) warnings.push(`${service}: instance refreshes roll back only when they fail, not on an alarm`);
        else {
            const fastest = alarms
                .map((a) => ({ a, datapoints: num(a.inputs.datapointsToAlarm) ?? num(a.inputs.evaluationPeriods) ?? 1, period: num(a.inputs.period) ?? 60 }))
                .sort((x, y) => x.datapoints * x.period - y.datapoints * y.period)[0];
            const seconds = rollbackTriggerSeconds(detection, fastest.datapoints, fastest.period);
            rollback.push({
                label: `${service}: bad rollout rolled back after`,
                value: seconds,
                unit: "s",
                formula: `detection ${detection} s + ${fastest.a.name}: ${fastest.datapoints} datapoints × ${fastest.period} s + ${fastest.period} s publication = ${seconds} s from a bad instance's registration; checkpoints ${arr(prefs.checkpointPercentages).join("/")} % pause ${String(prefs.checkpointDelay ?? 3600)} s`,
                from: [`${asg.name}.instanceRefresh.preferences`, `${fastest.a.name}.datapointsToAlarm`, `${fastest.a.name}.period`, `${tg?.name ?? "(no target group)"}.healthCheck`],
            });
        }

        const warmupDefault = num(asg.inputs.defaultInstanceWarmup);
        for (const policy of g.policiesOf(asg)) {
            const warmup = num(policy.inputs.estimatedInstanceWarmup) ?? warmupDefault ?? 300;
            let datapoints: number;
            let period: number;
            let trigger: string;
            if (policy.inputs.policyType === "StepScaling") {
                const alarm = g.alarmTriggering(policy);
                if (!alarm) {
                    warnings.push(`${service}: step-scaling policy ${policy.name} has no alarm triggering it`);
                    continue;
                }
                datapoints = num(alarm.inputs.datapointsToAlarm) ?? num(alarm.inputs.evaluationPeriods) ?? 1;
                period = num(alarm.inputs.period) ?? 60;
                trigger = `${alarm.name}: ${datapoints} datapoints × ${period} s`;
            } else {
                // Target tracking creates its own high alarm: 3 datapoints of 1 minute (Application Auto Scaling docs).
                datapoints = 3;
                period = 60;
                trigger = `target-tracking alarm: 3 datapoints × 60 s`;
            }
            const seconds = scaleOutSeconds(datapoints, period, warmup);
            scaleOut.push({
                label: `${service}: scale-out reaction (${policy.name})`,
                value: seconds,
                unit: "s",
                formula: `${trigger} + warmup ${warmup} s = ${seconds} s`,
                from: [`${policy.name}.policyType`, `${policy.name}.estimatedInstanceWarmup`, `${asg.name}.defaultInstanceWarmup`],
            });
        }
        if (g.policiesOf(asg).length === 0) warnings.push(`${service}: no scaling policy; capacity will not follow demand`);

        const left = capacityAfterAzLoss(min, azs);
        let needed = min;
        while (azs > 1 && capacityAfterAzLoss(needed, azs) < min) needed++;
        azLoss.push({
            label: `${service}: instances left after losing the fullest AZ`,
            value: left,
            unit: "instances",
            formula: `min ${min} − ceil(${min} / ${azs} AZs) = ${left} (${min > 0 ? Math.round((left / min) * 100) : 0} % of min)`,
            from: [`${asg.name}.minSize`, `${asg.name}.vpcZoneIdentifiers`],
            minSize: min,
            staticallyStable: left >= min && min > 0,
            minForStaticStability: azs > 1 ? needed : Number.NaN,
        });
        if (environment === "prod" && min < 2) warnings.push(`${service}: minSize ${min} in prod — one instance failure takes the service down`);
        if (azs < 2) warnings.push(`${service}: the Auto Scaling group uses ${azs} AZ; an AZ failure takes the service down`);
        if (left === 0) warnings.push(`${service}: losing one AZ leaves no instance until the ASG replaces capacity`);
    }

    const vpc = g.vpc();
    if (vpc) {
        const nats = arr(vpc.state.natGateways).length;
        const azs = arr(vpc.state.publicSubnetIds).length;
        if (nats === 1 && azs > 1) warnings.push(`NAT gateway in one AZ only: if that AZ fails, instances in the other ${azs - 1} AZ(s) lose egress (SSM, updates)`);
        if (nats === 0) warnings.push("no NAT gateway: private instances have no egress");
    }

    const mode = databaseMode(g);
    const failover = mode === "none" ? undefined : slaData.failover[mode];
    if (mode === "single-az") warnings.push("database has no standby: an instance or AZ failure means a restore (minutes to an hour) and up to 5 minutes of lost writes");

    const lbPresent = g.ofType(TYPES.lb).length > 0;
    // The EC2 region-level SLA covers instances running in two or more AZs at once: an ASG whose minimum
    // is one instance is a single instance most of the time, whatever subnets it may launch into.
    const multiAzCompute = g.ofType(TYPES.asg).length > 0 && g.ofType(TYPES.asg).every((a) => azCountOf(a) >= 2 && (num(a.inputs.minSize) ?? 0) >= 2);
    const components: Scorecard["availability"]["components"] = [];
    if (lbPresent) components.push({ name: "Application Load Balancer", ...SLA.alb });
    components.push(multiAzCompute ? { name: "EC2 across ≥ 2 AZs (min ≥ 2)", ...SLA.ec2MultiAz } : { name: "EC2 single instance (min 1 or one AZ)", ...SLA.ec2SingleInstance });
    if (mode === "aurora") components.push({ name: "Aurora (Multi-AZ)", ...SLA.aurora });
    else if (mode === "multi-az-instance" || mode === "multi-az-cluster") components.push({ name: `RDS ${mode}`, ...SLA.rdsMultiAz });
    else if (mode === "single-az") components.push({ name: "RDS single-AZ", ...SLA.rdsSingleAz });
    const availability = serial(components.map((c) => fraction(c.percent)));
    const baseline = serial([fraction(SLA.alb.percent), fraction(SLA.ec2SingleInstance.percent), fraction(SLA.rdsSingleAz.percent)]);

    return {
        rotation,
        drain,
        replacement,
        scaleOut,
        rollback,
        grace: graceFigures,
        azLoss,
        database: {
            mode,
            rtoSeconds: failover?.rtoSeconds ?? [],
            rpoSeconds: failover?.rpoSeconds ?? 0,
            source: failover?.source ?? "no database",
        },
        availability: {
            components,
            percent: round(availability * 100, 4),
            downtimeMinutesPerMonth: round(downtimeMinutes(availability), 1),
            baselinePercent: round(baseline * 100, 4),
            baselineDowntimeMinutesPerMonth: round(downtimeMinutes(baseline), 1),
            downtimeReductionPercent: round(downtimeReduction(availability, baseline) * 100, 1),
            seedClaimPercent: 35,
            formula: `${components.map((c) => `${c.percent} %`).join(" × ")} (vs baseline ALB × EC2 single instance × RDS single-AZ)`,
        },
        warnings,
    };
}

/**
 * The scale-out figures once per service: its fastest reaction, then each distinct formula once with the
 * policies it applies to (three policies with the same 300 s read as one line, not three).
 */
export function scaleOutByService(figures: readonly Figure[]): string[] {
    const services = [...new Set(figures.map((f) => f.label.split(":")[0]))];
    return services.flatMap((service) => {
        const mine = figures.filter((f) => f.label.startsWith(`${service}:`));
        const policy = (f: Figure) => /\(([^)]+)\)$/.exec(f.label)?.[1] ?? f.label;
        const fastest = Math.min(...mine.map((f) => f.value));
        const slowest = Math.max(...mine.map((f) => f.value));
        const formulas = [...new Set(mine.map((f) => f.formula))];
        return [
            `  ${service}: scale-out reaction: ${fastest === slowest ? `${fastest} s` : `${fastest} s (fastest; slowest ${slowest} s)`}, ${mine.length} polic${mine.length === 1 ? "y" : "ies"}: ${mine.map(policy).join(", ")}`,
            ...formulas.map((formula) => `      ${formula} (${mine.filter((f) => f.formula === formula).map(policy).join(", ")})`),
        ];
    });
}

export function renderScorecard(s: Scorecard): string {
    const fig = (f: Figure) => `  ${f.label}: ${f.value} ${f.unit}\n      ${f.formula}\n      from ${f.from.join(", ")}`;
    const lines = ["HA scorecard"];
    lines.push(" Out of rotation", ...s.rotation.map(fig), " Connection drain", ...s.drain.map(fig));
    lines.push(" Replacement", ...s.replacement.map(fig), " Scale-out", ...scaleOutByService(s.scaleOut));
    lines.push(" Rollout rollback", ...s.rollback.map(fig), " Grace period", ...s.grace.map(fig));
    lines.push(" AZ loss (static stability)", ...s.azLoss.map((f) => `${fig(f)}\n      ${f.staticallyStable ? "statically stable: min capacity survives the AZ loss" : `below min until the ASG replaces capacity; min ${f.minForStaticStability} would be statically stable`}`));
    const rto = s.database.rtoSeconds;
    lines.push(
        ` Database (${s.database.mode})`,
        `  failover RTO ${rto.length ? `${rto[0]}–${rto[1]} s` : "n/a"}, RPO ${s.database.rpoSeconds} s`,
        `      source: ${s.database.source}`,
    );
    const a = s.availability;
    lines.push(
        " Modeled monthly availability",
        `  ${a.percent} % = ${a.formula}`,
        ...a.components.map((c) => `      ${c.name}: ${c.percent} % (${c.source})`),
        `  downtime ${a.downtimeMinutesPerMonth} min/month vs ${a.baselineDowntimeMinutesPerMonth} min/month for a single-AZ, single-instance baseline (${a.baselinePercent} %)`,
        `  downtime reduction: ${a.downtimeReductionPercent} % (the seed project claimed ${a.seedClaimPercent} %)`,
    );
    return lines.join("\n");
}
