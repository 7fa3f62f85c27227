/**
 * The cluster path (`multi-az-cluster`, `aurora`): a TLS-only cluster parameter group, the
 * `aws.rds.Cluster`, and Aurora's writer and readers (a Multi-AZ DB cluster's three instances are RDS's).
 * Parented to the DatabaseComponent.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { commonSettings, enhancedMonitoringSettings, parameterGroupOptions, performanceInsightsSettings, secretArnOf, statefulOptions, type Deployment, type DeploymentContext } from "./deployment";
import { engineParameters, MULTI_AZ_CLUSTER_GP3_IOPS } from "./rules";

/** multi-az-cluster / aurora: a cluster parameter group, the cluster, and Aurora's instances. */
export function createClusterDeployment(ctx: DeploymentContext): Deployment {
    const parameterGroup = new aws.rds.ClusterParameterGroup(
        `${ctx.name}-cluster-params`,
        {
            family: ctx.parameterGroupFamily,
            description: `TLS-only ${ctx.parameterGroupFamily} cluster parameters for ${ctx.name}`,
            parameters: engineParameters(ctx.args.mode, ctx.args.engine),
        },
        parameterGroupOptions(ctx),
    );
    const cluster = createCluster(ctx, parameterGroup);
    const instanceIdentifiers =
        ctx.args.mode === "aurora"
            ? pulumi.all(createAuroraInstances(ctx, cluster).map((i) => i.identifier))
            : // A Multi-AZ DB cluster's three instances are created by RDS, not by us.
              cluster.clusterMembers;
    return {
        parameterGroupName: parameterGroup.name,
        endpoint: cluster.endpoint,
        readerEndpoint: cluster.readerEndpoint,
        port: cluster.port,
        secretArn: secretArnOf(cluster.masterUserSecrets),
        instanceIdentifiers,
        clusterIdentifier: cluster.clusterIdentifier,
        arn: cluster.arn,
    };
}

function createCluster(ctx: DeploymentContext, parameterGroup: aws.rds.ClusterParameterGroup): aws.rds.Cluster {
    const a = ctx.args;
    const multiAzCluster = a.mode === "multi-az-cluster";
    return new aws.rds.Cluster(
        `${ctx.name}-cluster`,
        {
            ...commonSettings(ctx),
            databaseName: a.dbName,
            masterUsername: a.masterUsername ?? "ecomm_admin",
            dbClusterParameterGroupName: parameterGroup.name,
            preferredBackupWindow: a.backupWindow,
            preferredMaintenanceWindow: a.maintenanceWindow,
            // The Multi-AZ DB cluster's instances are defined on the cluster itself; it is not
            // publicly accessible because its subnet group has only isolated subnets. Aurora's
            // storage is managed (no size, type or IOPS) and its instances are separate resources.
            ...(multiAzCluster
                ? {
                      dbClusterInstanceClass: a.instanceClass,
                      storageType: "gp3",
                      allocatedStorage: a.allocatedStorageGb,
                      iops: MULTI_AZ_CLUSTER_GP3_IOPS,
                      ...performanceInsightsSettings(ctx),
                      ...enhancedMonitoringSettings(ctx),
                  }
                : {}),
            tags: { Name: `${ctx.name}-cluster` },
        },
        statefulOptions(ctx),
    );
}

/**
 * The writer, then `readerCount` readers, instance i pinned to AZ i. Readers wait for the writer so
 * the intended instance becomes the writer (Aurora makes the first one the writer), and carry
 * promotion tier 1 so the writer's replacement is any reader.
 */
function createAuroraInstances(ctx: DeploymentContext, cluster: aws.rds.Cluster): aws.rds.ClusterInstance[] {
    const a = ctx.args;
    const azs = pulumi.output(a.availabilityZones);
    const monitoring = ctx.shared.monitoring;
    const instance = (role: string, index: number, dependsOn: pulumi.Resource[]) =>
        new aws.rds.ClusterInstance(
            `${ctx.name}-${role}`,
            {
                clusterIdentifier: cluster.id,
                engine: ctx.engine,
                instanceClass: a.instanceClass,
                availabilityZone: azs.apply((names) => names[index]),
                promotionTier: index === 0 ? 0 : 1,
                publiclyAccessible: false,
                dbSubnetGroupName: ctx.shared.subnetGroup.name,
                preferredMaintenanceWindow: a.maintenanceWindow,
                applyImmediately: a.applyImmediately ?? false,
                autoMinorVersionUpgrade: a.autoMinorVersionUpgrade ?? true,
                copyTagsToSnapshot: true,
                ...performanceInsightsSettings(ctx),
                ...enhancedMonitoringSettings(ctx),
                tags: { Name: `${ctx.name}-${role}` },
            },
            { ...statefulOptions(ctx), dependsOn: [...(monitoring ? [monitoring.attachment] : []), ...dependsOn] },
        );
    const writer = instance("writer", 0, []);
    const readers = Array.from({ length: a.readerCount ?? 1 }, (_, i) => instance(`reader-${i + 1}`, i + 1, [writer]));
    return [writer, ...readers];
}
