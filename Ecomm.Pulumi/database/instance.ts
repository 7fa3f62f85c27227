/**
 * The instance path (`single-az`, `multi-az-instance`): a TLS-only parameter group, the `aws.rds.Instance`,
 * and optionally its automated backups replicated to a DR region. Parented to the DatabaseComponent.
 */
import * as aws from "@pulumi/aws";
import { commonSettings, enhancedMonitoringSettings, parameterGroupOptions, performanceInsightsSettings, secretArnOf, statefulOptions, type Deployment, type DeploymentContext } from "./deployment";
import { engineParameters } from "./rules";

/** single-az / multi-az-instance: a parameter group, the instance, and optionally DR backup copies. */
export function createInstanceDeployment(ctx: DeploymentContext): Deployment {
    const parameterGroup = new aws.rds.ParameterGroup(
        `${ctx.name}-params`,
        {
            family: ctx.parameterGroupFamily,
            description: `TLS-only ${ctx.parameterGroupFamily} parameters for ${ctx.name}`,
            parameters: engineParameters(ctx.args.mode, ctx.args.engine),
        },
        parameterGroupOptions(ctx),
    );
    const instance = createInstance(ctx, parameterGroup);
    if (ctx.args.backupReplication) replicateBackups(ctx, instance, ctx.args.backupReplication);
    return {
        parameterGroupName: parameterGroup.name,
        endpoint: instance.address,
        port: instance.port,
        secretArn: secretArnOf(instance.masterUserSecrets),
        instanceIdentifiers: instance.identifier.apply((id) => [id]),
        arn: instance.arn,
    };
}

function createInstance(ctx: DeploymentContext, parameterGroup: aws.rds.ParameterGroup): aws.rds.Instance {
    const a = ctx.args;
    return new aws.rds.Instance(
        `${ctx.name}-db`,
        {
            ...commonSettings(ctx),
            instanceClass: a.instanceClass,
            multiAz: a.mode === "multi-az-instance",
            publiclyAccessible: false,
            dbName: a.dbName,
            username: a.masterUsername ?? "ecomm_admin",
            parameterGroupName: parameterGroup.name,
            storageType: "gp3",
            allocatedStorage: a.allocatedStorageGb,
            maxAllocatedStorage: a.maxAllocatedStorageGb,
            backupWindow: a.backupWindow,
            maintenanceWindow: a.maintenanceWindow,
            // Keep automated backups after deletion for their retention period (PITR of a deleted DB).
            deleteAutomatedBackups: false,
            ...performanceInsightsSettings(ctx),
            ...enhancedMonitoringSettings(ctx),
            tags: { Name: `${ctx.name}-db` },
        },
        statefulOptions(ctx),
    );
}

/** Copies automated backups (and transaction logs, for PITR) to the DR region, under a key there. */
function replicateBackups(ctx: DeploymentContext, instance: aws.rds.Instance, dr: NonNullable<DeploymentContext["args"]["backupReplication"]>): void {
    const key = new aws.kms.Key(
        `${ctx.name}-dr-key`,
        {
            description: `Encrypts ${ctx.name}'s replicated automated backups in ${dr.region}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
        },
        { parent: ctx.parent, provider: dr.provider, protect: ctx.args.protect ?? false },
    );
    new aws.rds.InstanceAutomatedBackupsReplication(
        `${ctx.name}-backup-replication`,
        { sourceDbInstanceArn: instance.arn, kmsKeyId: key.arn, retentionPeriod: ctx.args.backupRetentionDays },
        { parent: ctx.parent, provider: dr.provider },
    );
}
