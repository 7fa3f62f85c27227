/**
 * The stack's configuration: the root schema composes each area's part (`network/config.ts`,
 * `web/config.ts`, `database/config.ts`, `monitoring/config.ts`, `resilience/config.ts`, `dns/config.ts`),
 * each with its own defaults per environment, and adds the rules that span areas, each a named function
 * below. The stack program reads config once (`loadStackConfig`); components never read config.
 *
 * Every problem is collected and reported at once, each naming the full key (`ecomm:frontend.minSize`),
 * the bad value and what is allowed, before any resource is registered.
 */
import { z } from "zod";
import { appSchema, storefrontEngineProblem } from "../app/config";
import { appPortProblem } from "../app/artifact-plan";
import { databaseSchema } from "../database/config";
import { hasStandby, requiredAvailabilityZones, STANDBY_MODES } from "../database/modes";
import { certificateArnSchema, certificateRegion, domainSchema } from "../dns/config";
import { monitoringSchema } from "../monitoring/config";
import { availabilityZoneCount, AZ_NAME, isZoneOfRegion, targetZoneProblem, zoneOfRegionRule } from "../network/availability-zones";
import { networkSchema } from "../network/config";
import { resilienceSchema } from "../resilience/config";
import { MAX_USER_TAGS, tagKeyProblem, tagValueProblem } from "../shared/tags";
import { extraServicesSchema, loadBalancerSchema, logsSchema, serviceSchema, type ExtraServiceConfig, type ServiceConfig } from "../web/config";
import { routingProblems, serviceConfigKey, serviceTable, type RoutedService, type ServiceDefinition } from "../web/services";
import { CONFIG_NAMESPACE, ENVIRONMENTS, type Environment } from "./environments";
import { oneOf, strict } from "./fields";
import { NamespaceConfigError, parseNamespace, type ConfigProblem } from "./parse";
import { REQUIRED_VALUES, requiredValueFix } from "./placeholders";

export { CONFIG_NAMESPACE, ENVIRONMENTS, type Environment };

function tagsSchema() {
    return z
        .record(z.string(), z.string({ error: "tag values must be strings" }), { error: "must be a map of tag keys to values" })
        .default({})
        .superRefine((tags, ctx) => {
            const entries = Object.entries(tags);
            if (entries.length > MAX_USER_TAGS) {
                ctx.addIssue({ code: "custom", input: tags, message: `at most ${MAX_USER_TAGS} tags: AWS allows 50 per resource, and the program sets up to ${50 - MAX_USER_TAGS} itself` });
            }
            for (const [key, value] of entries) {
                const keyProblem = tagKeyProblem(key);
                if (keyProblem) ctx.addIssue({ code: "custom", path: [key], input: key, message: keyProblem });
                const valueProblem = tagValueProblem(value);
                if (valueProblem) ctx.addIssue({ code: "custom", path: [key], input: value, message: valueProblem });
            }
        });
}

/** The `ecomm:` keys and their parts, before the cross-area rules. */
function stackShape(env: Environment) {
    return {
        environment: oneOf(ENVIRONMENTS),
        network: networkSchema(env),
        frontend: serviceSchema(env, "frontend"),
        backend: serviceSchema(env, "backend"),
        /** Services beyond the built-in two: `ecomm:services.<name>` (web/config.ts). */
        services: extraServicesSchema(env),
        database: databaseSchema(env),
        monitoring: monitoringSchema(env),
        loadBalancer: loadBalancerSchema(env),
        resilience: resilienceSchema(env),
        /**
         * A domain with a Route 53 hosted zone: the program requests and validates an ACM certificate for it,
         * serves HTTPS with it and points an alias record at the ALB. Excludes `certificateArn`.
         */
        domain: domainSchema().optional(),
        /** Where the instances ship their logs. */
        logs: logsSchema(env),
        /** An existing ACM certificate for HTTPS on the ALB. Prod needs this or `domain`. */
        certificateArn: certificateArnSchema().optional(),
        /** Extra tags for every taggable resource (AWS's tag rules and the program's own keys: shared/tags.ts). */
        tags: tagsSchema(),
        /** The app the instances run (the storefront by default) and where its artifacts come from (app/config.ts). */
        app: appSchema(),
    };
}

type Parsed = z.output<z.ZodObject<ReturnType<typeof stackShape>>>;
/** Where a cross-area rule reports: `ctx.addIssue` with a path under `ecomm:`. */
type Report = (path: (string | number)[], input: unknown, message: string, fix?: string) => void;
/** What the cross-area rules compare against: the stack's `aws:region` and its name (for fix commands). */
interface Context {
    readonly region?: string;
    readonly stack?: string;
}

/**
 * The database's shape needs enough AZs in the (isolated) subnet group: a Multi-AZ DB cluster is created
 * across three AZs, Aurora pins the writer and each reader to an AZ of its own.
 */
export function databaseZonesRule(c: Parsed, report: Report): void {
    const azCount = availabilityZoneCount(c.network);
    const needed = requiredAvailabilityZones(c.database.mode, c.database.readerCount);
    if (needed <= azCount) return;
    const aurora = c.database.mode === "aurora";
    report(
        aurora ? ["database", "readerCount"] : ["database", "mode"],
        aurora ? c.database.readerCount : c.database.mode,
        `${c.database.mode} needs ${needed} availability zones (one per DB instance) but ecomm:network.availabilityZones is ${azCount}`,
    );
}

/** The experiments' AZ must be one of the pinned AZs (the same rule the stack applies to looked-up ones). */
export function targetZoneRule(c: Parsed, report: Report): void {
    const target = c.resilience.targetAvailabilityZone;
    const pinned = c.network.availabilityZoneNames;
    const problem = target !== undefined && pinned !== undefined ? targetZoneProblem(target, pinned, "ecomm:network.availabilityZoneNames") : undefined;
    if (problem) report(["resilience", "targetAvailabilityZone"], target, problem);
}

/**
 * Names of another region, or a Local/Wavelength Zone of this one, are no AZ of the stack (a malformed name
 * is reported by its own rule already); an ALB's certificate must be in its region (ACM is regional); a
 * backup copy in the same region does not survive its loss.
 */
export function regionRules(c: Parsed, report: Report, { region }: Context): void {
    if (region === undefined) return;
    const pinned = c.network.availabilityZoneNames;
    pinned?.forEach((name, i) => {
        if (AZ_NAME.test(name) && !isZoneOfRegion(name, region)) report(["network", "availabilityZoneNames", i], name, zoneOfRegionRule(region));
    });
    const target = c.resilience.targetAvailabilityZone;
    if (target !== undefined && pinned === undefined && AZ_NAME.test(target) && !isZoneOfRegion(target, region)) {
        report(["resilience", "targetAvailabilityZone"], target, zoneOfRegionRule(region));
    }
    const certRegion = c.certificateArn === undefined ? undefined : certificateRegion(c.certificateArn);
    if (c.certificateArn !== undefined && certRegion !== region) {
        report(["certificateArn"], c.certificateArn, `must be a certificate in aws:region (${region}), not ${certRegion}: a load balancer can only use ACM certificates of its own region`);
    }
    if (c.database.backupReplicationRegion === region) {
        report(["database", "backupReplicationRegion"], region, `must be another region than aws:region (${region}): a copy in the same region does not survive its loss`);
    }
}

/** A CPU stress at or below the backend's scaling target never makes target tracking add an instance. */
export function cpuStressRule(c: Parsed, report: Report): void {
    const cpuTarget = c.backend.scaling.cpuTargetPercent;
    if (!c.resilience.enabled || c.resilience.cpuStressPercent > cpuTarget) return;
    report(
        ["resilience", "cpuStressPercent"],
        c.resilience.cpuStressPercent,
        `must be above ecomm:backend.scaling.cpuTargetPercent (${cpuTarget}): target tracking adds instances only while the average CPU is above the target, so a lower load proves nothing`,
    );
}

/** Each row of the service table (web/services.ts) with its settings: `ecomm:frontend`, `ecomm:backend`, `ecomm:services.<name>`. */
export function servicesWithSettings(c: Pick<Parsed, "frontend" | "backend" | "services">): { definition: ServiceDefinition; settings: ServiceConfig | ExtraServiceConfig }[] {
    return serviceTable(c.services).map((definition) => ({
        definition,
        settings: definition.name === "frontend" ? c.frontend : definition.name === "backend" ? c.backend : c.services[definition.name],
    }));
}

/** The services behind the ALB as the routing rules see them, in the service table's order. */
export function routedServices(c: Pick<Parsed, "frontend" | "backend" | "services">): RoutedService[] {
    return servicesWithSettings(c).map(({ definition, settings }) => ({ definition, pathPatterns: settings.pathPatterns }));
}

/** Across services: unique priorities and path patterns, the ALB's rule limits (web/services.ts). */
export function serviceRoutingRule(c: Parsed, report: Report): void {
    const keyOf = serviceConfigKey;
    // The default-routed service's own schema refuses its path patterns already, in its own words.
    const services = routedServices(c).map((s) => (s.definition.routing.kind === "default" ? { ...s, pathPatterns: [] } : s));
    for (const p of routingProblems(services, keyOf)) report([...p.path], p.input, p.message);
}

/** Values only the user knows (prod's certificate, its on-call address, its AMIs): refused with their command. */
export function requiredValuesRule(c: Parsed, report: Report, { region, stack }: Context): void {
    for (const required of REQUIRED_VALUES) {
        if (required.missing(c)) report([...required.problemPath], undefined, required.message, requiredValueFix(required, { stack, region }));
    }
}

/** `ecomm:domain` has the program issue the certificate, `ecomm:certificateArn` brings one: not both. */
export function domainOrCertificateRule(c: Parsed, report: Report): void {
    if (!c.domain || !c.certificateArn) return;
    report(
        ["domain"],
        c.domain,
        `cannot be combined with ecomm:certificateArn (${c.certificateArn}): set ecomm:domain to have the program issue the certificate, or ecomm:certificateArn to bring your own, not both`,
    );
}

/** What prod must have: two instances per service at least, a standby database, backups, egress, flow logs. */
export function prodRules(c: Parsed, report: Report, { stack }: Context): void {
    if (c.environment !== "prod") return;
    const twice = "must be >= 2 in prod (one instance per AZ at least twice over)";
    for (const { definition, settings } of servicesWithSettings(c)) {
        if (settings.minSize < 2) report([...serviceConfigKey(definition.name), "minSize"], settings.minSize, twice);
    }
    // The built-in services' AMIs are required values (placeholders.ts, with stand-ins offline); a configured
    // service's is required here, with no stand-in: `npm run ami:latest -- --write` pins both kinds.
    for (const [name, service] of Object.entries(c.services)) {
        if (service.ami === undefined) {
            report(["services", name, "ami"], undefined, "is required in prod: a pinned AMI id, so prod's OS changes only when you move it", `npm run ami:latest -- --stack ${stack ?? "<stack>"} --write (or: pulumi config set --stack ${stack ?? "<stack>"} --path 'ecomm:services.${name}.ami' <ami id>)`);
        }
    }
    if (!hasStandby(c.database.mode)) report(["database", "mode"], c.database.mode, `must be a Multi-AZ mode in prod: ${STANDBY_MODES.join(" | ")}`);
    if (c.database.backupRetentionDays < 7) report(["database", "backupRetentionDays"], c.database.backupRetentionDays, "must be from 7 to 35 in prod");
    if (!c.database.deletionProtection) report(["database", "deletionProtection"], false, "must be true in prod");
    if (c.network.natGateways === "none") report(["network", "natGateways"], "none", "must be perAz or single in prod (instances need egress for SSM and updates)");
    if (!c.network.flowLogs.enabled) report(["network", "flowLogs", "enabled"], false, "must be true in prod");
}

/** The storefront speaks PostgreSQL only: with it, a MySQL database is refused at `ecomm:database.engine`. */
export function storefrontEngineRule(c: Parsed, report: Report): void {
    const problem = storefrontEngineProblem(c.app.source, c.database.engine);
    if (problem) report(["database", "engine"], c.database.engine, problem);
}

/** The backend's app listens on loopback behind nginx, which holds the backend's port. */
export function appPortRule(c: Parsed, report: Report): void {
    if (c.app.source === "none") return;
    const problem = appPortProblem(c.app.appPort, c.backend.port);
    if (problem) report(["app", "appPort"], c.app.appPort, problem.replace("the service's port", "ecomm:backend.port"));
}

/** The cross-area rules, in the order their problems are listed. */
const CROSS_AREA_RULES: readonly ((c: Parsed, report: Report, context: Context) => void)[] = [
    databaseZonesRule,
    targetZoneRule,
    regionRules,
    cpuStressRule,
    serviceRoutingRule,
    storefrontEngineRule,
    appPortRule,
    requiredValuesRule,
    domainOrCertificateRule,
    prodRules,
];

/**
 * The schema of the `ecomm:` keys for an environment. `region` is the stack's `aws:region`, for the
 * rules that compare against it; `stack` names the stack in the `pulumi config set` commands of errors.
 */
export function stackConfigSchema(env: Environment, region?: string, stack?: string) {
    return strict(stackShape(env)).superRefine((c, ctx) => {
        const report: Report = (path, input, message, fix) => ctx.addIssue({ code: "custom", path, input, message, ...(fix ? { params: { fix } } : {}) });
        for (const rule of CROSS_AREA_RULES) rule(c, report, { region, stack });
    });
}

export type StackConfig = z.output<ReturnType<typeof stackConfigSchema>>;
export type { NetworkConfig } from "../network/config";
export type { ServiceConfig, ExtraServiceConfig, LoadBalancerConfig } from "../web/config";
export type { DatabaseConfig } from "../database/config";
export type { MonitoringConfig } from "../monitoring/config";
export type { ResilienceConfig } from "../resilience/config";
export type { DomainConfig } from "../dns/config";

export type { ConfigProblem };

/** Every problem of the `ecomm:` config, each naming its key, value and what is allowed. */
export class ConfigError extends NamespaceConfigError {
    constructor(problems: readonly ConfigProblem[]) {
        super(CONFIG_NAMESPACE, problems);
    }
}

/** Whether a schema takes a YAML object or list (the engine passes those as JSON text). */
function takesStructuredValue(schema: z.core.$ZodType): boolean {
    const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.type === "object" || def.type === "record" || def.type === "array") return true;
    const inner = def.innerType ?? def.in;
    return inner !== undefined && takesStructuredValue(inner);
}

/** Every key under `ecomm:`, from the schema's shape. */
export const CONFIG_KEYS: readonly string[] = Object.keys(stackShape("dev"));

/** Keys whose values are JSON objects or lists in the stack file: derived from the schema's shape. */
export const STRUCTURED_KEYS: ReadonlySet<string> = new Set(
    Object.entries(stackShape("dev"))
        .filter(([, schema]) => takesStructuredValue(schema))
        .map(([key]) => key),
);

/**
 * Parses the raw config map exactly as the engine passes it (`ecomm:network` → JSON text) into a typed,
 * defaulted, validated `StackConfig`, or throws a `ConfigError` listing every problem.
 * Keys of other namespaces (`aws:region`) are ignored here.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, stack?: string): StackConfig {
    const outside = outsideNamespaceProblems(raw);
    let config: StackConfig;
    try {
        config = parseNamespace(raw, {
            namespace: CONFIG_NAMESPACE,
            structuredKeys: STRUCTURED_KEYS,
            // The environment picks the defaults; an invalid one is reported, and the rest checked as dev.
            schema: (input) => stackConfigSchema(input.environment === "prod" ? "prod" : "dev", raw["aws:region"], stack),
            error: (problems) => new ConfigError(problems),
        });
    } catch (err) {
        if (err instanceof ConfigError && outside.length > 0) throw new ConfigError([...err.problems, ...outside]);
        throw err;
    }
    if (outside.length > 0) throw new ConfigError(outside);
    return config;
}

/**
 * Keys of other namespaces the program would silently ignore: its AWS provider is explicit, and an
 * explicit provider reads no `aws:*` stack config (pulumi-aws #1307), so `aws:defaultTags` would tag nothing.
 */
function outsideNamespaceProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
    if (raw["aws:defaultTags"] === undefined) return [];
    return [
        {
            key: "aws:defaultTags",
            value: raw["aws:defaultTags"],
            message: "is ignored by this program's AWS provider (it sets its own default tags): put extra tags in ecomm:tags",
            fix: "pulumi config rm aws:defaultTags; then pulumi config set --path 'ecomm:tags.<Key>' <value> for each tag",
        },
    ];
}
