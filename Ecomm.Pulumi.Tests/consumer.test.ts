/**
 * The consumer example (examples/consumer/) against the real ecomm prod stack: the ecomm program runs
 * offline first, and its recorded outputs answer the consumer's StackReference. So the example is proven
 * against the contract as the program really fulfils it, and a renamed or retyped output fails here.
 */
import { before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { runStack, type StackRun } from "../tools/offline/run";
import { ConsumerRunError, runConsumer, type ConsumerResource, type ConsumerRun } from "./consumer-harness";
import { parseConsumerConfig } from "../examples/consumer/config";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const RECORD = "aws:route53/record:Record";
const STACK_REF = "pulumi:pulumi:StackReference";

function one(run: ConsumerRun, type: string): ConsumerResource {
    const found = run.resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
}

async function refusedRun(ecommOutputs: Readonly<Record<string, unknown>>, overrides: Record<string, unknown> = {}): Promise<ConsumerRunError> {
    try {
        await runConsumer(ecommOutputs, overrides);
    } catch (err) {
        assert.ok(err instanceof ConsumerRunError, `expected a ConsumerRunError, got ${String(err)}`);
        return err;
    }
    assert.fail("the consumer program should have failed");
}

let ecomm: StackRun;
before(async () => {
    ecomm = await runStack({ stack: "prod" });
});

describe("consumer example against the ecomm prod stack", () => {
    let run: ConsumerRun;
    before(async () => {
        run = await runConsumer(ecomm.outputs);
    });

    it("references the ecomm stack named in its config and creates exactly an alarm and a record", () => {
        assert.deepEqual(
            run.resources
                .filter((r) => !r.type.startsWith("pulumi:providers:"))
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
            [`${ALARM} ecomm-alb-latency`, `${RECORD} site`, `${STACK_REF} ecomm`],
        );
        assert.equal(one(run, STACK_REF).inputs.name, "acme/ecomm/prod");
    });

    it("alarms on the ecomm ALB's TargetResponseTime, dimensioned by the stack's albArnSuffix", () => {
        const alarm = one(run, ALARM);
        assert.match(String(ecomm.outputs.albArnSuffix), /^app\/web-alb-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        assert.deepEqual(alarm.inputs.dimensions, { LoadBalancer: ecomm.outputs.albArnSuffix });
        assert.equal(alarm.inputs.namespace, "AWS/ApplicationELB");
        assert.equal(alarm.inputs.metricName, "TargetResponseTime");
        assert.equal(alarm.inputs.name, "shop.example.com-alb-target-response-time");
        assert.equal(alarm.inputs.extendedStatistic, "p99");
        assert.equal(alarm.inputs.statistic, undefined);
        assert.equal(alarm.inputs.threshold, 0.5);
        assert.equal(alarm.inputs.period, 60);
        assert.equal(alarm.inputs.evaluationPeriods, 5);
        assert.equal(alarm.inputs.datapointsToAlarm, 3);
        assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(alarm.inputs.treatMissingData, "notBreaching");
        assert.equal(alarm.inputs.alarmDescription, "p99 target response time of the ecomm load balancer (acme/ecomm/prod) above 0.5s for 3 of 5 minutes");
    });

    it("notifies ecomm's alert topic by default", () => {
        const alarm = one(run, ALARM);
        assert.match(String(ecomm.outputs.alertTopicArn), /^arn:aws:sns:us-east-1:123456789012:monitoring-alerts-/);
        assert.deepEqual(alarm.inputs.alarmActions, [ecomm.outputs.alertTopicArn]);
        assert.deepEqual(alarm.inputs.okActions, [ecomm.outputs.alertTopicArn]);
    });

    it("aliases its record to the ecomm ALB's albDnsName and albZoneId", () => {
        const record = one(run, RECORD);
        assert.match(String(ecomm.outputs.albDnsName), /^web-alb-[0-9a-f]{7}-\d+\.us-east-1\.elb\.amazonaws\.com$/);
        assert.equal(ecomm.outputs.albZoneId, "Z35SXDOTRQ7X7K");
        assert.deepEqual(record.inputs.aliases, [{ name: ecomm.outputs.albDnsName, zoneId: ecomm.outputs.albZoneId, evaluateTargetHealth: true }]);
        assert.equal(record.inputs.zoneId, "Z0123456789ABCDEFGHIJ");
        assert.equal(record.inputs.name, "shop.example.com");
        assert.equal(record.inputs.type, "A");
        assert.equal(record.inputs.records, undefined);
        assert.equal(record.inputs.ttl, undefined);
    });

    it("exports what it built and ecomm's url, typed by the contract", () => {
        assert.deepEqual(run.outputs, {
            ecommStack: "acme/ecomm/prod",
            latencyAlarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop.example.com-alb-target-response-time",
            siteFqdn: "shop.example.com",
            ecommUrl: ecomm.outputs.url,
        });
        assert.match(String(ecomm.outputs.url), /^https:\/\/web-alb-/);
    });
});

describe("consumer config", () => {
    it("a topic, statistic and threshold of its own", async () => {
        const topicArn = "arn:aws:sns:us-east-1:210987654321:storefront-oncall";
        const run = await runConsumer(ecomm.outputs, {
            "ecomm-consumer:latencyAlarm": { thresholdSeconds: 1.5, statistic: "p95", evaluationPeriods: 10, datapointsToAlarm: 10, topicArn },
        });
        const alarm = one(run, ALARM);
        assert.deepEqual(alarm.inputs.alarmActions, [topicArn]);
        assert.equal(alarm.inputs.extendedStatistic, "p95");
        assert.equal(alarm.inputs.threshold, 1.5);
        assert.equal(alarm.inputs.evaluationPeriods, 10);
        assert.equal(alarm.inputs.datapointsToAlarm, 10);
    });

    it("refuses every bad key at once, before the StackReference or anything else registers", async () => {
        const err = await refusedRun(ecomm.outputs, {
            "ecomm-consumer:ecommStack": "ecomm/prod",
            "ecomm-consumer:hostedZoneId": "example.com",
            "ecomm-consumer:recordName": "Shop.Example.com.",
            "ecomm-consumer:latencyAlarm": { evaluationPeriods: 2, datapointsToAlarm: 3 },
            "ecomm-consumer:zone": "x",
        });
        assert.deepEqual(err.resources.filter((r) => !r.type.startsWith("pulumi:providers:")), []);
        assert.equal(
            err.message,
            [
                "Invalid ecomm-consumer configuration (5 problems):",
                '  - ecomm-consumer:ecommStack = "ecomm/prod": must be the ecomm stack as <org>/ecomm/<stack>, e.g. acme/ecomm/prod',
                '  - ecomm-consumer:hostedZoneId = "example.com": must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
                '  - ecomm-consumer:recordName = "Shop.Example.com.": must be a lower-case DNS name such as shop.example.com (no trailing dot)',
                "  - ecomm-consumer:latencyAlarm.datapointsToAlarm = 3: datapointsToAlarm must be at most evaluationPeriods",
                '  - ecomm-consumer:zone = "x": unknown key; allowed: ecommStack, hostedZoneId, recordName, latencyAlarm',
            ].join("\n"),
        );
    });

    it("requires the ecomm stack and aws:region", () => {
        assert.throws(() => parseConsumerConfig({ "ecomm-consumer:hostedZoneId": "Z1", "ecomm-consumer:recordName": "a.example.com" }), (err: Error) => {
            assert.match(err.message, /aws:region = \(not set\): aws:region must be set/);
            assert.match(err.message, /ecomm-consumer:ecommStack = \(not set\): must be the ecomm stack as <org>\/ecomm\/<stack>/);
            return true;
        });
    });
});

describe("when the ecomm stack breaks the contract", () => {
    it("a missing output fails the consumer's deployment naming it", async () => {
        const renamed: Record<string, unknown> = { ...ecomm.outputs, loadBalancerArnSuffix: ecomm.outputs.albArnSuffix };
        delete renamed.albArnSuffix;
        const err = await refusedRun(renamed);
        assert.match(err.message, /Required output 'albArnSuffix' does not exist on stack 'acme\/ecomm\/prod'/);
        assert.doesNotMatch(err.message, /albDnsName|albZoneId/);
    });

    it("a value of the wrong type fails naming the output and the contract", async () => {
        const err = await refusedRun({ ...ecomm.outputs, albZoneId: 42 });
        assert.equal(err.message, 'error serializing property "aliases": ecomm stack output "albZoneId": expected string, got 42; the referenced stack does not match the output contract (docs/outputs.md)');
    });

    it("an ecomm stack in another region is refused: the alarm could never see its metrics", async () => {
        const err = await refusedRun({ ...ecomm.outputs, region: "eu-west-1" });
        assert.equal(
            err.message,
            `error serializing property "dimensions": aws:region is us-east-1 but acme/ecomm/prod runs in eu-west-1: set aws:region to eu-west-1 so the alarm sees the load balancer's metrics`,
        );
    });
});
