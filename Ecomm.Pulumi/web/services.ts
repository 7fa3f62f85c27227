/**
 * The service table: every ASG-backed service behind the ALB is one entry. `frontend` (the listener's
 * default action) and `backend` (the `/api/*` rule, the database's only client) are built in and configured
 * by `ecomm:frontend` / `ecomm:backend`; any further service is an entry of `ecomm:services.<name>` (its path
 * patterns, its rule priority and the same settings). Pure: names, routing, defaults and the rules across
 * services (names, priorities, path patterns, the ALB's rule limits). The schema, the web tier, the stack and
 * the tools read the table from here.
 */
import type { RuleProblem } from "../shared/problems";
import type { ServiceRole } from "../userdata/render";
import { MAX_LB_LOGICAL_NAME, targetGroupLogicalName } from "./names";


/** How the ALB reaches a service. */
export type ServiceRouting =
    /** The serving listener's default action: every request no rule matches. */
    | { readonly kind: "default" }
    /** A listener rule forwarding the service's path patterns, at this priority (lower is evaluated first). */
    | { readonly kind: "path"; readonly priority: number };

/** One row of the service table. */
export interface ServiceDefinition {
    /** The service's name: its config key, child names (`web-<name>-asg`), alarm and log-group names. */
    readonly name: string;
    readonly routing: ServiceRouting;
    /** Whether it is the database's client (its role reads the connection parameters; the DB admits its SG). */
    readonly databaseClient: boolean;
    /** Which pages its user data serves (`userdata/render.ts`): the storefront's, or an API's JSON. */
    readonly userDataRole: ServiceRole;
    /** The path its health check requests unless configured. */
    readonly defaultHealthCheckPath: string;
    /** The path patterns it receives unless configured (path-routed services). */
    readonly defaultPathPatterns: readonly string[];
}

/** The built-in services, in the order they are created (the order of outputs, alarms and widgets). */
export const BUILT_IN_SERVICES = [
    { name: "frontend", routing: { kind: "default" }, databaseClient: false, userDataRole: "frontend", defaultHealthCheckPath: "/health", defaultPathPatterns: [] },
    { name: "backend", routing: { kind: "path", priority: 10 }, databaseClient: true, userDataRole: "backend", defaultHealthCheckPath: "/api/health", defaultPathPatterns: ["/api/*"] },
] as const satisfies readonly ServiceDefinition[];

export type BuiltInServiceName = (typeof BUILT_IN_SERVICES)[number]["name"];
export const BUILT_IN_SERVICE_NAMES: readonly BuiltInServiceName[] = BUILT_IN_SERVICES.map((s) => s.name);

/** The web tier's component name in the stack: its children and its services' names start with it. */
export const WEB_TIER_NAME = "web";

/** A configured service's name: lowercase letters and digits, starting with a letter. */
export const SERVICE_NAME = /^[a-z][a-z0-9]*$/;

/**
 * Names a configured service cannot take: the built-in services (configured by their own keys) and the
 * roles of the web tier's own children (`web-alb-sg`, `web-http`, `web-https`, `web-waf`, `web-alias-a`),
 * whose names a service's children (`web-<name>-sg`, ...) would shadow.
 */
export const RESERVED_SERVICE_NAMES: readonly string[] = [...BUILT_IN_SERVICE_NAMES, "alb", "http", "https", "waf", "alias"];

/** The longest service name whose target group (`<web tier>-<name>-tg`) leaves room for Pulumi's suffix. */
export function maxServiceNameLength(webTierName: string = WEB_TIER_NAME): number {
    return MAX_LB_LOGICAL_NAME - targetGroupLogicalName(webTierName, "").length;
}

/** Why `name` cannot name a configured service (`ecomm:services.<name>`), or undefined. */
export function serviceNameProblem(name: string, webTierName: string = WEB_TIER_NAME): string | undefined {
    if (!SERVICE_NAME.test(name)) return "must be lowercase letters and digits, starting with a letter (it names the service's resources, alarms and log groups)";
    if ((BUILT_IN_SERVICE_NAMES as readonly string[]).includes(name)) return `is a built-in service: configure it under ecomm:${name}`;
    if (RESERVED_SERVICE_NAMES.includes(name)) return `is reserved: the web tier's own ${name} resources are named ${webTierName}-${name}-…`;
    const max = maxServiceNameLength(webTierName);
    if (name.length > max) return `must be at most ${max} characters: its target group ${targetGroupLogicalName(webTierName, name)} would pass AWS's 32-character limit with Pulumi's suffix`;
    return undefined;
}

/**
 * The row of a configured service: path-routed at its own priority, never the database's client (only the
 * backend's security group is admitted), serving nginx's placeholder pages unless it brings its own AMI.
 */
export function configuredService(name: string, priority: number): ServiceDefinition {
    return { name, routing: { kind: "path", priority }, databaseClient: false, userDataRole: "frontend", defaultHealthCheckPath: "/health", defaultPathPatterns: [] };
}

/**
 * The whole table, in creation order (outputs, alarms and dashboard widgets follow it): the built-in
 * services, then the configured ones by name.
 */
export function serviceTable<S extends { readonly priority: number }>(extra: Readonly<Record<string, S>>): ServiceDefinition[] {
    return [...BUILT_IN_SERVICES, ...Object.keys(extra).sort().map((name) => configuredService(name, extra[name].priority))];
}

/** A service's key path under `ecomm:`: `["frontend"]`, `["backend"]`, or `["services", <name>]`. */
export function serviceConfigKey(name: string): string[] {
    return (BUILT_IN_SERVICE_NAMES as readonly string[]).includes(name) ? [name] : ["services", name];
}

/** The row of a built-in service. */
export function builtInService(name: BuiltInServiceName): ServiceDefinition {
    const found = BUILT_IN_SERVICES.find((s) => s.name === name);
    if (!found) throw new Error(`no built-in service ${name}`);
    return found;
}

/** ALB quotas (Elastic Load Balancing User Guide, "Quotas for your Application Load Balancers"). */
export const ALB_LIMITS = {
    /** Rules per load balancer, not counting default rules. */
    rulesPerLoadBalancer: 100,
    /** Condition values per rule (the path patterns of one service). */
    conditionValuesPerRule: 5,
    /** Listener rule priorities. */
    minPriority: 1,
    maxPriority: 50000,
} as const;

/** A service as the cross-service rules see it. */
export interface RoutedService {
    readonly definition: Pick<ServiceDefinition, "name" | "routing">;
    readonly pathPatterns: readonly string[];
}

/**
 * The rules across services: unique listener-rule priorities, each path pattern routed to one service
 * only, the default-routed service without path patterns, path-routed ones with 1–5, and at most the ALB's
 * rule quota. Paths are `[<service>, ...]`, as under `ecomm:` (`ecomm:services.admin.priority`).
 */
export function routingProblems(services: readonly RoutedService[], keyOf: (name: string) => readonly string[]): RuleProblem[] {
    const problems: RuleProblem[] = [];
    const priorities = new Map<number, string>();
    const patterns = new Map<string, string>();
    let rules = 0;
    for (const { definition: d, pathPatterns } of services) {
        const key = keyOf(d.name);
        if (d.routing.kind === "default") {
            if (pathPatterns.length > 0) {
                problems.push({ path: [...key, "pathPatterns"], input: pathPatterns, message: `is for path-routed services only; ${d.name} receives every request no rule matches` });
            }
            continue;
        }
        rules += 1;
        const { priority } = d.routing;
        if (!Number.isInteger(priority) || priority < ALB_LIMITS.minPriority || priority > ALB_LIMITS.maxPriority) {
            problems.push({ path: [...key, "priority"], input: priority, message: `must be a whole number from ${ALB_LIMITS.minPriority} to ${ALB_LIMITS.maxPriority}` });
        }
        const taken = priorities.get(priority);
        if (taken !== undefined) problems.push({ path: [...key, "priority"], input: priority, message: `is already the listener-rule priority of ${taken}` });
        else priorities.set(priority, d.name);
        if (pathPatterns.length < 1 || pathPatterns.length > ALB_LIMITS.conditionValuesPerRule) {
            problems.push({ path: [...key, "pathPatterns"], input: pathPatterns, message: `must list 1 to ${ALB_LIMITS.conditionValuesPerRule} path patterns (an ALB rule allows at most ${ALB_LIMITS.conditionValuesPerRule} condition values)` });
        }
        pathPatterns.forEach((pattern, i) => {
            const owner = patterns.get(pattern);
            if (owner !== undefined) problems.push({ path: [...key, "pathPatterns", i], input: pattern, message: `is already routed to ${owner}` });
            else patterns.set(pattern, d.name);
        });
    }
    if (rules > ALB_LIMITS.rulesPerLoadBalancer) {
        problems.push({ path: ["services"], input: rules, message: `needs ${rules} listener rules; an ALB allows ${ALB_LIMITS.rulesPerLoadBalancer}` });
    }
    return problems;
}
