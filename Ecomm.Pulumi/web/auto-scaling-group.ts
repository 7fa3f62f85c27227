/**
 * A service's Auto Scaling group: ELB health checks, the first instances healthy before `up` moves on,
 * rolling instance refresh with rollback, capacity rebalancing, group metrics, optional warm pool or mixed
 * instance types. Parented to the ServiceComponent (`parent`), so the URN is its child's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { instanceRefreshPreferences } from "./instance-refresh";
import { instanceTypeOverrides } from "./scaling";
import type { ServiceComponentArgs } from "./service-component";

/** Metrics the ASG publishes to CloudWatch every minute (free for ASG group metrics). */
const GROUP_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
] as const;

export function createAutoScalingGroup(parent: pulumi.ComponentResource, name: string, args: ServiceComponentArgs, template: aws.ec2.LaunchTemplate): aws.autoscaling.Group {
    // Pin the version Pulumi just created: a new template version then changes the ASG and starts a
    // rolling instance refresh; `$Latest` would change nothing visible and refresh nothing.
    const version = template.latestVersion.apply((v) => String(v));
    const extras = args.mixedInstanceTypes ?? [];
    const warmPool = args.warmPool?.enabled === true;
    return new aws.autoscaling.Group(
        `${name}-asg`,
        {
            vpcZoneIdentifiers: args.privateSubnetIds,
            minSize: args.minSize,
            maxSize: args.maxSize,
            desiredCapacity: args.desiredCapacity ?? args.minSize,
            healthCheckType: "ELB",
            healthCheckGracePeriod: args.healthCheckGracePeriodSeconds,
            // On creation, Pulumi waits (up to 10 minutes) until minSize instances pass the target group's
            // health checks: a boot that never serves fails the `up` here, and what is built on the group
            // (its health alarms) exists only once it serves.
            minElbCapacity: args.minSize,
            defaultInstanceWarmup: args.instanceWarmupSeconds,
            targetGroupArns: [args.targetGroupArn],
            ...(extras.length > 0
                ? {
                      mixedInstancesPolicy: {
                          launchTemplate: {
                              launchTemplateSpecification: { launchTemplateId: template.id, version },
                              overrides: instanceTypeOverrides(args.instanceType, extras).map((instanceType) => ({ instanceType })),
                          },
                          instancesDistribution: {
                              onDemandBaseCapacity: 0,
                              onDemandPercentageAboveBaseCapacity: 100,
                              onDemandAllocationStrategy: "prioritized",
                          },
                      },
                  }
                : { launchTemplate: { id: template.id, version } }),
            instanceRefresh: {
                strategy: "Rolling",
                preferences: instanceRefreshPreferences(args.instanceRefreshMinHealthyPercent, args.instanceWarmupSeconds, warmPool, args.refreshRollback),
            },
            capacityRebalance: true,
            metricsGranularity: "1Minute",
            enabledMetrics: [...GROUP_METRICS],
            ...(warmPool ? { warmPool: { minSize: args.warmPool?.minSize, poolState: "Stopped", instanceReusePolicy: { reuseOnScaleIn: true } } } : {}),
            // Provider default tags do not reach ASGs (their tags are a list, not a map), nor what they
            // launch: the stack's tags are set here and propagated to every instance at launch, in
            // addition to the launch template's tag specifications (instances and volumes).
            tags: [
                { key: "Name", value: name, propagateAtLaunch: false },
                ...Object.entries({ ...args.instanceTags, Service: args.service }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            ],
        },
        { parent, ignoreChanges: ["desiredCapacity"], dependsOn: [...(args.routedBy ?? [])] },
    );
}
