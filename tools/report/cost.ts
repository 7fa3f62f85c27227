/**
 * The monthly cost estimate: one line per priced item, read from the recorded resource graph and the
 * dated price table (`prices.<region>.json`). An instance type or region with no price is reported as
 * unpriced — its line has `monthly: null` and the total says it is incomplete — never counted as zero.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { RecordedResource } from "../recorded";
import { showValue, strictObject } from "../../Ecomm.Pulumi/config/parse";
import { arr, Graph, num, rec, str, TYPES } from "./graph";
import { databaseMode } from "./scorecard";
import { columns, paint, PLAIN, type Style } from "../plan/style";

export interface PriceTable {
    readonly region: string;
    readonly currency: string;
    readonly hoursPerMonth: number;
    readonly asOf: string;
    readonly ec2PerHour: { readonly source: string; readonly prices: Readonly<Record<string, number>> };
    readonly rdsPerHour: { readonly source: string; readonly prices: Readonly<Record<string, number>> };
    readonly auroraPerHour: { readonly source: string; readonly prices: Readonly<Record<string, number>> };
    readonly unit: Readonly<Record<string, number | string>> & { readonly source: string };
    readonly usage: Readonly<Record<string, number | string>>;
}

export type Usage = Readonly<Record<string, number>>;

/**
 * The usage assumptions `--usage FILE` may override: the same keys as the price table's `usage` (a test keeps
 * them equal), each a finite number >= 0 in its unit; counts are whole numbers.
 */
export const USAGE_KEYS = {
    albLcus: { unit: "LCUs per hour, averaged over the month", whole: false },
    natGbPerMonthPerGateway: { unit: "GB processed per NAT gateway per month", whole: false },
    flowLogGbPerMonth: { unit: "GB of VPC flow logs ingested per month", whole: false },
    appLogGbPerMonthPerService: { unit: "GB of service logs ingested per service per month", whole: false },
    accessLogGbPerMonth: { unit: "GB of ALB access logs stored", whole: false },
    requestsMillionsPerMonth: { unit: "million requests per month (WAF)", whole: false },
    wafRuleGroups: { unit: "WAF rules, when the web ACL lists none", whole: true },
} as const satisfies Record<string, { unit: string; whole: boolean }>;

/** The `--usage` file's schema: unknown keys refused (with the nearest known one), each value a number in range. */
export const usageSchema = strictObject(
    Object.fromEntries(
        Object.entries(USAGE_KEYS).map(([key, { unit, whole }]) => {
            const allowed = `${whole ? "a whole number" : "a number"} >= 0 (${unit})`;
            const n = z.number({ error: `must be ${allowed}` }).finite({ error: `must be ${allowed}` }).min(0, { error: `must be ${allowed}` });
            return [key, (whole ? n.int({ error: `must be ${allowed}` }) : n).optional()];
        }),
    ) as Record<keyof typeof USAGE_KEYS, z.ZodOptional<z.ZodNumber>>,
);

/** Thrown for a `--usage` file that is not JSON or not valid usage; names the file and every bad key. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Validates parsed `--usage` content (from `source`, for the messages) into overrides. */
export function parseUsage(value: unknown, source: string): Usage {
    const result = usageSchema.safeParse(value, { reportInput: true });
    if (result.success) return Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined)) as Usage;
    const problems = result.error.issues.flatMap((issue) => {
        if (issue.code === "unrecognized_keys") return issue.keys.map((k) => `  - ${k} = ${showValue((value as Record<string, unknown>)[k])}: ${issue.message}`);
        const key = issue.path.map(String).join(".") || "(the whole file)";
        return [`  - ${key} = ${showValue(issue.path.length ? issue.input : value)}: ${issue.message}`];
    });
    return reject(`--usage ${source}: invalid usage assumptions (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.join("\n")}`);
}

function reject(message: string): never {
    throw new UsageError(message);
}

/** Reads and validates a `--usage` file; a missing file or a JSON syntax error names the file. */
export function readUsageFile(file: string): Usage {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        return reject(`--usage ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text) as unknown;
    } catch (err) {
        return reject(`--usage ${file}: not JSON (${(err as Error).message.replace(/\s+/g, " ")}); expected an object such as {"albLcus": 5}`);
    }
    return parseUsage(value, file);
}

export interface CostLine {
    readonly item: string;
    readonly detail: string;
    /** Monthly USD at the ASGs' minimum size; null when unpriced. */
    readonly monthly: number | null;
    /** Monthly USD at the ASGs' maximum size (equal to `monthly` for fixed items). */
    readonly monthlyAtMax: number | null;
    readonly source: string;
}

export interface CostEstimate {
    readonly region: string;
    readonly currency: string;
    readonly asOf: string;
    readonly lines: CostLine[];
    /** Monthly USD at min size; null when anything is unpriced (a partial sum is not a total). */
    readonly totalAtMin: number | null;
    /** Monthly USD at max size; null when anything is unpriced. */
    readonly totalAtMax: number | null;
    /** The sum of the priced lines alone, at min and at max: equal to the totals when nothing is unpriced. */
    readonly pricedSubtotal: { readonly atMin: number; readonly atMax: number };
    /** Items the table has no price for; when any, the totals are null. */
    readonly unpriced: string[];
    readonly usage: Usage;
}

/** The shipped price table for a region, or undefined when the region is not priced. */
export function loadPriceTable(region: string): PriceTable | undefined {
    const file = path.join(__dirname, `prices.${region}.json`);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable) : undefined;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function estimateCost(resources: readonly RecordedResource[], table: PriceTable, usageOverrides: Usage = {}): CostEstimate {
    const g = new Graph(resources);
    const h = table.hoursPerMonth;
    const u = table.unit as Readonly<Record<string, number>>;
    const usage: Usage = { ...(Object.fromEntries(Object.entries(table.usage).filter(([, v]) => typeof v === "number")) as Usage), ...usageOverrides };
    const lines: CostLine[] = [];
    const unpriced: string[] = [];
    const fixed = (item: string, detail: string, monthly: number, source = table.unit.source) =>
        lines.push({ item, detail, monthly: round2(monthly), monthlyAtMax: round2(monthly), source });
    const missing = (item: string, detail: string, what: string) => {
        unpriced.push(what);
        lines.push({ item, detail: `${detail} — no price for ${what} in ${table.region}`, monthly: null, monthlyAtMax: null, source: "unpriced" });
    };

    // EC2 instances and their root volumes, at min and at max.
    for (const asg of g.ofType(TYPES.asg)) {
        const lt = g.launchTemplateOf(asg);
        const type = str(lt?.inputs.instanceType) ?? "unknown";
        const min = num(asg.inputs.minSize) ?? 0;
        const max = num(asg.inputs.maxSize) ?? min;
        const price = table.ec2PerHour.prices[type];
        if (price === undefined) missing(`EC2 ${g.serviceOf(asg)}`, `${min}–${max} × ${type}`, `EC2 ${type}`);
        else lines.push({ item: `EC2 ${g.serviceOf(asg)}`, detail: `${min}–${max} × ${type} @ $${price}/h`, monthly: round2(min * price * h), monthlyAtMax: round2(max * price * h), source: table.ec2PerHour.source });
        const gb = arr<Record<string, unknown>>(lt?.inputs.blockDeviceMappings).reduce((sum, m) => sum + (num(rec(m.ebs).volumeSize) ?? 8), 0);
        lines.push({ item: `EBS ${g.serviceOf(asg)}`, detail: `${min}–${max} × ${gb} GiB gp3`, monthly: round2(min * gb * u.ebsGp3PerGbMonth), monthlyAtMax: round2(max * gb * u.ebsGp3PerGbMonth), source: table.unit.source });
    }

    // Load balancer, its public IPv4 addresses (one per AZ node), WAF.
    const azs = arr(g.vpc()?.state.publicSubnetIds).length;
    for (const lb of g.ofType(TYPES.lb)) {
        const nodes = arr(lb.inputs.subnets).length || azs;
        fixed("ALB", `730 h + ${usage.albLcus} LCU`, h * u.albPerHour + h * usage.albLcus * u.albLcuPerHour);
        fixed("ALB public IPv4", `${nodes} addresses`, nodes * h * u.publicIpv4PerHour);
    }
    for (const acl of g.ofType(TYPES.webAcl)) {
        const rules = arr(acl.inputs.rules).length || usage.wafRuleGroups;
        fixed("WAF", `1 web ACL + ${rules} rules + ${usage.requestsMillionsPerMonth} M requests`, u.wafWebAclPerMonth + rules * u.wafRulePerMonth + usage.requestsMillionsPerMonth * u.wafPerMillionRequests);
    }

    // NAT gateways and their Elastic IPs.
    const nats = arr(g.vpc()?.state.natGateways).length;
    if (nats > 0) {
        fixed("NAT gateways", `${nats} × (730 h + ${usage.natGbPerMonthPerGateway} GB)`, nats * (h * u.natGatewayPerHour + usage.natGbPerMonthPerGateway * u.natGatewayPerGb));
        fixed("NAT public IPv4", `${nats} addresses`, nats * h * u.publicIpv4PerHour);
    }

    // Databases.
    for (const db of g.ofType(TYPES.rdsInstance)) {
        const cls = String(db.inputs.instanceClass);
        const copies = db.inputs.multiAz === true ? 2 : 1;
        const price = table.rdsPerHour.prices[cls];
        if (price === undefined) missing("RDS instance", `${copies} × ${cls}`, `RDS ${cls}`);
        else fixed("RDS instance", `${cls} × ${copies}${copies === 2 ? " (Multi-AZ: primary + standby)" : ""}`, copies * price * h, table.rdsPerHour.source);
        const gb = num(db.inputs.allocatedStorage) ?? 20;
        fixed("RDS storage", `${gb} GiB gp3 × ${copies}`, copies * gb * u.rdsGp3PerGbMonth);
    }
    for (const cluster of g.ofType(TYPES.rdsCluster)) {
        const aurora = databaseMode(g) === "aurora";
        if (aurora) {
            for (const inst of g.ofType(TYPES.rdsClusterInstance)) {
                const cls = String(inst.inputs.instanceClass);
                const price = table.auroraPerHour.prices[cls];
                if (price === undefined) missing("Aurora instance", `${inst.name} ${cls}`, `Aurora ${cls}`);
                else fixed("Aurora instance", `${inst.name} ${cls}`, price * h, table.auroraPerHour.source);
            }
            fixed("Aurora storage", `assumed ${num(cluster.inputs.allocatedStorage) ?? 100} GiB`, (num(cluster.inputs.allocatedStorage) ?? 100) * u.auroraStoragePerGbMonth);
        } else {
            const cls = String(cluster.inputs.dbClusterInstanceClass);
            const price = table.rdsPerHour.prices[cls];
            if (price === undefined) missing("RDS Multi-AZ DB cluster", `3 × ${cls}`, `RDS ${cls}`);
            else fixed("RDS Multi-AZ DB cluster", `3 × ${cls} (writer + 2 readable standbys)`, 3 * price * h, table.rdsPerHour.source);
            const gb = num(cluster.inputs.allocatedStorage) ?? 100;
            fixed("RDS cluster storage", `${gb} GiB × 3 copies`, 3 * gb * u.rdsGp3PerGbMonth);
        }
    }
    const secrets = [...g.ofType(TYPES.rdsInstance), ...g.ofType(TYPES.rdsCluster)].filter((r) => r.inputs.manageMasterUserPassword === true).length;
    if (secrets > 0) fixed("Secrets Manager", `${secrets} managed master secret(s)`, secrets * u.secretPerMonth);

    const keys = g.ofType(TYPES.kmsKey).length;
    if (keys > 0) fixed("KMS", `${keys} customer-managed key(s)`, keys * u.kmsKeyPerMonth);

    // CloudWatch.
    const alarms = g.ofType(TYPES.alarm);
    const metrics = alarms.reduce((n, a) => n + Math.max(1, arr<Record<string, unknown>>(a.inputs.metricQueries).filter((q) => q.metric).length), 0);
    if (alarms.length > 0) fixed("CloudWatch alarms", `${alarms.length} alarms over ${metrics} metrics`, metrics * u.alarmStandardPerMonth);
    const composites = g.ofType(TYPES.compositeAlarm).length;
    if (composites > 0) fixed("CloudWatch composite alarms", `${composites}`, composites * u.compositeAlarmPerMonth);
    const dashboards = g.ofType(TYPES.dashboard).length;
    if (dashboards > 0) fixed("CloudWatch dashboards", `${dashboards} (beyond the 3 free)`, dashboards * u.dashboardPerMonth);
    const serviceLogs = g.ofType(TYPES.logGroup).filter((l) => l.parentUrn.includes("ecomm:web:ServiceComponent"));
    const services = new Set(serviceLogs.map((l) => g.serviceOf(l))).size;
    if (services > 0) {
        const gb = services * usage.appLogGbPerMonthPerService;
        fixed("CloudWatch Logs (services)", `${serviceLogs.length} log groups, ${gb} GB ingested`, gb * (u.logsIngestPerGb + u.logsStoragePerGbMonth));
    }
    if (g.ofType(TYPES.flowLog).length > 0) fixed("VPC flow logs", `${usage.flowLogGbPerMonth} GB ingested`, usage.flowLogGbPerMonth * (u.logsIngestPerGb + u.logsStoragePerGbMonth));
    // The ALB's access logs (the web tier's buckets); the app's artifact buckets hold a few MB per build.
    const logBuckets = g.ofType(TYPES.bucket).filter((b) => b.parentUrn.includes("ecomm:web:WebTierComponent")).length;
    if (logBuckets > 0) fixed("S3 access logs", `${usage.accessLogGbPerMonth} GB stored`, usage.accessLogGbPerMonth * u.s3StandardPerGbMonth);

    const sum = (key: "monthly" | "monthlyAtMax") => round2(lines.reduce((total, l) => total + (l[key] ?? 0), 0));
    const complete = unpriced.length === 0;
    return {
        region: table.region,
        currency: table.currency,
        asOf: table.asOf,
        lines,
        totalAtMin: complete ? sum("monthly") : null,
        totalAtMax: complete ? sum("monthlyAtMax") : null,
        pricedSubtotal: { atMin: sum("monthly"), atMax: sum("monthlyAtMax") },
        unpriced,
        usage,
    };
}

/** The estimate for a region without a price table: every line unpriced. */
export function unpricedRegion(region: string): CostEstimate {
    return { region, currency: "USD", asOf: "", lines: [], totalAtMin: null, totalAtMax: null, pricedSubtotal: { atMin: 0, atMax: 0 }, unpriced: [`region ${region}`], usage: {} };
}

export function renderCost(c: CostEstimate, style: Style = PLAIN): string {
    const money = (v: number | null) => (v === null ? "unpriced" : `$${v.toFixed(2)}`);
    const incomplete = c.totalAtMin === null || c.totalAtMax === null;
    const rows = [
        ["  item", "at min", "at max", "detail"],
        ...c.lines.map((l) => [`  ${l.item}`, money(l.monthly), money(l.monthlyAtMax), l.detail]),
        incomplete
            ? ["  total", "unknown", "unknown", paint(style, "red", `INCOMPLETE: no price for ${c.unpriced.join(", ")}, so no total`)]
            : ["  total", money(c.totalAtMin), money(c.totalAtMax), ""],
    ];
    return [
        paint(style, "bold", `Monthly cost (${c.region}, ${c.currency}, list prices as of ${c.asOf || "n/a"})`),
        ...columns(style, rows, [1, 2]),
        `  usage assumptions: ${Object.entries(c.usage).map(([k, v]) => `${k}=${v}`).join(", ") || "n/a"}`,
    ].join("\n");
}
