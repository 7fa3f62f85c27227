/**
 * The stack program: reads and validates config once, builds the components in order, and returns the
 * stack outputs. Components never read config; everything they need arrives as typed args.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, type StackConfig } from "./config";
import { NetworkComponent } from "./NetworkComponent";
import { WebTierComponent } from "./WebTierComponent";

/** Reads the stack's config from the engine, refusing bad input before any resource exists. */
export function loadStackConfig(): StackConfig {
    try {
        return parseStackConfig(pulumi.runtime.allConfig());
    } catch (err) {
        // A RunError prints just the message: every problem with its key, value and what is allowed.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

/** Tags every taggable resource carries, through the provider's default tags. */
export function defaultTags(config: StackConfig, stack: string): Record<string, string> {
    return {
        ...config.tags,
        Project: "ecomm",
        Environment: config.environment,
        ManagedBy: "pulumi",
        Stack: stack,
    };
}

export function ecommStack() {
    const config = loadStackConfig();
    const region = new pulumi.Config("aws").require("region");
    const stack = pulumi.getStack();

    const provider = new aws.Provider("aws", { region, defaultTags: { tags: defaultTags(config, stack) } });
    const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };

    const network = new NetworkComponent(
        "network",
        {
            region,
            cidrBlock: config.network.cidrBlock,
            availabilityZoneCount: config.network.availabilityZones,
            availabilityZoneNames: config.network.availabilityZoneNames,
            natGateways: config.network.natGateways,
            flowLogs: config.network.flowLogs,
        },
        opts,
    );

    const tags = defaultTags(config, stack);
    const web = new WebTierComponent(
        "web",
        {
            region,
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            privateSubnetIds: network.privateSubnetIds,
            frontend: config.frontend,
            backend: config.backend,
            loadBalancer: config.loadBalancer,
            certificateArn: config.certificateArn,
            instanceTags: tags,
        },
        opts,
    );

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
        frontendAsgName: web.frontend.asgName,
        frontendTargetGroupArn: web.frontend.targetGroupArn,
        frontendTargetGroupArnSuffix: web.frontend.targetGroupArnSuffix,
        frontendSecurityGroupId: web.frontend.securityGroupId,
        backendAsgName: web.backend.asgName,
        backendTargetGroupArn: web.backend.targetGroupArn,
        backendTargetGroupArnSuffix: web.backend.targetGroupArnSuffix,
        backendSecurityGroupId: web.backend.securityGroupId,
    };
}
