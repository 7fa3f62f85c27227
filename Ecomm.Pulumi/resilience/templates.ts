/**
 * What each FIS experiment template says: its description, targets, actions and options, as the inputs
 * of the `aws.fis.ExperimentTemplate` the ResilienceComponent creates (this file creates no resource).
 * Action ids and parameters are `experiments.ts`'s, which follows the AWS FIS actions reference.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ACTIONS,
    ASG_NAME_TAG,
    cpuStressDocumentArn,
    cpuStressDocumentParameters,
    CPU_STRESS_INSTALL_MINUTES,
    databaseFailoverAction,
    isoMinutes,
    type AccountScope,
    type ExperimentKind,
} from "./experiments";
import type { ResilienceComponentArgs, ResilienceServiceArgs } from "./resilience-component";

/** A template's inputs besides its role, stop condition, logging and tags (the same for every experiment). */
export interface TemplateSpec {
    readonly description: string;
    readonly targets: aws.types.input.fis.ExperimentTemplateTarget[];
    readonly actions: aws.types.input.fis.ExperimentTemplateAction[];
    readonly experimentOptions?: aws.types.input.fis.ExperimentTemplateExperimentOptions;
}

/** What the templates are built from: the component's args and the values it resolved. */
export interface TemplateContext {
    readonly args: ResilienceComponentArgs;
    /** The AZ the AZ experiments hit. */
    readonly targetAvailabilityZone: pulumi.Output<string>;
    /** The account, partition and region the ARNs are scoped to. */
    readonly scope: pulumi.Output<AccountScope>;
    /** The ARN of the target AZ's private subnet. */
    readonly targetSubnetArn: () => pulumi.Output<string>;
}

/** The tag that identifies a service's instances (the ASG's own tag unless the args name another). */
export function instanceTag(service: ResilienceServiceArgs): pulumi.Output<{ key: string; value: string }> {
    const tag = service.instanceTag ?? { key: ASG_NAME_TAG, value: service.asgName };
    return pulumi.output(tag.value).apply((value) => ({ key: tag.key, value }));
}

/** The template inputs of one experiment. */
export function templateSpec(kind: ExperimentKind, ctx: TemplateContext): TemplateSpec {
    switch (kind) {
        case "azPower":
            return azPowerSpec(ctx);
        case "azNetwork":
            return azNetworkSpec(ctx);
        case "dbFailover":
            return dbFailoverSpec(ctx);
        case "cpu":
            return cpuSpec(ctx);
    }
}

/** Instances of one ASG that are running in the target AZ. */
function instancesInAz(ctx: TemplateContext, name: string, service: ResilienceServiceArgs): aws.types.input.fis.ExperimentTemplateTarget {
    const tag = instanceTag(service);
    return {
        name,
        resourceType: "aws:ec2:instance",
        selectionMode: "ALL",
        resourceTags: [{ key: tag.key, value: tag.value }],
        filters: [
            { path: "Placement.AvailabilityZone", values: [ctx.targetAvailabilityZone] },
            { path: "State.Name", values: ["running"] },
        ],
    };
}

function azPowerSpec(ctx: TemplateContext): TemplateSpec {
    const a = ctx.args;
    const duration = isoMinutes(a.azPowerLossMinutes);
    const stop = (name: string, target: string) => ({
        name,
        actionId: ACTIONS.stopInstances,
        description: `Power off ${target} for ${a.azPowerLossMinutes} min; the ASG replaces them, FIS starts any left afterwards`,
        parameters: [
            { key: "startInstancesAfterDuration", value: duration },
            { key: "completeIfInstancesTerminated", value: "true" },
        ],
        target: { key: "Instances", value: target },
    });
    return {
        description: `ecomm ${a.environment}: power loss of the web tier in one AZ for ${a.azPowerLossMinutes} min: its instances stop and the ASGs cannot launch there`,
        targets: [
            instancesInAz(ctx, "frontendInstancesInAz", a.frontend),
            instancesInAz(ctx, "backendInstancesInAz", a.backend),
            { name: "webAsgs", resourceType: "aws:ec2:autoscaling-group", selectionMode: "ALL", resourceArns: [a.frontend.asgArn, a.backend.asgArn] },
        ],
        actions: [
            stop("stopFrontendInstances", "frontendInstancesInAz"),
            stop("stopBackendInstances", "backendInstancesInAz"),
            {
                name: "failLaunchesInAz",
                actionId: ACTIONS.asgInsufficientCapacity,
                description: "Launches in the AZ fail with InsufficientInstanceCapacity, so replacements go to the other AZs",
                parameters: [
                    { key: "availabilityZoneIdentifiers", value: ctx.targetAvailabilityZone },
                    { key: "duration", value: duration },
                    { key: "percentage", value: "100" },
                ],
                target: { key: "AutoScalingGroups", value: "webAsgs" },
            },
        ],
        // With one instance per service (dev), one of the two services may have none in the AZ.
        experimentOptions: { emptyTargetResolutionMode: "skip" },
    };
}

function azNetworkSpec(ctx: TemplateContext): TemplateSpec {
    const a = ctx.args;
    return {
        description: `ecomm ${a.environment}: all traffic in and out of one AZ's private subnet denied for ${a.networkDisruptionMinutes} min`,
        targets: [{ name: "privateSubnetInAz", resourceType: "aws:ec2:subnet", selectionMode: "ALL", resourceArns: [ctx.targetSubnetArn()] }],
        actions: [
            {
                name: "disruptAzNetwork",
                actionId: ACTIONS.disruptConnectivity,
                description: "Deny-all network ACL on the subnet; the original ACL comes back at the end",
                parameters: [
                    { key: "duration", value: isoMinutes(a.networkDisruptionMinutes) },
                    { key: "scope", value: "all" },
                ],
                target: { key: "Subnets", value: "privateSubnetInAz" },
            },
        ],
    };
}

function dbFailoverSpec(ctx: TemplateContext): TemplateSpec {
    const a = ctx.args;
    const action = databaseFailoverAction(a.database.mode);
    return {
        description: `ecomm ${a.environment}: ${a.database.mode} database failover (${action.actionId})`,
        targets: [{ name: "database", resourceType: action.resourceType, selectionMode: "ALL", resourceArns: [a.database.arn] }],
        actions: [
            {
                name: "failOverDatabase",
                actionId: action.actionId,
                description: "The standby (or a reader) becomes the writer; the endpoint follows it",
                parameters: Object.entries(action.parameters).map(([key, value]) => ({ key, value })),
                target: { key: action.targetKey, value: "database" },
            },
        ],
    };
}

function cpuSpec(ctx: TemplateContext): TemplateSpec {
    const a = ctx.args;
    return {
        description: `ecomm ${a.environment}: ${a.cpuStressPercent} % CPU on every backend instance for ${a.cpuStressMinutes} min, to prove scale-out`,
        targets: [
            {
                name: "backendInstances",
                resourceType: "aws:ec2:instance",
                selectionMode: "ALL",
                resourceTags: [instanceTag(a.backend)],
                filters: [{ path: "State.Name", values: ["running"] }],
            },
        ],
        actions: [
            {
                name: "stressBackendCpu",
                actionId: ACTIONS.sendCommand,
                description: "AWSFIS-Run-CPU-Stress through SSM on each backend instance",
                parameters: [
                    { key: "documentArn", value: ctx.scope.apply(cpuStressDocumentArn) },
                    { key: "documentParameters", value: cpuStressDocumentParameters(a.cpuStressMinutes, a.cpuStressPercent) },
                    { key: "duration", value: isoMinutes(a.cpuStressMinutes + CPU_STRESS_INSTALL_MINUTES) },
                ],
                target: { key: "Instances", value: "backendInstances" },
            },
        ],
    };
}
