import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { refuseBadArgs } from "../shared/component-args";
import { serviceTrustPolicy } from "../shared/iam";
import { problemLine } from "../shared/problems";
import { databaseRuleProblems, defaultPort, enhancedMonitoringPolicyArn, FINAL_SNAPSHOT_SUFFIX_BYTES, finalSnapshotIdentifier, parameterGroupFamily, rdsEngineName, snapshotIdentifierProblem, type DatabaseEngine, type DatabaseRuleInput, type RdsEngine } from "./rules";
import { instanceCount, isInstanceMode, requiredAvailabilityZones, type DatabaseMode } from "./modes";
import { createClusterDeployment } from "./cluster";
import type { DeploymentContext, Monitoring, Shared } from "./deployment";
import { createInstanceDeployment } from "./instance";

export type { DatabaseEngine, DatabaseMode, RdsEngine };

export interface DatabaseComponentArgs {
    /**
     * How the database survives the loss of an instance or an AZ:
     * - `single-az`: one instance, no standby. Cheapest; an AZ or host failure means a restore from
     *   backup (minutes to hours). Dev only.
     * - `multi-az-instance`: one `aws.rds.Instance` with a synchronous standby in another AZ that serves
     *   no reads; failover typically 60–120 s. About 2x the single-AZ instance and storage price.
     * - `multi-az-cluster`: an RDS Multi-AZ DB cluster, a writer and two readable standbys in three AZs
     *   (semi-synchronous); failover typically under 35 s. About 3x the instance price, local-NVMe
     *   classes only, and storage that does not autoscale.
     * - `aurora`: an Aurora cluster with a writer and `readerCount` readers, each pinned to its own AZ,
     *   on storage replicated six ways over three AZs; failover typically ~30 s. Priced per instance
     *   plus per GB-month and I/O.
     */
    readonly mode: DatabaseMode;
    /** `postgres` or `mysql` (their Aurora counterparts in aurora mode). */
    readonly engine: DatabaseEngine;
    /**
     * The engine version. With `autoMinorVersionUpgrade` (the default) the major only: RDS picks the
     * minor at creation and upgrades it, and the provider matches the running version by prefix. A full
     * version pins the minor and needs `autoMinorVersionUpgrade: false`.
     * @example "17" (PostgreSQL), "8.4" (MySQL), "8.0" (Aurora MySQL 3); pinned: "17.7", "8.0.mysql_aurora.3.10.0"
     */
    readonly engineVersion: string;
    /**
     * RDS applies new minor versions in the maintenance window (instances, clusters and Aurora instances).
     * @default true
     */
    readonly autoMinorVersionUpgrade?: boolean;
    /**
     * Lets a raised major `engineVersion` reach RDS; without it RDS refuses the modification before
     * anything changes. Needs `applyImmediately`, see `parameterGroupOptions`.
     * @default false
     */
    readonly allowMajorVersionUpgrade?: boolean;
    /**
     * Instance class of every DB instance (writer, standby(s), readers).
     * @example "db.m7g.large"; "db.m6gd.large" for a Multi-AZ DB cluster; "db.r7g.large" for Aurora
     */
    readonly instanceClass: string;
    /** Initial storage in GiB (instance modes and Multi-AZ DB clusters; Aurora storage is managed). */
    readonly allocatedStorageGb: number;
    /**
     * Upper bound for RDS storage autoscaling in GiB (instance modes only: Multi-AZ DB clusters don't
     * support it and Aurora storage grows by itself).
     */
    readonly maxAllocatedStorageGb: number;
    /** Name of the database created with the cluster or instance. @example "shop" */
    readonly dbName: string;
    /**
     * The master user's name. Its password is generated and rotated by RDS in Secrets Manager, never
     * seen by Pulumi.
     * @default "ecomm_admin"
     */
    readonly masterUsername?: string;
    /** VPC the security group belongs to. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets of the DB subnet group: the isolated tier, one per AZ. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The AZ names in the same order as `subnetIds`; Aurora instances are pinned to them in turn. */
    readonly availabilityZones: pulumi.Input<string[]>;
    /** How many AZs `subnetIds` spans (a plain number: it decides how many Aurora instances fit). */
    readonly availabilityZoneCount: number;
    /**
     * Security groups allowed to connect on the engine's port (the backend service's). Nothing else may
     * connect: no CIDR ranges.
     * @default [] (nobody can connect until a client group is given)
     */
    readonly clientSecurityGroupIds: readonly pulumi.Input<string>[];
    /** Days of automated backups (0 turns them off; clusters need 1–35). */
    readonly backupRetentionDays: number;
    /** Daily backup window, UTC, `hh24:mi-hh24:mi`, not overlapping `maintenanceWindow`. */
    readonly backupWindow: string;
    /** Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`. */
    readonly maintenanceWindow: string;
    /** Refuse `DeleteDBInstance`/`DeleteDBCluster` until turned off. */
    readonly deletionProtection: boolean;
    /**
     * Take a final snapshot when the database is deleted, named `<prefix>-<8 hex>`: the suffix is a
     * random id kept in state and replaced with the database (see `createFinalSnapshotSuffix`), so each
     * database's lifetime has its own snapshot and a second deletion never meets DBSnapshotAlreadyExists.
     * @example "ecomm-prod-database-final"
     * @default none: deleting the database takes no final snapshot (dev)
     */
    readonly finalSnapshotPrefix?: string;
    /**
     * Pulumi `protect` on the stateful resources (the database and its KMS key): `pulumi destroy` and
     * replacements fail until it is lifted.
     * @default false
     */
    readonly protect?: boolean;
    /**
     * Apply modifications at once instead of in the maintenance window (a class change then restarts
     * the database during business hours). Required for a major upgrade (`allowMajorVersionUpgrade`).
     * @default false
     */
    readonly applyImmediately?: boolean;
    /**
     * Performance Insights (encrypted with the component's key, 7 days' free retention). Skipped on
     * classes that lack it (RDS MySQL db.t3/t4g micro and small, Aurora MySQL db.t3).
     * @default true
     */
    readonly performanceInsights?: boolean;
    /**
     * Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off and creates no
     * monitoring role. Billed as CloudWatch Logs ingestion.
     * @default 0
     */
    readonly monitoringIntervalSeconds?: number;
    /** Aurora readers besides the writer (aurora mode), each in its own AZ. @default 1 */
    readonly readerCount?: number;
    /** KMS alias for the component's key, unique in the account and region. @default `alias/${name}` */
    readonly keyAliasName?: string;
    /**
     * Replicate automated backups to another region (instance modes) for disaster recovery, through a
     * provider for that region and a KMS key created there. Costs the cross-region transfer and the
     * replicated storage.
     * @default none
     */
    readonly backupReplication?: {
        /** The destination region. @example "us-west-2" */
        readonly region: string;
        /** A provider configured for `region`. */
        readonly provider: aws.Provider;
    };
}

/** The args field a rule's field stands for (the config's `backupReplicationRegion` is `backupReplication.region` here). */
function argsPath(field: keyof DatabaseRuleInput): string[] {
    return field === "backupReplicationRegion" ? ["backupReplication", "region"] : [field];
}

/**
 * Every problem with the args, empty when they are valid: the config schema's own rules
 * (`databaseRuleProblems`: versions, classes, storage, backups, windows) on the args, plus what the schema
 * cannot see (the final snapshot name built here, the AZ count of the subnets).
 */
export function databaseArgsProblems(a: DatabaseComponentArgs): string[] {
    const rules: DatabaseRuleInput = {
        ...a,
        backupReplicationRegion: a.backupReplication?.region,
        autoMinorVersionUpgrade: a.autoMinorVersionUpgrade ?? true,
        allowMajorVersionUpgrade: a.allowMajorVersionUpgrade ?? false,
        applyImmediately: a.applyImmediately ?? false,
    };
    const problems = databaseRuleProblems(rules).map((p) => problemLine({ path: argsPath(p.field), input: rules[p.field], message: p.message }));
    if (a.finalSnapshotPrefix !== undefined) {
        const p = snapshotIdentifierProblem(finalSnapshotIdentifier(a.finalSnapshotPrefix, "0".repeat(2 * FINAL_SNAPSHOT_SUFFIX_BYTES)));
        if (p) problems.push(`finalSnapshotPrefix "${a.finalSnapshotPrefix}" with its suffix ${p}`);
    }
    const needed = requiredAvailabilityZones(a.mode, a.readerCount ?? 1);
    if (a.availabilityZoneCount < needed) {
        problems.push(`${a.mode} needs ${needed} availability zones but the subnets span ${a.availabilityZoneCount}`);
    }
    return problems;
}

/**
 * A private, encrypted, TLS-only RDS or Aurora database with a password RDS manages in Secrets Manager,
 * automated backups, Performance Insights, optional Enhanced Monitoring and cross-region backup copies.
 */
export class DatabaseComponent extends pulumi.ComponentResource {
    public readonly mode: DatabaseMode;
    /** The RDS engine name (`postgres`, `mysql`, `aurora-postgresql`, `aurora-mysql`). */
    public readonly engine: RdsEngine;
    /** The writer's DNS name (instance address or cluster endpoint), without the port. */
    public readonly endpoint: pulumi.Output<string>;
    /** The cluster's reader endpoint (cluster modes); undefined for instance modes. */
    public readonly readerEndpoint?: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly dbName: string;
    /** ARN of the Secrets Manager secret RDS keeps the master credentials in. */
    public readonly secretArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly subnetGroupName: pulumi.Output<string>;
    public readonly parameterGroupName: pulumi.Output<string>;
    public readonly parameterGroupFamily: string;
    /** The customer-managed key for storage, Performance Insights and the secret. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** DB instance identifiers for per-instance metrics (instance modes: one; clusters: every member). */
    public readonly instanceIdentifiers: pulumi.Output<string[]>;
    /**
     * The same identifiers one Output each, as many as the mode runs (1; 3 for a Multi-AZ DB cluster;
     * 1 + readerCount for Aurora): per-instance alarms need a count known before deployment.
     */
    public readonly instanceIdentifierList: pulumi.Output<string>[];
    /** The cluster identifier for cluster-level metrics (cluster modes); undefined for instance modes. */
    public readonly clusterIdentifier?: pulumi.Output<string>;
    public readonly monitoringRoleArn?: pulumi.Output<string>;
    /** ARN of the instance (instance modes) or the cluster (cluster modes): what a failover acts on. */
    public readonly arn: pulumi.Output<string>;

    private readonly name: string;
    private readonly args: DatabaseComponentArgs;

    constructor(name: string, args: DatabaseComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("DatabaseComponent", name, databaseArgsProblems(args));
        super("ecomm:database:DatabaseComponent", name, {}, opts);
        this.name = name;
        this.args = args;

        this.mode = args.mode;
        this.engine = rdsEngineName(args.mode, args.engine);
        this.dbName = args.dbName;
        this.parameterGroupFamily = parameterGroupFamily(args.mode, args.engine, args.engineVersion);

        const key = this.createKey();
        this.kmsKeyArn = key.arn;
        const subnetGroup = this.createSubnetGroup();
        this.subnetGroupName = subnetGroup.name;
        const securityGroup = this.createSecurityGroup();
        this.securityGroupId = securityGroup.id;
        const monitoring = this.createMonitoringRole();
        this.monitoringRoleArn = monitoring?.role.arn;

        const partial = { key, subnetGroup, securityGroup, monitoring };
        const shared: Shared = { ...partial, finalSnapshotIdentifier: this.createFinalSnapshotSuffix(partial) };
        const context: DeploymentContext = { parent: this, name, args, engine: this.engine, parameterGroupFamily: this.parameterGroupFamily, shared };
        const deployment = isInstanceMode(args.mode) ? createInstanceDeployment(context) : createClusterDeployment(context);
        this.parameterGroupName = deployment.parameterGroupName;
        this.endpoint = deployment.endpoint;
        this.readerEndpoint = deployment.readerEndpoint;
        this.port = deployment.port;
        this.secretArn = deployment.secretArn;
        this.instanceIdentifiers = deployment.instanceIdentifiers;
        const count = instanceCount(args.mode, args.readerCount ?? 1);
        this.instanceIdentifierList = Array.from({ length: count }, (_, i) => deployment.instanceIdentifiers.apply((ids) => ids[i]));
        this.clusterIdentifier = deployment.clusterIdentifier;
        this.arn = deployment.arn;

        this.registerOutputs({
            mode: this.mode,
            engine: this.engine,
            endpoint: this.endpoint,
            readerEndpoint: this.readerEndpoint,
            port: this.port,
            dbName: this.dbName,
            secretArn: this.secretArn,
            securityGroupId: this.securityGroupId,
            kmsKeyArn: this.kmsKeyArn,
            instanceIdentifiers: this.instanceIdentifiers,
            clusterIdentifier: this.clusterIdentifier,
        });
    }

    /** One customer-managed key encrypts storage, snapshots, Performance Insights and the master secret. */
    private createKey(): aws.kms.Key {
        const key = new aws.kms.Key(
            `${this.name}-key`,
            {
                description: `Encrypts the ${this.name} database: storage, snapshots, Performance Insights, master secret`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            { parent: this, protect: this.args.protect ?? false },
        );
        new aws.kms.Alias(
            `${this.name}-key-alias`,
            { name: this.args.keyAliasName ?? `alias/${this.name}`, targetKeyId: key.keyId },
            { parent: this },
        );
        return key;
    }

    private createSubnetGroup(): aws.rds.SubnetGroup {
        return new aws.rds.SubnetGroup(
            `${this.name}-subnets`,
            { description: `Isolated subnets of the ${this.name} database`, subnetIds: this.args.subnetIds },
            { parent: this },
        );
    }

    /** Ingress on the engine's port from each client security group only; no CIDR, no egress rules. */
    private createSecurityGroup(): aws.ec2.SecurityGroup {
        const port = defaultPort(this.args.engine);
        // No inline rules: the provider removes AWS's default allow-all egress rule, and the ingress
        // rules below are their own resources (mixing inline and separate rules makes them fight).
        const sg = new aws.ec2.SecurityGroup(
            `${this.name}-sg`,
            {
                vpcId: this.args.vpcId,
                description: `${this.name} database: ${this.engine} port ${port} from its clients only`,
                tags: { Name: `${this.name}-db` },
            },
            { parent: this },
        );
        this.args.clientSecurityGroupIds.forEach((clientSg, i) => {
            new aws.vpc.SecurityGroupIngressRule(
                `${this.name}-sg-from-client-${i}`,
                {
                    securityGroupId: sg.id,
                    referencedSecurityGroupId: clientSg,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `${this.engine} from client security group ${i}`,
                },
                { parent: this },
            );
        });
        return sg;
    }

    private createMonitoringRole(): Monitoring | undefined {
        const interval = this.args.monitoringIntervalSeconds ?? 0;
        if (interval === 0) return undefined;
        const role = new aws.iam.Role(
            `${this.name}-monitoring-role`,
            {
                description: `Lets RDS Enhanced Monitoring publish OS metrics of the ${this.name} database`,
                // Only for this account's DB instances in this region (RDS User Guide, "Setting up and enabling
                // Enhanced Monitoring": aws:SourceAccount and aws:SourceArn in the trust policy).
                assumeRolePolicy: pulumi
                    .all([
                        aws.getCallerIdentityOutput({}, { parent: this }).accountId,
                        aws.getPartitionOutput({}, { parent: this }).partition,
                        aws.getRegionOutput({}, { parent: this }).region,
                    ])
                    .apply(([accountId, partition, region]) =>
                        serviceTrustPolicy("monitoring.rds.amazonaws.com", { accountId, sourceArn: `arn:${partition}:rds:${region}:${accountId}:db:*` }),
                    ),
            },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${this.name}-monitoring-policy`,
            {
                role: role.name,
                // The managed policy lives in the stack's partition (aws-us-gov, aws-cn have their own ARNs).
                policyArn: aws.getPartitionOutput({}, { parent: this }).partition.apply(enhancedMonitoringPolicyArn),
            },
            { parent: this },
        );
        return { role, attachment, interval };
    }

    /**
     * The final snapshot's identifier for this database's lifetime, or undefined (no final snapshot).
     * A `random.RandomId` is created once and kept in state, so a plain `up` sends the same value (the
     * provider stores `final_snapshot_identifier` without an API call and never replaces on it). Its
     * keepers are the inputs on which the provider replaces the database (ForceNew: engine, database name,
     * master user name, KMS key, storage encryption; clusters also the subnet group) plus the resource
     * kind, so a replacement, or a change of mode (instance ↔ cluster), gets a new suffix. `pulumi destroy`
     * deletes it with the database, so destroy → up starts a new lifetime with a new suffix.
     */
    private createFinalSnapshotSuffix(shared: Omit<Shared, "finalSnapshotIdentifier">): pulumi.Output<string> | undefined {
        const a = this.args;
        if (a.finalSnapshotPrefix === undefined) return undefined;
        const prefix = a.finalSnapshotPrefix;
        const cluster = !isInstanceMode(a.mode);
        const keepers: Record<string, pulumi.Input<string>> = {
            resource: cluster ? "aws:rds/cluster:Cluster" : "aws:rds/instance:Instance",
            engine: this.engine,
            dbName: a.dbName,
            masterUsername: a.masterUsername ?? "ecomm_admin",
            kmsKeyId: shared.key.arn,
            storageEncrypted: "true",
            ...(cluster ? { dbSubnetGroupName: shared.subnetGroup.name } : {}),
        };
        const suffix = new random.RandomId(`${this.name}-final-snapshot-suffix`, { byteLength: FINAL_SNAPSHOT_SUFFIX_BYTES, keepers }, { parent: this });
        return suffix.hex.apply((hex) => finalSnapshotIdentifier(prefix, hex));
    }
}
