/**
 * The stack-output contract: every output of the ecomm stacks other teams may read, with its type, its
 * meaning, how stable it is and in which stacks it exists. `OUTPUT_CONTRACT` is the one source of truth:
 * the `EcommStackOutputs` type is derived from it, the stack program's return value must satisfy it (a
 * compile error otherwise), a test checks the real stacks' outputs against it and a snapshot of their
 * names and types, and README's outputs table is generated from it (`npm run docs:outputs`).
 *
 * This module has no runtime imports, so another team can import it (or copy it) without pulling in the
 * ecomm program. How to consume the outputs and what counts as a breaking change: docs/outputs.md.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The ecomm environments (`ecomm:environment`). */
export const ECOMM_ENVIRONMENTS = ["dev", "prod"] as const;
/** The database deployment modes (`ecomm:database.mode`). */
export const ECOMM_DATABASE_MODES = ["single-az", "multi-az-instance", "multi-az-cluster", "aurora"] as const;
/** RDS engine names as the stack reports them (`aurora-*` in aurora mode). */
export const ECOMM_RDS_ENGINES = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"] as const;

export type EcommDatabaseMode = (typeof ECOMM_DATABASE_MODES)[number];

/**
 * An output's type: a string, a whole number, a list of strings, or one string out of a fixed set.
 * Adding a value to a `oneOf` set can break a consumer's exhaustive `switch`, so it is a contract change.
 */
export type OutputType = "string" | "number" | "string[]" | "map" | "services" | { readonly oneOf: readonly string[] };

/** What the `services` output holds for each service of the service table. */
export interface EcommServiceOutputs {
    readonly asgName: string;
    readonly targetGroupArn: string;
    readonly targetGroupArnSuffix: string;
    readonly securityGroupId: string;
}

/** The fields of each entry of the `services` output, in order. */
export const SERVICE_OUTPUT_FIELDS = ["asgName", "targetGroupArn", "targetGroupArnSuffix", "securityGroupId"] as const satisfies readonly (keyof EcommServiceOutputs)[];

/**
 * `stable`: kept with the same name and type; removing or renaming it follows the breaking-change rules
 * (announce, keep both names for a release). `experimental`: may change in any release, noted in the
 * change log; build alarms or dashboards on it, not systems that cannot be re-pointed quickly.
 */
export type Stability = "stable" | "experimental";

export interface OutputDescriptor {
    readonly type: OutputType;
    /** What the value is, for a reader who has never seen the program. */
    readonly meaning: string;
    readonly stability: Stability;
    /**
     * The database modes in which the output exists; absent in the others (the key is missing, never `""`).
     * Unset: every stack has it.
     */
    readonly databaseModes?: readonly EcommDatabaseMode[];
    /** Set when the output is on its way out: what to use instead. It stays until the date or release named. */
    readonly deprecated?: string;
}

/** The database modes that run an `aws.rds.Cluster` (the rest run one `aws.rds.Instance`). */
export const CLUSTER_MODES = ["multi-az-cluster", "aurora"] as const satisfies readonly EcommDatabaseMode[];

/** Every output other teams may use, in the order README lists them. */
export const OUTPUT_CONTRACT = {
    environment: { type: { oneOf: ECOMM_ENVIRONMENTS }, stability: "stable", meaning: "the stack's environment" },
    region: { type: "string", stability: "stable", meaning: "the AWS region everything lives in, e.g. `us-east-1`" },
    vpcId: { type: "string", stability: "stable", meaning: "the VPC's id" },
    vpcCidrBlock: { type: "string", stability: "stable", meaning: "the VPC's IPv4 CIDR block, e.g. `10.20.0.0/16`" },
    availabilityZones: { type: "string[]", stability: "stable", meaning: "AZ names, in the same order as the subnet lists" },
    publicSubnetIds: { type: "string[]", stability: "stable", meaning: "public subnets (load balancer, NAT), one per AZ" },
    privateSubnetIds: { type: "string[]", stability: "stable", meaning: "private subnets with egress through NAT (app instances), one per AZ" },
    isolatedSubnetIds: { type: "string[]", stability: "stable", meaning: "isolated subnets without internet route (database), one per AZ" },
    url: { type: "string", stability: "stable", meaning: "the site's URL (`https://` when a certificate is set)" },
    albDnsName: { type: "string", stability: "stable", meaning: "the load balancer's DNS name: the target of alias or CNAME records" },
    albZoneId: { type: "string", stability: "stable", meaning: "the load balancer's Route 53 hosted zone id, for alias records" },
    albArn: { type: "string", stability: "stable", meaning: "the load balancer's ARN (listeners, WAF associations)" },
    albArnSuffix: { type: "string", stability: "stable", meaning: "the `LoadBalancer` dimension of `AWS/ApplicationELB` metrics (`app/<name>/<id>`)" },
    albSecurityGroupId: { type: "string", stability: "stable", meaning: "the load balancer's security group" },
    frontendAsgName: { type: "string", stability: "experimental", meaning: "the frontend's Auto Scaling group (changes if the group is replaced)" },
    frontendTargetGroupArn: { type: "string", stability: "experimental", meaning: "the frontend's target group" },
    frontendTargetGroupArnSuffix: { type: "string", stability: "experimental", meaning: "the `TargetGroup` dimension of the frontend's ALB metrics" },
    frontendSecurityGroupId: { type: "string", stability: "stable", meaning: "the frontend instances' security group" },
    backendAsgName: { type: "string", stability: "experimental", meaning: "the backend's Auto Scaling group (changes if the group is replaced)" },
    backendTargetGroupArn: { type: "string", stability: "experimental", meaning: "the backend's (`/api/*`) target group" },
    backendTargetGroupArnSuffix: { type: "string", stability: "experimental", meaning: "the `TargetGroup` dimension of the backend's ALB metrics" },
    backendSecurityGroupId: { type: "string", stability: "stable", meaning: "the backend instances' security group (the only one the database admits)" },
    services: {
        type: "services",
        stability: "experimental",
        meaning: "every service behind the ALB (`frontend`, `backend` and each of `ecomm:services`) by name: its `asgName`, `targetGroupArn`, `targetGroupArnSuffix` and `securityGroupId`",
    },
    alertTopicArn: { type: "string", stability: "stable", meaning: "the SNS topic that pages ecomm's on-call" },
    dashboardName: { type: "string", stability: "experimental", meaning: "the CloudWatch dashboard's name" },
    dashboardUrl: { type: "string", stability: "experimental", meaning: "a console link to the dashboard" },
    siteDownAlarmArn: { type: "string", stability: "experimental", meaning: "the alarm that fires when the site has no healthy frontend" },
    experimentTemplateIds: {
        type: "map",
        stability: "experimental",
        meaning: "FIS experiment template ids by experiment (`azPower`, `azNetwork`, `dbFailover`, `cpu`) for `npm run gameday`; empty unless `ecomm:resilience.enabled`",
    },
    dbMode: { type: { oneOf: ECOMM_DATABASE_MODES }, stability: "stable", meaning: "how the database is deployed; decides which `db…` outputs exist" },
    dbEngine: { type: { oneOf: ECOMM_RDS_ENGINES }, stability: "stable", meaning: "the RDS engine name" },
    dbEndpoint: { type: "string", stability: "stable", meaning: "the writer's host name, without the port" },
    dbReaderEndpoint: {
        type: "string",
        stability: "experimental",
        meaning: "the cluster's read-only endpoint",
        databaseModes: CLUSTER_MODES,
    },
    dbPort: { type: "number", stability: "stable", meaning: "the database port (5432 postgres, 3306 mysql)" },
    dbName: { type: "string", stability: "stable", meaning: "the application database's name" },
    dbSecretArn: { type: "string", stability: "stable", meaning: "the Secrets Manager secret holding the master credentials (the password is nowhere else)" },
    dbSecurityGroupId: { type: "string", stability: "stable", meaning: "the database's security group" },
    dbInstanceIdentifiers: { type: "string[]", stability: "experimental", meaning: "DB instance identifiers, for per-instance metrics (cluster modes: every member)" },
    dbClusterIdentifier: {
        type: "string",
        stability: "experimental",
        meaning: "the cluster identifier, for cluster-level metrics",
        databaseModes: CLUSTER_MODES,
    },
} as const satisfies Record<string, OutputDescriptor>;

type Contract = typeof OUTPUT_CONTRACT;

/** The name of an output in the contract. */
export type EcommOutputName = keyof Contract;

/** The TypeScript type an `OutputType` stands for. */
export type TypeOf<T extends OutputType> = T extends "string"
    ? string
    : T extends "number"
      ? number
      : T extends "string[]"
        ? string[]
        : T extends "map"
          ? Readonly<Record<string, string>>
          : T extends "services"
            ? Readonly<Record<string, EcommServiceOutputs>>
        : T extends { readonly oneOf: readonly (infer V)[] }
          ? V
          : never;

/** Outputs every stack has. */
type AlwaysPresent = { [K in EcommOutputName]: Contract[K] extends { readonly databaseModes: readonly string[] } ? never : K }[EcommOutputName];
/** Outputs only some database modes have. */
type Conditional = Exclude<EcommOutputName, AlwaysPresent>;

type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * The stack outputs as another team sees them (`pulumi stack output --json`, a `StackReference`).
 * Optional keys exist only in some database modes (`OUTPUT_CONTRACT[name].databaseModes`).
 */
export type EcommStackOutputs = Flatten<
    { readonly [K in AlwaysPresent]: TypeOf<Contract[K]["type"]> } & { readonly [K in Conditional]?: TypeOf<Contract[K]["type"]> }
>;

/** What the stack program may return for each output: the value, or a promise or Output of it. */
export type EcommStackOutputInputs = { [K in keyof EcommStackOutputs]: pulumi.Input<EcommStackOutputs[K]> };

/** The descriptor of an output, widened for code that walks the whole table. */
export function describeOutput(name: EcommOutputName): OutputDescriptor {
    return OUTPUT_CONTRACT[name];
}

export const OUTPUT_NAMES = Object.keys(OUTPUT_CONTRACT) as EcommOutputName[];

export function isContractOutput(name: string): name is EcommOutputName {
    return Object.prototype.hasOwnProperty.call(OUTPUT_CONTRACT, name);
}

/** The outputs a stack whose database runs in `mode` has, in contract order. */
export function outputNamesFor(mode: EcommDatabaseMode): EcommOutputName[] {
    return OUTPUT_NAMES.filter((name) => {
        const modes = describeOutput(name).databaseModes;
        return modes === undefined || modes.includes(mode);
    });
}

/** An output type as TypeScript text: `string`, `string[]`, `"dev" | "prod"`. */
export function typeText(type: OutputType): string {
    if (type === "map") return "Record<string, string>";
    if (type === "services") return `Record<string, { ${SERVICE_OUTPUT_FIELDS.map((f) => `${f}: string`).join("; ")} }>`;
    return typeof type === "string" ? type : type.oneOf.map((v) => JSON.stringify(v)).join(" | ");
}

function show(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Why `value` is not of `type`, or undefined when it is. */
export function typeProblem(type: OutputType, value: unknown): string | undefined {
    const ok =
        type === "string"
            ? typeof value === "string"
            : type === "number"
              ? typeof value === "number" && Number.isFinite(value)
              : type === "string[]"
                ? Array.isArray(value) && value.every((v) => typeof v === "string")
                : type === "map"
                  ? isObject(value) && Object.values(value).every((v) => typeof v === "string")
                  : type === "services"
                    ? isObject(value) && Object.values(value).every((v) => isObject(v) && SERVICE_OUTPUT_FIELDS.every((f) => typeof v[f] === "string") && Object.keys(v).length === SERVICE_OUTPUT_FIELDS.length)
                  : typeof value === "string" && type.oneOf.includes(value);
    return ok ? undefined : `expected ${typeText(type)}, got ${show(value)}`;
}

/**
 * Every way a stack's resolved outputs break the contract: unknown names, missing names for the stack's
 * database mode, outputs present in a mode that should not have them, and values of the wrong type.
 */
export function contractProblems(outputs: Readonly<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    const modeProblem = typeProblem(OUTPUT_CONTRACT.dbMode.type, outputs.dbMode);
    if (modeProblem) return [`dbMode: ${modeProblem}; cannot tell which outputs the stack should have`];
    const mode = outputs.dbMode as EcommDatabaseMode;
    const expected = new Set<string>(outputNamesFor(mode));
    for (const name of Object.keys(outputs)) {
        if (!isContractOutput(name)) problems.push(`${name}: not in OUTPUT_CONTRACT (Ecomm.Pulumi/outputs.ts)`);
        else if (!expected.has(name)) problems.push(`${name}: present, but the contract has it only in database modes ${describeOutput(name).databaseModes?.join(", ")} (this stack: ${mode})`);
    }
    for (const name of expected) {
        if (!(name in outputs)) problems.push(`${name}: missing (database mode ${mode})`);
        else {
            const problem = typeProblem(describeOutput(name as EcommOutputName).type, outputs[name]);
            if (problem) problems.push(`${name}: ${problem}`);
        }
    }
    return problems;
}

/**
 * Reads one ecomm output through a `StackReference`, typed by the contract and checked when it resolves.
 * Outputs every stack has are required (a missing one fails the consumer's `pulumi up` naming it); outputs
 * of some database modes only resolve to `undefined` where absent.
 *
 *     const ref = new pulumi.StackReference("acme/ecomm/prod");
 *     const suffix = contractOutput(ref, "albArnSuffix"); // pulumi.Output<string>
 */
export function contractOutput<K extends EcommOutputName>(ref: pulumi.StackReference, name: K): pulumi.Output<EcommStackOutputs[K]> {
    const descriptor = describeOutput(name);
    const raw: pulumi.Output<unknown> = descriptor.databaseModes ? ref.getOutput(name) : ref.requireOutput(name);
    return raw.apply((value) => {
        if (value === undefined && descriptor.databaseModes) return value as EcommStackOutputs[K];
        const problem = typeProblem(descriptor.type, value);
        if (problem) {
            throw new Error(`ecomm stack output "${name}": ${problem}; the referenced stack does not match the output contract (docs/outputs.md)`);
        }
        return value as EcommStackOutputs[K];
    });
}
