/**
 * The core of `npm run ami:latest`: which Amazon Linux 2023 parameter each service of a stack reads, the
 * lookup through an injected SSM client, and the rewrite of `Pulumi.<stack>.yaml` that pins the ids (comments
 * and layout kept). No AWS call happens here except through the client passed in; tests pass a mocked one.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { isDocument, parseDocument } from "yaml";
import type { Environment } from "../../Ecomm.Pulumi/config/environments";
import { SERVICE_DEFAULTS } from "../../Ecomm.Pulumi/web/config";
import { isGraviton } from "../../Ecomm.Pulumi/web/ami";
import { al2023AmiParameter } from "../../Ecomm.Pulumi/web/ami";
import { BUILT_IN_SERVICE_NAMES, serviceConfigKey } from "../../Ecomm.Pulumi/web/services";

/** A service of the stack's table: a built-in one (`ecomm:<service>`) or a configured one (`ecomm:services.<name>`). */
export type AmiService = string;

/** Where a service's settings sit in the stack file's `config:` map: `["ecomm:frontend"]`, `["ecomm:services", "admin"]`. */
export function serviceConfigPath(service: AmiService): string[] {
    const [key, ...rest] = serviceConfigKey(service);
    return [`ecomm:${key}`, ...rest];
}

/** The key users see: `ecomm:frontend.ami`, `ecomm:services.admin.ami`. */
export function amiKey(service: AmiService): string {
    return `${serviceConfigPath(service).join(".")}.ami`;
}

export interface AmiTarget {
    readonly service: AmiService;
    readonly instanceType: string;
    readonly architecture: "arm64" | "x86_64";
    /** The public SSM parameter with the latest AL2023 AMI for that architecture. */
    readonly parameter: string;
    /** The id the stack file pins today, if any. */
    readonly current?: string;
}

export interface StackAmis {
    readonly region: string;
    readonly environment: Environment;
    readonly targets: readonly AmiTarget[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/**
 * What to look up for a stack file's text: its `aws:region`, and per service the instance type (the file's,
 * else the environment's default) and hence the architecture and parameter.
 */
export function stackAmiTargets(text: string, file: string): StackAmis {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
    const config = obj(obj(doc.toJS()).config);
    const region = config["aws:region"];
    if (typeof region !== "string" || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`${file} has no valid aws:region (found ${JSON.stringify(region)})`);
    const env = config["ecomm:environment"];
    if (env !== "dev" && env !== "prod") throw new Error(`${file} has no valid ecomm:environment (found ${JSON.stringify(env)}; dev | prod)`);
    // The service table's services: the built-in two, then each of ecomm:services by name.
    const services = [...BUILT_IN_SERVICE_NAMES, ...Object.keys(obj(config["ecomm:services"])).sort()];
    const targets = services.map((service): AmiTarget => {
        const [key, name] = serviceConfigPath(service);
        const section = name === undefined ? obj(config[key]) : obj(obj(config[key])[name]);
        const fallback = SERVICE_DEFAULTS[env].instanceType;
        const instanceType = typeof section.instanceType === "string" ? section.instanceType : fallback;
        return {
            service,
            instanceType,
            architecture: isGraviton(instanceType) ? "arm64" : "x86_64",
            parameter: al2023AmiParameter(instanceType),
            ...(typeof section.ami === "string" ? { current: section.ami } : {}),
        };
    });
    return { region, environment: env, targets };
}

/** Reads each distinct parameter once; returns the AMI id per service. */
export async function lookupLatestAmis(client: Pick<SSMClient, "send">, targets: readonly AmiTarget[]): Promise<Record<AmiService, string>> {
    const byParameter = new Map<string, string>();
    for (const parameter of new Set(targets.map((t) => t.parameter))) {
        const out = await client.send(new GetParameterCommand({ Name: parameter }));
        const value = out.Parameter?.Value;
        if (!value || !/^ami-[0-9a-f]{8,17}$/.test(value)) throw new Error(`${parameter} did not hold an AMI id (got ${JSON.stringify(value)})`);
        byParameter.set(parameter, value);
    }
    return Object.fromEntries(targets.map((t) => [t.service, byParameter.get(t.parameter) as string])) as Record<AmiService, string>;
}

/** The stack file with `ecomm:<service>.ami` set to each id; every other line, comment included, kept. */
export function pinAmis(text: string, amis: Readonly<Partial<Record<AmiService, string>>>): string {
    const doc = parseDocument(text);
    if (!isDocument(doc) || doc.errors.length > 0) throw new Error("the stack file is not valid YAML");
    for (const [service, id] of Object.entries(amis)) {
        if (id === undefined) continue;
        const at = ["config", ...serviceConfigPath(service)];
        if (doc.getIn(at) === undefined) doc.setIn(at, doc.createNode({ ami: id }));
        else doc.setIn([...at, "ami"], id);
    }
    return doc.toString();
}
