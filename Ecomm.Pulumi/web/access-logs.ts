/** Who may write the ALB's access logs, per region, and the log buckets' policy statements. Pure. */
import type { PolicyStatement } from "../shared/iam";

/**
 * Regions where ELB writes access logs from its own AWS account (the bucket policy names that account):
 * every Region available before August 2022, Asia Pacific (Jakarta, ap-southeast-3, account
 * 589379963580) included. Regions opened since August 2022 use the
 * `logdelivery.elasticloadbalancing.amazonaws.com` principal.
 * Source: ELB User Guide, "Enable access logs for your Application Load Balancer", step 2.
 */
export const ELB_ACCOUNT_REGIONS: ReadonlySet<string> = new Set([
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1",
    "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
]);

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Which principal the access-log bucket policy must allow in a region. */
export function accessLogPrincipalKind(region: string): "elb-account" | "service" {
    return ELB_ACCOUNT_REGIONS.has(region) ? "elb-account" : "service";
}

/** Where the ALB writes access logs under the bucket. */
export const ACCESS_LOG_PREFIX = "alb";
/** Where S3 writes the access-log bucket's own server access logs, in the target bucket. */
export const SERVER_ACCESS_LOG_PREFIX = "s3-access/";

/**
 * Lets S3 server access logging write to `targetArn` for `sourceArn` only (S3 User Guide, "Enabling Amazon S3
 * server access logging": with Object Ownership `BucketOwnerEnforced`, grant the `logging.s3.amazonaws.com`
 * principal in the bucket policy, with `aws:SourceArn` and `aws:SourceAccount`; ACL grants do not work).
 */
export function serverAccessLogStatements(targetArn: string, sourceArn: string, accountId: string): PolicyStatement[] {
    return [
        {
            Sid: "S3ServerAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${targetArn}/${SERVER_ACCESS_LOG_PREFIX}*`,
            Condition: { ArnLike: { "aws:SourceArn": sourceArn }, StringEquals: { "aws:SourceAccount": accountId } },
        },
    ];
}
