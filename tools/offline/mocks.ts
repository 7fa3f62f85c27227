/**
 * Mocks for Pulumi's mock engine that return realistic computed state: AWS-looking ids and ARNs, names
 * with Pulumi's auto-name suffix, DNS names, and synthesized outputs for the `awsx:ec2:Vpc` remote
 * component (whose children are invisible under mocks). Without them, computed attributes resolve to
 * `undefined` and interpolated strings silently read "undefined".
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../recorded";

export type { RecordedResource };

export const MOCK_ACCOUNT_ID = "123456789012";

type State = Record<string, unknown>;

function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** The physical name Pulumi would generate: the logical name plus a 7-character random suffix. */
export function autoName(logical: string): string {
    return `${logical}-${hex(`name:${logical}`, 7)}`;
}

/** The ELB service account that writes ALB access logs, per region (ELB access-log docs). */
const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
    "ap-southeast-3": "589379963580",
};

/** Canonical hosted zone ids of ALBs per region (ELB endpoints page). */
const ALB_ZONE_IDS: Readonly<Record<string, string>> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
};

/** One zone as DescribeAvailabilityZones describes it. */
export interface MockZone {
    readonly name: string;
    readonly zoneId: string;
    /** `available`, `information`, `impaired`, `unavailable`, `constrained`. */
    readonly state: string;
    /** `opt-in-not-required` (AZs), `opted-in` or `not-opted-in` (Local and Wavelength Zones). */
    readonly optInStatus: string;
    readonly zoneType: "availability-zone" | "local-zone" | "wavelength-zone";
    readonly groupName: string;
}

/** A region's six AZs, all available (the default catalogue). */
export function regionZones(region: string): MockZone[] {
    return ["a", "b", "c", "d", "e", "f"].map((letter, i) => ({
        name: `${region}${letter}`,
        zoneId: `${region.replace(/^([a-z]{2})-([a-z])[a-z]*-(\d)$/, "$1$2$3")}-az${i + 1}`,
        state: "available",
        optInStatus: "opt-in-not-required",
        zoneType: "availability-zone",
        groupName: region,
    }));
}

const ZONE_FILTERS: Readonly<Record<string, (z: MockZone) => string>> = {
    state: (z) => z.state,
    "opt-in-status": (z) => z.optInStatus,
    "zone-type": (z) => z.zoneType,
    "zone-name": (z) => z.name,
    "zone-id": (z) => z.zoneId,
    "group-name": (z) => z.groupName,
};

/**
 * DescribeAvailabilityZones as the AWS provider's `getAvailabilityZones` calls it: without
 * `allAvailabilityZones`, zones not opted into are left out (opted-in Local Zones are listed); `state`
 * and `filters` narrow the list; names come back sorted (terraform-provider-aws sorts by ZoneName).
 */
export function describeZones(zones: readonly MockZone[], inputs: Record<string, unknown>): MockZone[] {
    const filters = [...((inputs.filters as { name: string; values: string[] }[] | undefined) ?? [])];
    if (typeof inputs.state === "string") filters.push({ name: "state", values: [inputs.state] });
    return zones
        .filter((z) => inputs.allAvailabilityZones === true || z.optInStatus !== "not-opted-in")
        .filter((z) =>
            filters.every((f) => {
                const field = ZONE_FILTERS[f.name];
                if (!field) throw new Error(`mocks: no DescribeAvailabilityZones filter ${f.name}`);
                return f.values.includes(field(z));
            }),
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class EcommMocks implements pulumi.runtime.Mocks {
    /** Every registration, in order. */
    public readonly resources: RecordedResource[] = [];
    /** Every invoke, in order. */
    public readonly invokes: { token: string; inputs: Record<string, unknown> }[] = [];
    /** The region's zones, as DescribeAvailabilityZones knows them. */
    private readonly zones: readonly MockZone[];

    /**
     * @param zones the region's zones as DescribeAvailabilityZones answers (default: six available AZs, a–f)
     * @param ssmParameters values for `aws.ssm.getParameter` by name (e.g. a new "latest" AMI); other names
     * answer a stable id derived from the name.
     */
    constructor(
        private readonly region: string,
        zones?: readonly MockZone[],
        private readonly ssmParameters: Readonly<Record<string, string>> = {},
    ) {
        this.zones = zones ?? regionZones(region);
    }

    private arn(service: string, resource: string, account: string = MOCK_ACCOUNT_ID, region: string = this.region): string {
        return `arn:aws:${service}:${region}:${account}:${resource}`;
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        this.invokes.push({ token: args.token, inputs });
        const region = this.region;
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const zones = describeZones(this.zones, inputs);
                return { id: region, names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.zoneId), groupNames: [...new Set(zones.map((z) => z.groupName))] };
            }
            case "aws:index/getRegion:getRegion":
                return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: MOCK_ACCOUNT_ID,
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ecomm-mock`,
                    userId: "AIDAMOCKUSER",
                };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:ssm/getParameter:getParameter": {
                const name = String(inputs.name);
                const value = this.ssmParameters[name] ?? `ami-0${hex(name, 16)}`;
                return { id: name, name, arn: this.arn("ssm", `parameter${name}`), type: "String", value, insecureValue: value, version: 1 };
            }
            case "aws:elb/getServiceAccount:getServiceAccount": {
                const account = ELB_ACCOUNTS[region];
                if (!account) throw new Error(`mocks: no ELB service account for region ${region}`);
                return { id: account, arn: `arn:aws:iam::${account}:root` };
            }
            case "aws:elb/getHostedZoneId:getHostedZoneId":
                return { id: ALB_ZONE_IDS[region] ?? "ZMOCKZONE" };
            default:
                throw new Error(`mocks: no mock for invoke ${args.token}; add one to tools/offline/mocks.ts`);
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = (args.inputs ?? {}) as State;
        const { id, state } = this.computed(args.type, args.name, inputs);
        this.resources.push({
            type: args.type,
            name: args.name,
            urn: "",
            parentUrn: "",
            custom: args.custom ?? true,
            protect: false,
            ignoreChanges: [],
            dependencies: [],
            aliases: [],
            provider: args.provider ?? "",
            inputs,
            id,
            state,
        });
        return { id, state };
    }

    /** The id and output state a real provider would return for a resource of this type. */
    private computed(type: string, name: string, inputs: State): { id: string | undefined; state: State } {
        if (type === "awsx:ec2:Vpc") return { id: undefined, state: { ...inputs, ...this.vpcOutputs(name, inputs) } };
        if (type === "random:index/randomId:RandomId") return this.randomId(name, inputs);
        if (!type.startsWith("aws:")) {
            // Component resources (ours and the stack) and providers.
            return { id: type.startsWith("pulumi:providers:") ? `${name}-provider-id` : undefined, state: inputs };
        }
        const physical = typeof inputs.name === "string" ? inputs.name : autoName(name);
        const h = hex(`${type}:${name}`, 17);
        const [, module, resource] = type.split(/[:/]/);
        const base: State = { ...inputs, name: physical, arn: this.arn(module, `${resource.toLowerCase()}/${physical}`), tagsAll: inputs.tags ?? {} };
        const extra = this.typeSpecific(type, name, physical, h, inputs);
        const state = { ...base, ...extra };
        const id = typeof extra.id === "string" ? extra.id : `${physical}`;
        return { id, state };
    }

    private typeSpecific(type: string, logical: string, physical: string, h: string, inputs: State): State {
        const region = this.region;
        switch (type) {
            case "aws:ec2/securityGroup:SecurityGroup":
                return { id: `sg-${h}`, arn: this.arn("ec2", `security-group/sg-${h}`), ownerId: MOCK_ACCOUNT_ID };
            case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
                return { id: `sg-${h}`, name: "default" };
            case "aws:ec2/securityGroupRule:SecurityGroupRule":
            case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
                return { id: `sgr-${h}`, securityGroupRuleId: `sgr-${h}` };
            case "aws:ec2/flowLog:FlowLog":
                return { id: `fl-${h}` };
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return { id: `lt-${h}`, arn: this.arn("ec2", `launch-template/lt-${h}`), latestVersion: 1, defaultVersion: 1 };
            case "aws:lb/loadBalancer:LoadBalancer": {
                const lbName = physical.slice(0, 32);
                const suffix = `app/${lbName}/${h.slice(0, 16)}`;
                return {
                    id: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arn: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arnSuffix: suffix,
                    name: lbName,
                    dnsName: `${lbName}-${parseInt(h.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
                    zoneId: ALB_ZONE_IDS[region] ?? "ZMOCKZONE",
                };
            }
            case "aws:lb/targetGroup:TargetGroup": {
                const tgName = physical.slice(0, 32);
                const suffix = `targetgroup/${tgName}/${h.slice(0, 16)}`;
                return {
                    id: this.arn("elasticloadbalancing", suffix),
                    arn: this.arn("elasticloadbalancing", suffix),
                    arnSuffix: suffix,
                    name: tgName,
                };
            }
            case "aws:lb/listener:Listener":
            case "aws:lb/listenerRule:ListenerRule": {
                const arn = this.arn("elasticloadbalancing", `listener/app/${logical}/${h.slice(0, 16)}`);
                return { id: arn, arn };
            }
            case "aws:autoscaling/group:Group":
                return { id: physical, arn: this.arn("autoscaling", `autoScalingGroup:${h}:autoScalingGroupName/${physical}`) };
            case "aws:autoscaling/policy:Policy":
                return { id: physical, arn: this.arn("autoscaling", `scalingPolicy:${h}:autoScalingGroupName/${String(inputs.autoscalingGroupName)}:policyName/${physical}`) };
            case "aws:iam/role:Role":
                return { id: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}`, uniqueId: `AROA${h.toUpperCase()}` };
            case "aws:iam/instanceProfile:InstanceProfile":
                return { id: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:instance-profile/${physical}` };
            case "aws:iam/policy:Policy":
                return { id: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}`, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}` };
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            case "aws:iam/rolePolicy:RolePolicy":
                return { id: `${String(inputs.role)}-${h.slice(0, 8)}` };
            case "aws:kms/alias:Alias":
                return { id: String(inputs.name ?? physical), arn: this.arn("kms", String(inputs.name ?? physical)), targetKeyArn: this.arn("kms", `key/${String(inputs.targetKeyId)}`) };
            case "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": {
                // Lives in the destination region: its ARN names the replicated backup there.
                const arn = `arn:aws:rds:${String(inputs.region ?? "dr-region")}:${MOCK_ACCOUNT_ID}:auto-backup:ab-${h}`;
                return { id: arn };
            }
            case "aws:kms/key:Key":
                return { id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${h.slice(0, 3)}-${h.slice(3, 15)}`, arn: this.arn("kms", `key/${h}`), keyId: h };
            case "aws:ssm/parameter:Parameter": {
                // The ARN drops the name's leading slash: parameter/ecomm/dev/x, not parameter//ecomm/dev/x.
                const parameter = String(inputs.name ?? physical);
                return { id: parameter, arn: this.arn("ssm", `parameter/${parameter.replace(/^\//, "")}`), version: 1 };
            }
            case "aws:cloudwatch/logGroup:LogGroup":
                return { id: physical, arn: this.arn("logs", `log-group:${physical}`) };
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                return { id: physical, arn: this.arn("cloudwatch", `alarm:${physical}`), alarmName: inputs.alarmName ?? physical };
            case "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
                // A composite alarm's name is its required `alarmName` input, and its ARN ends with it.
                const alarmName = typeof inputs.alarmName === "string" ? inputs.alarmName : physical;
                return { id: alarmName, arn: this.arn("cloudwatch", `alarm:${alarmName}`), alarmName };
            }
            case "aws:cloudwatch/dashboard:Dashboard":
                return { id: String(inputs.dashboardName ?? physical), dashboardArn: `arn:aws:cloudwatch::${MOCK_ACCOUNT_ID}:dashboard/${String(inputs.dashboardName ?? physical)}` };
            case "aws:sns/topic:Topic":
                return { id: this.arn("sns", physical).replace(/:$/, ""), arn: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${physical}` };
            case "aws:sns/topicSubscription:TopicSubscription":
                return { id: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:sub-${h}`, arn: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:sub-${h}` };
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2": {
                const bucket = String(inputs.bucket ?? physical).toLowerCase();
                return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` };
            }
            case "aws:s3/bucketObjectv2:BucketObjectv2": {
                // S3 answers an upload with the version (versioned bucket), the ETag (MD5 of a single-part
                // body) and, with checksumAlgorithm SHA256, the body's SHA-256 in base64; the program keys
                // artifacts by their hex sha256, which gives the same value.
                const key = String(inputs.key);
                const sha = /[0-9a-f]{64}/.exec(key)?.[0];
                return {
                    id: key,
                    arn: `arn:aws:s3:::${String(inputs.bucket)}/${key}`,
                    versionId: `${h}${hex(`version:${key}`, 15)}`,
                    etag: hex(`etag:${key}`, 32),
                    ...(inputs.checksumAlgorithm === "SHA256" && sha ? { checksumSha256: Buffer.from(sha, "hex").toString("base64") } : {}),
                };
            }
            case "aws:rds/subnetGroup:SubnetGroup":
            case "aws:rds/parameterGroup:ParameterGroup":
            case "aws:rds/clusterParameterGroup:ClusterParameterGroup":
                return { id: physical, arn: this.arn("rds", `${type.includes("subnet") ? "subgrp" : type.includes("cluster") ? "cluster-pg" : "pg"}:${physical}`) };
            case "aws:rds/instance:Instance":
            case "aws:rds/cluster:Cluster":
            case "aws:rds/clusterInstance:ClusterInstance":
                return this.rdsState(type, physical, h, inputs);
            case "aws:wafv2/webAcl:WebAcl":
                return { id: h, arn: this.arn("wafv2", `regional/webacl/${physical}/${h}`), capacity: 700 };
            case "aws:acm/certificate:Certificate": {
                const domain = String(inputs.domainName);
                return {
                    id: this.arn("acm", `certificate/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-0000-000000000000`),
                    arn: this.arn("acm", `certificate/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-0000-000000000000`),
                    domainValidationOptions: [
                        { domainName: domain, resourceRecordName: `_${h.slice(0, 12)}.${domain}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${h.slice(4, 16)}.acm-validations.aws.` },
                    ],
                };
            }
            case "aws:route53/record:Record":
                return { id: `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`, fqdn: String(inputs.name) };
            case "aws:fis/experimentTemplate:ExperimentTemplate":
                return { id: `EXT${h.slice(0, 14).toUpperCase()}` };
            default:
                return {};
        }
    }

    private rdsState(type: string, physical: string, h: string, inputs: State): State {
        const region = this.region;
        const cluster = type === "aws:rds/cluster:Cluster";
        const identifier = String((cluster ? inputs.clusterIdentifier : inputs.identifier) ?? physical).toLowerCase();
        const engine = String(inputs.engine ?? "postgres");
        const port = typeof inputs.port === "number" ? inputs.port : engine.includes("postgres") ? 5432 : 3306;
        const host = `${identifier}.${cluster ? "cluster-" : ""}c${h.slice(0, 11)}.${region}.rds.amazonaws.com`;
        const secretArn = this.arn("secretsmanager", `secret:rds!${cluster ? "cluster" : "db"}-${h.slice(0, 8)}-${h.slice(8, 12)}-AbCdEf`);
        const managed = inputs.manageMasterUserPassword === true;
        return {
            id: identifier,
            identifier,
            clusterIdentifier: cluster ? identifier : inputs.clusterIdentifier,
            arn: this.arn("rds", `${cluster ? "cluster" : "db"}:${identifier}`),
            resourceId: `${cluster ? "cluster" : "db"}-${h.toUpperCase()}`,
            dbiResourceId: `db-${h.toUpperCase()}`,
            clusterResourceId: `cluster-${h.toUpperCase()}`,
            address: host,
            endpoint: cluster ? host : `${host}:${port}`,
            readerEndpoint: cluster ? host.replace(".cluster-", ".cluster-ro-") : undefined,
            port,
            masterUserSecrets: managed ? [{ secretArn, secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "" }] : [],
            masterUserSecret: managed ? [{ secretArn, secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "" }] : [],
            availabilityZone: inputs.availabilityZone ?? `${region}a`,
            // A Multi-AZ DB cluster (dbClusterInstanceClass set) has a writer and two readers RDS creates.
            clusterMembers: cluster && inputs.dbClusterInstanceClass ? [1, 2, 3].map((i) => `${identifier}-instance-${i}`) : inputs.clusterMembers ?? [],
            engineVersionActual: inputs.engineVersion,
        };
    }

    /**
     * A RandomId as the provider returns it: `byteLength` random bytes as hex, base64url (also the id),
     * base64 and decimal. The real bytes are drawn once at creation and kept in state until the keepers
     * change (replacement); the mock derives them from the name and keepers, so the same inputs give the
     * same value (a later `up` on the same state) and changed keepers a new one (a replacement).
     */
    private randomId(name: string, inputs: State): { id: string; state: State } {
        const length = Number(inputs.byteLength ?? 8);
        const keepers = (inputs.keepers ?? {}) as Record<string, unknown>;
        const seed = JSON.stringify([name, inputs.prefix ?? "", Object.entries(keepers).sort(([a], [b]) => a.localeCompare(b))]);
        const bytes = Buffer.from(createHash("sha256").update(`random:${seed}`).digest().subarray(0, length));
        const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
        const b64Url = bytes.toString("base64url");
        return {
            id: b64Url,
            state: { ...inputs, byteLength: length, keepers, hex: prefix + bytes.toString("hex"), b64Url: prefix + b64Url, b64Std: prefix + bytes.toString("base64"), dec: prefix + BigInt(`0x${bytes.toString("hex")}`).toString(10) },
        };
    }

    /** awsx's Vpc outputs, shaped from its inputs: one subnet per AZ per spec, NAT gateways per strategy. */
    private vpcOutputs(name: string, inputs: State): State {
        const vpcId = `vpc-${hex(`vpc:${name}`, 17)}`;
        const specs = (inputs.subnetSpecs as { type: string; name?: string; cidrBlocks?: string[] }[] | undefined) ?? [];
        const pinned = inputs.availabilityZoneNames as string[] | undefined;
        // Without names, awsx (ec2/vpc.ts getDefaultAzs) takes the first N (default 3) of an unfiltered
        // getAvailabilityZones: impaired AZs and opted-in Local Zones included.
        const azs = pinned ?? describeZones(this.zones, {}).map((z) => z.name).slice(0, Number(inputs.numberOfAvailabilityZones ?? 3));
        const subnets: { id: string; type: string; availabilityZone: string; cidrBlock?: string }[] = [];
        for (const spec of specs) {
            azs.forEach((az, i) => {
                subnets.push({
                    id: `subnet-${hex(`${name}:${spec.type}:${az}`, 17)}`,
                    type: spec.type,
                    availabilityZone: az,
                    cidrBlock: spec.cidrBlocks?.[i],
                });
            });
        }
        const idsOf = (t: string) => subnets.filter((s) => s.type === t).map((s) => s.id);
        const strategy = (inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";
        const natCount = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs.length;
        const natGateways = azs.slice(0, natCount).map((az) => ({
            id: `nat-${hex(`${name}:nat:${az}`, 17)}`,
            subnetId: subnets.find((s) => s.type === "Public" && s.availabilityZone === az)?.id,
            connectivityType: "public",
        }));
        return {
            vpcId,
            vpc: { id: vpcId, cidrBlock: inputs.cidrBlock, arn: this.arn("ec2", `vpc/${vpcId}`) },
            publicSubnetIds: idsOf("Public"),
            privateSubnetIds: idsOf("Private"),
            isolatedSubnetIds: idsOf("Isolated"),
            subnets: subnets.map((s) => ({ id: s.id, availabilityZone: s.availabilityZone, cidrBlock: s.cidrBlock, vpcId, tags: { SubnetType: s.type } })),
            natGateways,
            eips: natGateways.map((n) => ({ id: `eipalloc-${hex(n.id, 17)}` })),
            internetGateway: { id: `igw-${hex(`${name}:igw`, 17)}` },
            vpcEndpoints: ((inputs.vpcEndpointSpecs as { serviceName: string }[] | undefined) ?? []).map((e) => ({ id: `vpce-${hex(e.serviceName, 17)}`, serviceName: e.serviceName })),
        };
    }
}
