/**
 * The one way the program makes an S3 bucket: ACLs disabled (BucketOwnerEnforced), public access blocked,
 * SSE-S3, one lifecycle rule, and a policy of the caller's statements plus a TLS-only deny. Used by the ALB's
 * log buckets (web/log-buckets.ts) and the app's artifact bucket (app/artifact-component.ts); the resources
 * are parented to the caller's component (`parent`), named `<logical>-<role>`.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { policyDocument, type PolicyStatement } from "./iam";

export interface HardenedBucketArgs {
    /** Whether `pulumi destroy` may delete the bucket with its objects. */
    readonly forceDestroy: boolean;
    /** Tags besides `Name` (the provider's default tags come on top). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
    /** The lifecycle rule's id. @example "expire-access-logs" */
    readonly lifecycleRuleId: string;
    /** What the rule expires: current objects after N days, or noncurrent versions after N days. */
    readonly expiry: { readonly expiration: { readonly days: number } } | { readonly noncurrentVersionExpiration: { readonly noncurrentDays: number } };
    /** The policy's statements besides the TLS-only deny, given the bucket's ARN. */
    readonly writers: (bucketArn: string) => pulumi.Output<PolicyStatement[]>;
}

export interface HardenedBucket {
    readonly bucket: aws.s3.Bucket;
    readonly policy: aws.s3.BucketPolicy;
    readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
}

/** Denies every request not made over TLS, to the bucket and its objects. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export function createHardenedBucket(parent: pulumi.ComponentResource, logical: string, args: HardenedBucketArgs): HardenedBucket {
    const bucket = new aws.s3.Bucket(logical, { forceDestroy: args.forceDestroy, tags: { ...args.tags, Name: logical } }, { parent });
    new aws.s3.BucketOwnershipControls(`${logical}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent });
    const publicBlock = new aws.s3.BucketPublicAccessBlock(
        `${logical}-public-block`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        { parent },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${logical}-encryption`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${logical}-lifecycle`,
        {
            bucket: bucket.id,
            rules: [{ id: args.lifecycleRuleId, status: "Enabled", filter: {}, ...args.expiry, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        },
        { parent },
    );
    const policy = new aws.s3.BucketPolicy(
        `${logical}-policy`,
        { bucket: bucket.id, policy: bucket.arn.apply((arn) => args.writers(arn).apply((statements) => policyDocument([...statements, denyInsecureTransport(arn)]))) },
        // S3 refuses a policy while the public-access block is being applied concurrently.
        { parent, dependsOn: [publicBlock] },
    );
    return { bucket, policy, encryption };
}
