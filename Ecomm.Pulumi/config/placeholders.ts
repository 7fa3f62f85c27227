/**
 * No placeholder ever reaches AWS.
 *
 * - `placeholderProblems`: under the real engine, every config value (every namespace, every nested
 *   leaf) is searched for documentation placeholders: AWS's documentation account 123456789012, the
 *   all-zero account, all-zero UUIDs and resource ids, and the names RFC 2606/6761 reserve
 *   (example.com/.net/.org and their subdomains, *.example, *.test, *.invalid, *.localhost). Each is
 *   refused with the `pulumi config set` command that replaces it.
 * - `REQUIRED_VALUES`: the values a stack file cannot ship because only its user knows them (prod's
 *   certificate, prod's on-call address). The schema refuses their absence, with the command; the offline
 *   engine puts a labelled stand-in in their place (`standInsFor`), so `npm run plan` works on a fresh clone.
 */
import { structured, type ConfigProblem } from "./parse";
import { BUILT_IN_SERVICE_NAMES } from "../web/services";

export const DOCUMENTATION_ACCOUNT = "123456789012";

/** An AMI id no region has (all zeros): unmistakably not a real image. */
export const STAND_IN_AMI = "ami-00000000000000000";

/** One value the offline engine put in place of a missing one. */
export interface StandIn {
    /** The full key, as `pulumi config set --path` takes it: `ecomm:monitoring.alarmEmails[0]`. */
    readonly key: string;
    readonly value: string;
    /** Why the stack needs it. */
    readonly why: string;
    /** The command that sets the real value. */
    readonly fix: string;
}

/** The parts of the stack's config (raw or parsed) that decide whether a required value is missing. */
export interface RequiredView {
    readonly environment?: unknown;
    readonly domain?: unknown;
    readonly certificateArn?: unknown;
    readonly monitoring?: { readonly alarmEmails?: unknown };
    readonly frontend?: { readonly ami?: unknown };
    readonly backend?: { readonly ami?: unknown };
}

export interface RequiredValue {
    /** Where the value goes, below the `ecomm:` namespace: `["monitoring", "alarmEmails", 0]`. */
    readonly path: readonly (string | number)[];
    /** Where the schema reports its absence. */
    readonly problemPath: readonly string[];
    /** What the schema says when it is missing. */
    readonly message: string;
    readonly missing: (c: RequiredView) => boolean;
    /** What the user puts in the `pulumi config set` command. */
    readonly hint: (region: string) => string;
    /** A command that finds and writes the value, where one exists; `pulumi config set` otherwise. */
    readonly command?: (ctx: FixContext) => string;
    /** The offline stand-in: itself a placeholder, so the real engine would refuse it too. */
    readonly standIn: (region: string) => string;
    readonly why: string;
}

const isProd = (c: RequiredView) => c.environment === "prod";

export const REQUIRED_VALUES: readonly RequiredValue[] = [
    {
        path: ["certificateArn"],
        problemPath: ["certificateArn"],
        message: "is required in prod unless ecomm:domain is set: prod serves HTTPS only",
        missing: (c) => isProd(c) && c.domain === undefined && c.certificateArn === undefined,
        hint: (region) => `<ARN of an issued ACM certificate in ${region}>`,
        standIn: (region) => `arn:aws:acm:${region}:${DOCUMENTATION_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
        why: "prod serves HTTPS only: its listener needs an ACM certificate in aws:region (or set ecomm:domain to have one issued)",
    },
    {
        path: ["monitoring", "alarmEmails", 0],
        problemPath: ["monitoring", "alarmEmails"],
        message: "must list at least one address in prod: otherwise the alarms page nobody",
        missing: (c) => isProd(c) && !(Array.isArray(c.monitoring?.alarmEmails) && c.monitoring.alarmEmails.length > 0),
        hint: () => "<your on-call address>",
        standIn: () => "stand-in-oncall@example.invalid",
        why: "prod's alarms must page someone: each address gets an SNS email subscription (confirmed by its owner)",
    },
    ...BUILT_IN_SERVICE_NAMES.map(
        (service): RequiredValue => ({
            path: [service, "ami"],
            problemPath: [service, "ami"],
            message: "is required in prod: a pinned AMI id, so prod's OS changes only when you move it",
            missing: (c) => isProd(c) && c[service]?.ami === undefined,
            hint: () => "<ami id>",
            command: (ctx) => `npm run ami:latest -- --stack ${ctx.stack ?? "<stack>"} --write`,
            // All zeros: an id no region has, and a placeholder the real engine refuses.
            standIn: () => STAND_IN_AMI,
            why: "prod pins its AMI, so its OS changes only when you move it: npm run ami:latest looks up the current Amazon Linux 2023 id",
        }),
    ),
];

// ---------------------------------------------------------------------------------------------------
// Fix commands
// ---------------------------------------------------------------------------------------------------

/** `ecomm:monitoring.alarmEmails[0]` as `pulumi config set --path` reads it; odd object keys in `["..."]`. */
export function pathKey(namespace: string, path: readonly (string | number)[]): string {
    const [head, ...rest] = path;
    return `${namespace}:${String(head)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join("");
}

export interface FixContext {
    /** The stack the command sets the value on; the CLI's selected stack when absent. */
    readonly stack?: string;
    /** `aws:region`, for hints that name it. */
    readonly region?: string;
}

/** The exact command that sets a value: `--path` for a nested key, `--secret` for a secret one. */
export function configSetCommand(namespace: string, path: readonly (string | number)[], hint: string, ctx: FixContext & { readonly secret?: boolean }): string {
    const nested = path.length > 1;
    const key = pathKey(namespace, path);
    return ["pulumi config set", ctx.stack ? `--stack ${ctx.stack}` : "", ctx.secret ? "--secret" : "", nested ? "--path" : "", nested ? `'${key}'` : key, hint]
        .filter((part) => part !== "")
        .join(" ");
}

/** The command that sets a required value. */
export function requiredValueFix(value: RequiredValue, ctx: FixContext): string {
    if (value.command) return value.command(ctx);
    return configSetCommand("ecomm", value.path, value.hint(ctx.region ?? "<aws:region>"), ctx);
}

const HINTS: Readonly<Record<string, (region: string) => string>> = {
    "ecomm:certificateArn": (region) => `<ARN of an issued ACM certificate in ${region}>`,
    "ecomm:monitoring.alarmEmails": () => "<your on-call address>",
    "ecomm:domain.name": () => "<your domain name>",
    "ecomm:domain.hostedZoneId": () => "<your Route 53 hosted zone id>",
};

// ---------------------------------------------------------------------------------------------------
// Placeholder detection
// ---------------------------------------------------------------------------------------------------

/** TLDs RFC 2606 and RFC 6761 reserve for documentation and testing; they never resolve on the internet. */
export const RESERVED_TLDS = ["example", "test", "invalid", "localhost"] as const;
/** Second-level names RFC 2606 reserves for documentation. */
export const RESERVED_DOMAINS = ["example.com", "example.net", "example.org"] as const;

const HOST = /[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*/gi;
/** A UUID whose digits are all zero, but for the version and variant nibbles (`00000000-0000-4000-8000-000000000000`). */
const ZERO_UUID = /(^|[^0-9a-f])0{8}-0{4}-[0-9a-f]0{3}-[0-9a-f]0{3}-0{12}(?![0-9a-f])/i;
/** An all-zero AWS resource id: `ami-00000000`, `sg-00000000000000000`. */
const ZERO_RESOURCE_ID = /(^|[^a-z0-9-])[a-z]{1,12}-(0{8}|0{17})(?![0-9a-f])/i;

function reservedName(host: string, whole: string, at: number): string | undefined {
    const name = host.toLowerCase().replace(/\.$/, "");
    const labels = name.split(".");
    const tld = labels[labels.length - 1];
    const sld = labels.slice(-2).join(".");
    if (labels.length >= 2 && (RESERVED_DOMAINS as readonly string[]).includes(sld)) return `${name} is a documentation domain (RFC 2606)`;
    if (labels.length >= 2 && (RESERVED_TLDS as readonly string[]).includes(tld)) return `${name} is under the reserved .${tld} TLD (RFC 2606)`;
    if (name === "localhost" && (whole === host || whole[at - 1] === "@" || whole.slice(Math.max(0, at - 2), at) === "//")) return "localhost is not reachable from AWS";
    return undefined;
}

/** Why `text` is a documentation placeholder, or undefined when it is not one. */
export function placeholderReason(text: string): string | undefined {
    const reasons: string[] = [];
    if (new RegExp(`(^|\\D)${DOCUMENTATION_ACCOUNT}(?!\\d)`).test(text)) reasons.push(`${DOCUMENTATION_ACCOUNT} is AWS's documentation account`);
    // Twelve zeros on their own (an account id), not the last group of a UUID.
    if (/(^|[^0-9a-z-])0{12}(?![0-9a-z-])/i.test(text)) reasons.push("000000000000 is not an account");
    if (ZERO_UUID.test(text)) reasons.push("an all-zero id");
    else if (ZERO_RESOURCE_ID.test(text)) reasons.push("an all-zero resource id");
    for (const m of text.matchAll(HOST)) {
        const reason = reservedName(m[0], text, m.index);
        if (reason && !reasons.includes(reason)) reasons.push(reason);
    }
    return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/** A string or number in a config value; `key`: the placeholder is the object key at `path` (a tag key). */
type Leaf = { readonly namespace: string; readonly path: (string | number)[]; readonly value: string; readonly key?: boolean };

function* leaves(namespace: string, path: (string | number)[], value: unknown): Generator<Leaf> {
    if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) yield* leaves(namespace, [...path, i], v);
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            yield { namespace, path: [...path, k], value: k, key: true };
            yield* leaves(namespace, [...path, k], v);
        }
    } else if (typeof value === "string" || typeof value === "number") {
        yield { namespace, path, value: String(value) };
    }
}


export interface PlaceholderContext extends FixContext {
    /** Whether a top-level key holds a secret (its value is not shown; its command uses `--secret`). */
    readonly isSecret?: (key: string) => boolean;
}

/**
 * Every placeholder in the raw config map the engine passes (every namespace: `aws:` values reach AWS
 * too), each naming its key and the command that replaces it.
 */
export function placeholderProblems(raw: Readonly<Record<string, string>>, ctx: PlaceholderContext = {}): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const [key, text] of Object.entries(raw)) {
        const i = key.indexOf(":");
        if (i < 0) continue;
        const namespace = key.slice(0, i);
        const secret = ctx.isSecret?.(key) ?? false;
        for (const leaf of leaves(namespace, [key.slice(i + 1)], structured(text))) {
            const reason = placeholderReason(leaf.value);
            if (!reason) continue;
            const full = pathKey(leaf.namespace, leaf.path);
            const hint = HINTS[pathKey(leaf.namespace, leaf.path.filter((p) => typeof p === "string"))]?.(ctx.region ?? "<aws:region>") ?? "<your real value>";
            problems.push({
                key: full,
                value: secret ? "[secret]" : leaf.value,
                message: `is a documentation placeholder (${reason}), not a value AWS can use`,
                // A placeholder key (a tag named after an example domain) is removed, then set under a real name.
                fix: leaf.key
                    ? `pulumi config rm${ctx.stack ? ` --stack ${ctx.stack}` : ""} --path '${full}'`
                    : configSetCommand(leaf.namespace, leaf.path, hint, { ...ctx, secret }),
            });
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------------
// Offline stand-ins
// ---------------------------------------------------------------------------------------------------

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
    if (text === undefined) return undefined;
    const value = structured(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The required-value view of the raw config map. */
export function requiredViewOf(raw: Readonly<Record<string, string>>): RequiredView {
    return {
        environment: raw["ecomm:environment"],
        domain: raw["ecomm:domain"],
        certificateArn: raw["ecomm:certificateArn"],
        monitoring: parseObject(raw["ecomm:monitoring"]),
        frontend: parseObject(raw["ecomm:frontend"]),
        backend: parseObject(raw["ecomm:backend"]),
    };
}

function setPath(target: Record<string, unknown> | unknown[], path: readonly (string | number)[], value: unknown): void {
    const [head, ...rest] = path;
    const container = target as Record<string | number, unknown>;
    if (rest.length === 0) {
        container[head] = value;
        return;
    }
    const next = container[head];
    const child = next && typeof next === "object" ? (next as Record<string, unknown>) : typeof rest[0] === "number" ? [] : {};
    container[head] = child;
    setPath(child, rest, value);
}

/**
 * For the offline engine: the raw map with a labelled stand-in for each required value it lacks, and the
 * list of stand-ins used. The real engine never calls this.
 */
export function withStandIns(raw: Readonly<Record<string, string>>, region: string, stack?: string): { config: Record<string, string>; standIns: StandIn[] } {
    const config = { ...raw };
    const standIns: StandIn[] = [];
    const view = requiredViewOf(raw);
    for (const required of REQUIRED_VALUES) {
        if (!required.missing(view)) continue;
        const value = required.standIn(region);
        const [top, ...rest] = required.path;
        const key = `ecomm:${String(top)}`;
        if (rest.length === 0) {
            config[key] = value;
        } else {
            const object = parseObject(config[key]) ?? {};
            setPath(object, rest, value);
            config[key] = JSON.stringify(object);
        }
        standIns.push({ key: pathKey("ecomm", required.path), value, why: required.why, fix: requiredValueFix(required, { stack, region }) });
    }
    return { config, standIns };
}
