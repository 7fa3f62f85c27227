/**
 * What another team writes to build on ecomm: a StackReference to the ecomm stack, outputs read through
 * the contract (`contractOutput`, typed by `EcommStackOutputs` and checked when they resolve), an extra
 * alarm on the ALB's response time and a Route 53 alias record pointing a name of theirs at the site.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contractOutput } from "../../Ecomm.Pulumi/outputs";
import { ConsumerConfigError, parseConsumerConfig, type ConsumerConfig } from "./config";

/** Reads the program's config from the engine, refusing bad input before anything registers. */
export function loadConsumerConfig(): ConsumerConfig {
    try {
        return parseConsumerConfig(pulumi.runtime.allConfig());
    } catch (err) {
        if (err instanceof ConsumerConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

/** The alarm's name: the record it protects, so on-call sees which site it is about. */
export function latencyAlarmName(recordName: string): string {
    return `${recordName}-alb-target-response-time`;
}

export function consumerStack() {
    const config = loadConsumerConfig();
    const ecomm = new pulumi.StackReference("ecomm", { name: config.ecommStack });

    const albArnSuffix = contractOutput(ecomm, "albArnSuffix");
    const albDnsName = contractOutput(ecomm, "albDnsName");
    const albZoneId = contractOutput(ecomm, "albZoneId");
    const ecommRegion = contractOutput(ecomm, "region");

    // CloudWatch alarms only see metrics of their own region: refuse to create one that could never fire.
    const dimensions = pulumi.all([albArnSuffix, ecommRegion]).apply(([loadBalancer, region]) => {
        if (region !== config.region) {
            throw new Error(
                `aws:region is ${config.region} but ${config.ecommStack} runs in ${region}: set aws:region to ${region} so the alarm sees the load balancer's metrics`,
            );
        }
        return { LoadBalancer: loadBalancer };
    });

    const alarmCfg = config.latencyAlarm;
    const topic = alarmCfg.topicArn ?? contractOutput(ecomm, "alertTopicArn");
    const alarm = new aws.cloudwatch.MetricAlarm("ecomm-alb-latency", {
        name: latencyAlarmName(config.recordName),
        alarmDescription: `${alarmCfg.statistic} target response time of the ecomm load balancer (${config.ecommStack}) above ${alarmCfg.thresholdSeconds}s for ${alarmCfg.datapointsToAlarm} of ${alarmCfg.evaluationPeriods} minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions,
        extendedStatistic: alarmCfg.statistic,
        period: 60,
        evaluationPeriods: alarmCfg.evaluationPeriods,
        datapointsToAlarm: alarmCfg.datapointsToAlarm,
        threshold: alarmCfg.thresholdSeconds,
        comparisonOperator: "GreaterThanThreshold",
        // No requests means no latency data, not slowness; the ecomm stack's own alarms cover "site down".
        treatMissingData: "notBreaching",
        alarmActions: [topic],
        okActions: [topic],
    });

    const record = new aws.route53.Record("site", {
        zoneId: config.hostedZoneId,
        name: config.recordName,
        type: "A",
        aliases: [{ name: albDnsName, zoneId: albZoneId, evaluateTargetHealth: true }],
    });

    return {
        /** The ecomm stack this one reads. */
        ecommStack: config.ecommStack,
        latencyAlarmArn: alarm.arn,
        siteFqdn: record.fqdn,
        /** The ecomm site's own URL, passed through typed (`string`). */
        ecommUrl: contractOutput(ecomm, "url"),
    };
}
