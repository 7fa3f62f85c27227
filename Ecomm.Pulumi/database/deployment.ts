/**
 * What the database's two deployment paths share (terraform-aws-rds's split: `instance.ts` for RDS
 * instances, `cluster.ts` for Multi-AZ DB clusters and Aurora): the context the DatabaseComponent hands
 * them, the settings every mode shares, and what each path returns. Every resource either path creates is
 * parented to the DatabaseComponent (`ctx.parent`), so its URN is the one it always had.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseComponentArgs } from "./database-component";
import { defaultPort, logExports, performanceInsightsSupported, type RdsEngine } from "./rules";

/** Performance Insights' free retention (days). */
const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;

export interface Monitoring {
    readonly role: aws.iam.Role;
    readonly attachment: aws.iam.RolePolicyAttachment;
    readonly interval: number;
}

/** What the component created before either path: key, subnet group, security group, monitoring role. */
export interface Shared {
    readonly key: aws.kms.Key;
    readonly subnetGroup: aws.rds.SubnetGroup;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly monitoring?: Monitoring;
    /** The final snapshot's identifier (undefined: no final snapshot). */
    readonly finalSnapshotIdentifier?: pulumi.Output<string>;
}

/** What a path needs: the component (parent of everything), its name and args, and the shared resources. */
export interface DeploymentContext {
    readonly parent: pulumi.ComponentResource;
    readonly name: string;
    readonly args: DatabaseComponentArgs;
    readonly engine: RdsEngine;
    readonly parameterGroupFamily: string;
    readonly shared: Shared;
}

/** What the stack and monitoring need from either kind of deployment. */
export interface Deployment {
    readonly parameterGroupName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly readerEndpoint?: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly secretArn: pulumi.Output<string>;
    readonly instanceIdentifiers: pulumi.Output<string[]>;
    readonly clusterIdentifier?: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
}

/** Settings every mode shares: network, encryption, managed password, backups, maintenance. */
export function commonSettings(ctx: DeploymentContext) {
    const { args: a, shared } = ctx;
    return {
        engine: ctx.engine,
        engineVersion: a.engineVersion,
        dbSubnetGroupName: shared.subnetGroup.name,
        vpcSecurityGroupIds: [shared.securityGroup.id],
        port: defaultPort(a.engine),
        storageEncrypted: true,
        kmsKeyId: shared.key.arn,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: shared.key.arn,
        backupRetentionPeriod: a.backupRetentionDays,
        copyTagsToSnapshot: true,
        deletionProtection: a.deletionProtection,
        skipFinalSnapshot: shared.finalSnapshotIdentifier === undefined,
        finalSnapshotIdentifier: shared.finalSnapshotIdentifier,
        applyImmediately: a.applyImmediately ?? false,
        autoMinorVersionUpgrade: a.autoMinorVersionUpgrade ?? true,
        // The switch for a major upgrade (off: RDS refuses a raised major before changing anything).
        allowMajorVersionUpgrade: a.allowMajorVersionUpgrade ?? false,
        enabledCloudwatchLogsExports: logExports(a.mode, a.engine),
        // FSBP RDS.10/RDS.12: lets the app use short-lived IAM tokens instead of the master password.
        iamDatabaseAuthenticationEnabled: true,
    };
}

export function performanceInsightsSettings(ctx: DeploymentContext) {
    const a = ctx.args;
    const enabled = (a.performanceInsights ?? true) && performanceInsightsSupported(a.mode, a.engine, a.instanceClass);
    return enabled
        ? { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: ctx.shared.key.arn, performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS }
        : { performanceInsightsEnabled: false };
}

export function enhancedMonitoringSettings(ctx: DeploymentContext) {
    const monitoring = ctx.shared.monitoring;
    return monitoring ? { monitoringInterval: monitoring.interval, monitoringRoleArn: monitoring.role.arn } : { monitoringInterval: 0 };
}

/** Options of the stateful resources (instance, cluster, Aurora instances). */
export function statefulOptions(ctx: DeploymentContext): pulumi.CustomResourceOptions {
    return {
        parent: ctx.parent,
        protect: ctx.args.protect ?? false,
        // RDS checks the monitoring role's permissions when the database is created.
        dependsOn: ctx.shared.monitoring ? [ctx.shared.monitoring.attachment] : [],
    };
}

/**
 * Naming for major-version upgrades: the family (`postgres16`) is fixed at creation, so a major
 * upgrade must replace the group, and the instance must move to the new group in the same update as
 * its engine version. The group is auto-named (logical name + random suffix, like `namePrefix`), so
 * old and new can exist side by side: Pulumi creates the new group, updates the database to use it,
 * and deletes the old one last. `deleteBeforeReplace: false` states that default; `replaceOnChanges`
 * is not needed because the provider already replaces on `family`. (A fixed `name` would force
 * delete-before-replace, which fails while the database still uses the group.) With
 * `applyImmediately: false` the move waits for the maintenance window, so the old group's deletion
 * fails until then: a major upgrade therefore runs with `allowMajorVersionUpgrade` and
 * `applyImmediately` together (the component refuses the one without the other), and RDS refuses a
 * raised major without `allowMajorVersionUpgrade` before anything changes.
 */
export function parameterGroupOptions(ctx: DeploymentContext): pulumi.CustomResourceOptions {
    return { parent: ctx.parent, deleteBeforeReplace: false };
}

export function secretArnOf(secrets: pulumi.Output<{ secretArn: string }[]>): pulumi.Output<string> {
    return secrets.apply((list) => {
        const arn = list[0]?.secretArn;
        if (!arn) throw new Error("RDS returned no master user secret although manageMasterUserPassword is true");
        return arn;
    });
}
