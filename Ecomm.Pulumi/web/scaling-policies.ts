/**
 * A service's scaling policies: target tracking on CPU and on ALB requests per target, and a step policy on
 * slow responses with its alarm. Parented to the ServiceComponent (`parent`), so the URNs are its children's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { responseTimeSteps } from "./scaling";
import type { ServiceComponentArgs } from "./service-component";

/**
 * Target tracking on CPU and on ALB requests per target keep capacity proportional to load; a step
 * policy on slow responses adds instances when latency climbs for reasons CPU does not show.
 */
export function createScalingPolicies(parent: pulumi.ComponentResource, name: string, args: ServiceComponentArgs, asg: aws.autoscaling.Group): void {
    new aws.autoscaling.Policy(
        `${name}-cpu`,
        {
            autoscalingGroupName: asg.name,
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                targetValue: args.scaling.cpuTargetPercent,
            },
        },
        { parent },
    );
    new aws.autoscaling.Policy(
        `${name}-requests`,
        {
            autoscalingGroupName: asg.name,
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: pulumi.interpolate`${args.loadBalancerArnSuffix}/${args.targetGroupArnSuffix}`,
                },
                targetValue: args.scaling.requestsPerTarget,
            },
        },
        { parent, dependsOn: [...(args.routedBy ?? [])] },
    );
    const step = new aws.autoscaling.Policy(
        `${name}-latency`,
        {
            autoscalingGroupName: asg.name,
            policyType: "StepScaling",
            adjustmentType: "ChangeInCapacity",
            metricAggregationType: "Average",
            estimatedInstanceWarmup: args.instanceWarmupSeconds,
            stepAdjustments: responseTimeSteps(args.scaling.responseTimeThresholdSeconds),
        },
        { parent },
    );
    new aws.cloudwatch.MetricAlarm(
        `${name}-latency-high`,
        {
            alarmDescription: `${args.service}: average target response time above ${args.scaling.responseTimeThresholdSeconds}s for 3 minutes; adds instances`,
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            dimensions: { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: args.targetGroupArnSuffix },
            statistic: "Average",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: args.scaling.responseTimeThresholdSeconds,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [step.arn],
        },
        { parent },
    );
}
