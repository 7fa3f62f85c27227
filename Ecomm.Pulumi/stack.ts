/**
 * The stack program: reads and validates config once, builds the components in order, and returns the
 * stack outputs. Components never read config; everything they need arrives as typed args.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, servicesWithSettings, type ExtraServiceConfig, type ServiceConfig, type StackConfig } from "./config/schema";
import { NetworkComponent } from "./network/network-component";
import { stackSlug } from "./shared/naming";
import { WebTierComponent, type WebServiceArgs } from "./web/web-tier-component";
import { WEB_TIER_NAME } from "./web/services";
import type { ServiceApp } from "./web/service-component";
import { MonitoringComponent } from "./monitoring/monitoring-component";
import { ResilienceComponent } from "./resilience/resilience-component";
import { planExperiments } from "./resilience/experiments";
import { DatabaseComponent } from "./database/database-component";
import type { EcommServiceOutputs, EcommStackOutputInputs } from "./outputs";
import { DatabaseAccessComponent } from "./database/access-component";
import { resolveApps } from "./app/apps";
import { DomainComponent } from "./dns/domain-component";
import { isOfflineEngine } from "./shared/offline-engine";
import { placeholderProblems } from "./config/placeholders";
import { programTags } from "./shared/tags";
import { availabilityZoneCount, resolveAvailabilityZoneNames, targetZoneProblem } from "./network/availability-zones";
import type { ConfigProblem } from "./config/parse";

/** A RunError prints just the message: every problem with its key, value, what is allowed and its fix. */
function refuse(problems: readonly ConfigProblem[]): never {
    throw new pulumi.RunError(new ConfigError(problems).message);
}

const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;

/**
 * Reads the stack's config from the engine, refusing bad input before any resource exists. Under the
 * real engine (anything but the offline one) documentation placeholders are refused too, with the
 * schema's problems, all in one message.
 */
export function loadStackConfig(): StackConfig {
    const raw = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    const placeholders = isOfflineEngine()
        ? []
        : placeholderProblems(raw, { stack, region: raw["aws:region"], isSecret: (key) => isConfigSecret?.(key) ?? false });
    let config: StackConfig;
    try {
        config = parseStackConfig(raw, stack);
    } catch (err) {
        if (err instanceof ConfigError) refuse([...err.problems, ...placeholders]);
        throw err;
    }
    if (placeholders.length > 0) refuse(placeholders);
    return config;
}

/**
 * The stack's AZs, one list for the subnets (passed to awsx by name), the outputs and the FIS
 * experiments: the pinned names, or the first N AZs of the region that are available and need no opt-in.
 * Looked up before any resource exists (an invoke registers nothing), so a problem is still a refusal.
 */
export async function resolveAvailabilityZones(config: StackConfig, region: string): Promise<string[]> {
    const count = availabilityZoneCount(config.network);
    const zones = await resolveAvailabilityZoneNames(
        config.network,
        region,
        async () => (await aws.getAvailabilityZones({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] })).names,
    );
    if (zones === undefined) {
        refuse([{ key: "ecomm:network.availabilityZones", value: count, message: `is more than the Availability Zones aws:region (${region}) offers this account in the available state` }]);
    }
    const target = config.resilience.targetAvailabilityZone;
    const problem = target !== undefined ? targetZoneProblem(target, zones, `the first ${count} of ${region}`) : undefined;
    if (problem) refuse([{ key: "ecomm:resilience.targetAvailabilityZone", value: target, message: problem }]);
    return [...zones];
}

/** Tags every taggable resource carries, through the provider's default tags. */
export function defaultTags(config: StackConfig, stack: string): Record<string, string> {
    return { ...config.tags, ...programTags(config.environment, stack) };
}

/** A service's instance settings: a configured service's rule priority is the web tier's routing, not theirs. */
function instanceSettings(settings: ServiceConfig | ExtraServiceConfig): ServiceConfig {
    if (!("priority" in settings)) return settings;
    const { priority, ...rest } = settings;
    return rest;
}

/** The web tier's services: each row of the service table with its settings and its app. */
export function webServices(config: StackConfig, apps: Readonly<Partial<Record<string, ServiceApp>>>): WebServiceArgs[] {
    return servicesWithSettings(config).map(({ definition: d, settings }) => ({
        ...instanceSettings(settings),
        name: d.name,
        routing: d.routing,
        serves: d.userDataRole,
        databaseClient: d.databaseClient,
        app: apps[d.name],
    }));
}

/** Returns the stack outputs; their names and types are the contract in `./outputs.ts` (docs/outputs.md). */
export async function ecommStack() {
    const config = loadStackConfig();
    const region = new pulumi.Config("aws").require("region");
    const availabilityZones = await resolveAvailabilityZones(config, region);
    const stack = pulumi.getStack();
    const slug = stackSlug(stack);

    const tags = defaultTags(config, stack);
    const provider = new aws.Provider("aws", { region, defaultTags: { tags } });
    const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };

    const network = new NetworkComponent(
        "network",
        {
            region,
            cidrBlock: config.network.cidrBlock,
            availabilityZoneNames: availabilityZones,
            natGateways: config.network.natGateways,
            flowLogs: config.network.flowLogs,
        },
        opts,
    );

    // Alarm names are known before the alarms exist: each service's instance refresh watches its own.
    const alarmNamePrefix = `ecomm-${slug}`;

    // Named before anything exists: the backend's user data reads these parameters, written after the database.
    const databaseParameterPath = `/ecomm/${stack}/database`;

    // The certificate is validated before the web tier exists, so its HTTPS listener gets an issued ARN.
    const domain = config.domain
        ? new DomainComponent("domain", { domainName: config.domain.name, hostedZoneId: config.domain.hostedZoneId }, opts)
        : undefined;

    // The app's artifacts (the storefront's, built and uploaded here, or a team's own): before the web tier,
    // whose launch templates name them.
    const { apps } = await resolveApps(config.app, { region, forceDestroy: !config.loadBalancer.deletionProtection, opts });

    // The service table: frontend, backend, then ecomm:services by name (web/services.ts).
    const table = servicesWithSettings(config).map((s) => s.definition);
    const web = new WebTierComponent(
        WEB_TIER_NAME,
        {
            region,
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            privateSubnetIds: network.privateSubnetIds,
            services: webServices(config, apps),
            loadBalancer: config.loadBalancer,
            certificateArn: domain?.certificateArn ?? config.certificateArn,
            domain: config.domain ? { name: config.domain.name, hostedZoneId: config.domain.hostedZoneId } : undefined,
            instanceTags: tags,
            logGroupPrefix: `/ecomm/${stack}`,
            logRetentionDays: config.logs.retentionDays,
            databaseParameterPath,
            alarmNamePrefix,
        },
        opts,
    );

    const frontend = web.service("frontend");
    const backend = web.service("backend");

    // Only the database's client (the backend) reaches it: its security group admits that group and no CIDR.
    const clients = table.filter((d) => d.databaseClient).map((d) => web.service(d.name));
    const [client] = clients;
    if (clients.length !== 1) throw new Error(`the service table must have exactly one database client, has ${clients.length}`);
    const databaseClientSecurityGroupIds: pulumi.Input<string>[] = [client.securityGroupId];

    const db = config.database;
    const prod = config.environment === "prod";
    const database = new DatabaseComponent(
        "database",
        {
            mode: db.mode,
            engine: db.engine,
            engineVersion: db.engineVersion,
            autoMinorVersionUpgrade: db.autoMinorVersionUpgrade,
            allowMajorVersionUpgrade: db.allowMajorVersionUpgrade,
            instanceClass: db.instanceClass,
            allocatedStorageGb: db.allocatedStorageGb,
            maxAllocatedStorageGb: db.maxAllocatedStorageGb,
            dbName: db.dbName,
            vpcId: network.vpcId,
            subnetIds: network.isolatedSubnetIds,
            availabilityZones: network.availabilityZones,
            availabilityZoneCount: availabilityZones.length,
            clientSecurityGroupIds: databaseClientSecurityGroupIds,
            backupRetentionDays: db.backupRetentionDays,
            backupWindow: db.backupWindow,
            maintenanceWindow: db.maintenanceWindow,
            deletionProtection: db.deletionProtection,
            finalSnapshotPrefix: prod ? `ecomm-${slug}-database-final` : undefined,
            protect: prod,
            applyImmediately: db.applyImmediately,
            performanceInsights: db.performanceInsights,
            monitoringIntervalSeconds: db.monitoringIntervalSeconds,
            readerCount: db.readerCount,
            keyAliasName: `alias/ecomm-${slug}-database`,
            backupReplication: db.backupReplicationRegion
                ? {
                      region: db.backupReplicationRegion,
                      provider: new aws.Provider("aws-backup-replica", {
                          region: db.backupReplicationRegion,
                          defaultTags: { tags },
                      }),
                  }
                : undefined,
        },
        opts,
    );

    // Backend ↔ database without a cycle: the database admits the backend's security group, so the backend
    // exists first; its user data names SSM parameters (plain strings) that are written here, once the
    // database exists, with the policy letting the backend's role read them, the secret and its key.
    new DatabaseAccessComponent(
        "database-access",
        {
            region,
            parameterPath: databaseParameterPath,
            clientRoleName: client.roleName,
            clientSecurityGroupId: client.securityGroupId,
            databaseSecurityGroupId: database.securityGroupId,
            endpoint: database.endpoint,
            port: database.port,
            dbName: database.dbName,
            secretArn: database.secretArn,
            kmsKeyArn: database.kmsKeyArn,
        },
        opts,
    );

    const monitoring = new MonitoringComponent(
        "monitoring",
        {
            environment: config.environment,
            region,
            namePrefix: alarmNamePrefix,
            albArnSuffix: web.albArnSuffix,
            services: table.map(({ name }) => ({ name, service: web.service(name) })).map(({ name, service }) => ({
                name,
                targetGroupArnSuffix: service.targetGroupArnSuffix,
                autoScalingGroupName: service.asgName,
                minSize: service.minSize,
                maxSize: service.maxSize,
                logGroupNames: service.logGroupNames,
            })),
            database: {
                mode: database.mode,
                engine: db.engine,
                instanceIdentifiers: database.instanceIdentifierList,
                clusterIdentifier: database.clusterIdentifier,
            },
            alarmEmails: config.monitoring.alarmEmails,
            thresholds: config.monitoring.thresholds,
        },
        opts,
    );

    const experiments = planExperiments(config.resilience, database.mode);
    if (config.resilience.enabled) {
        for (const skipped of experiments.skipped) pulumi.log.info(`resilience: no ${skipped.experiment} experiment: ${skipped.reason}`);
    }
    const resilience =
        experiments.experiments.length > 0
            ? new ResilienceComponent(
                  "resilience",
                  {
                      experiments: experiments.experiments,
                      environment: config.environment,
                      region,
                      frontend: { asgName: frontend.asgName, asgArn: frontend.asgArn },
                      backend: { asgName: backend.asgName, asgArn: backend.asgArn },
                      vpcId: network.vpcId,
                      availabilityZones: network.availabilityZones,
                      privateSubnetIds: network.privateSubnetIds,
                      targetAvailabilityZone: config.resilience.targetAvailabilityZone,
                      database: { mode: database.mode, arn: database.arn },
                      siteDownAlarmArn: monitoring.siteDownAlarmArn,
                      azPowerLossMinutes: config.resilience.azPowerLossMinutes,
                      networkDisruptionMinutes: config.resilience.networkDisruptionMinutes,
                      cpuStressMinutes: config.resilience.cpuStressMinutes,
                      cpuStressPercent: config.resilience.cpuStressPercent,
                      tags,
                  },
                  opts,
              )
            : undefined;

    return {
        environment: config.environment,
        region,
        vpcId: network.vpcId,
        vpcCidrBlock: network.cidrBlock,
        availabilityZones: network.availabilityZones,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        isolatedSubnetIds: network.isolatedSubnetIds,
        url: web.url,
        albDnsName: web.albDnsName,
        albZoneId: web.albZoneId,
        albArn: web.albArn,
        albArnSuffix: web.albArnSuffix,
        albSecurityGroupId: web.albSecurityGroupId,
        // The built-in services' outputs keep their flat names; `services` has every service of the table.
        frontendAsgName: frontend.asgName,
        frontendTargetGroupArn: frontend.targetGroupArn,
        frontendTargetGroupArnSuffix: frontend.targetGroupArnSuffix,
        frontendSecurityGroupId: frontend.securityGroupId,
        backendAsgName: backend.asgName,
        backendTargetGroupArn: backend.targetGroupArn,
        backendTargetGroupArnSuffix: backend.targetGroupArnSuffix,
        backendSecurityGroupId: backend.securityGroupId,
        services: pulumi.all(
            Object.fromEntries(
                table.map(({ name }) => {
                    const svc = web.service(name);
                    const entry = pulumi
                        .all([svc.asgName, svc.targetGroupArn, svc.targetGroupArnSuffix, svc.securityGroupId])
                        .apply(([asgName, targetGroupArn, targetGroupArnSuffix, securityGroupId]): EcommServiceOutputs => ({ asgName, targetGroupArn, targetGroupArnSuffix, securityGroupId }));
                    return [name, entry];
                }),
            ),
        ),
        alertTopicArn: monitoring.alertTopicArn,
        dashboardName: monitoring.dashboardName,
        dashboardUrl: monitoring.dashboardUrl,
        siteDownAlarmArn: monitoring.siteDownAlarmArn,
        // Empty unless ecomm:resilience.enabled (on in dev by default, opt-in in prod).
        experimentTemplateIds: resilience
            ? resilience.experimentTemplateIds.apply((ids) => Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === "string")))
            : {},
        dbMode: database.mode,
        dbEngine: database.engine,
        dbEndpoint: database.endpoint,
        dbPort: database.port,
        dbName: database.dbName,
        dbSecretArn: database.secretArn,
        dbSecurityGroupId: database.securityGroupId,
        dbInstanceIdentifiers: database.instanceIdentifiers,
        // Cluster modes only; absent (rather than an "undefined" output the engine warns about) otherwise.
        ...(database.readerEndpoint ? { dbReaderEndpoint: database.readerEndpoint } : {}),
        ...(database.clusterIdentifier ? { dbClusterIdentifier: database.clusterIdentifier } : {}),
    } satisfies EcommStackOutputInputs;
}
