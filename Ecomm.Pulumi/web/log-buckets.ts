/**
 * The ALB's access-log bucket and the bucket of its own server access logs (FSBP S3.9), both hardened the
 * same way. Created for the WebTierComponent and parented to it (`parent`), so their URNs are its children's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHardenedBucket } from "../shared/buckets";
import type { PolicyStatement } from "../shared/iam";
import { ACCESS_LOG_PREFIX, accessLogPrincipalKind, ELB_LOG_DELIVERY_SERVICE, SERVER_ACCESS_LOG_PREFIX, serverAccessLogStatements } from "./access-logs";

/** What the log buckets depend on. */
export interface LogBucketSettings {
    /** The region: decides which principal the bucket policy allows. */
    readonly region: string;
    /** Objects expire after this many days. */
    readonly retentionDays: number;
    /** Logs go with the bucket only when the ALB itself may be deleted (dev). */
    readonly deletionProtection: boolean;
}

export interface LogBucket {
    readonly bucket: aws.s3.Bucket;
    readonly policy: aws.s3.BucketPolicy;
}

/**
 * SSE-S3 (ALB access logs cannot be written to SSE-KMS buckets), public access blocked, ACLs disabled,
 * objects expiring after `retentionDays`, and the policy that lets ELB log delivery write. The bucket's
 * own server access logs (FSBP S3.9) go to a second bucket hardened the same way.
 */
export function createAccessLogsBucket(parent: pulumi.ComponentResource, name: string, settings: LogBucketSettings): LogBucket {
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const principal: pulumi.Output<Record<string, string>> =
        accessLogPrincipalKind(settings.region) === "elb-account"
            ? aws.elb.getServiceAccountOutput({}, { parent }).arn.apply((arn): Record<string, string> => ({ AWS: arn }))
            : pulumi.output(ELB_LOG_DELIVERY_SERVICE).apply((service): Record<string, string> => ({ Service: service }));
    const { bucket, policy } = createLogBucket(parent, `${name}-alb-logs`, settings, (arn) =>
        pulumi.all([account, principal]).apply(([accountId, p]): PolicyStatement[] => [
            { Sid: "AllowElbLogDelivery", Effect: "Allow", Principal: p, Action: "s3:PutObject", Resource: `${arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${accountId}/*` },
        ]),
    );
    // The target of the log bucket's server access logs. It does not log itself (a bucket logging to
    // itself loops); the policy pack records that exception.
    const target = createLogBucket(parent, `${name}-alb-logs-access`, settings, (arn) =>
        pulumi.all([account, bucket.arn]).apply(([accountId, sourceArn]) => serverAccessLogStatements(arn, sourceArn, accountId)),
    );
    new aws.s3.BucketLogging(
        `${name}-alb-logs-logging`,
        { bucket: bucket.id, targetBucket: target.bucket.id, targetPrefix: SERVER_ACCESS_LOG_PREFIX },
        // S3 checks the target's policy when logging is switched on.
        { parent, dependsOn: [target.policy] },
    );
    return { bucket, policy };
}

/** A log bucket: the program's hardened bucket, its objects expiring after `retentionDays`, plus `writers`. */
function createLogBucket(
    parent: pulumi.ComponentResource,
    logical: string,
    settings: LogBucketSettings,
    writers: (bucketArn: string) => pulumi.Output<PolicyStatement[]>,
): LogBucket {
    // Logs go with the bucket only when the ALB itself may be deleted (dev).
    const { bucket, policy } = createHardenedBucket(parent, logical, {
        forceDestroy: !settings.deletionProtection,
        lifecycleRuleId: "expire-access-logs",
        expiry: { expiration: { days: settings.retentionDays } },
        writers,
    });
    return { bucket, policy };
}
