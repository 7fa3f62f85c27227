/**
 * `ecomm:app:ArtifactComponent`: the bucket the program owns for the app's artifacts, and one object per
 * service artifact, keyed by its content hash. The instances download their service's object through the
 * VPC's S3 gateway endpoint at boot (userdata/web-server.sh) and check its sha256.
 *
 * The bucket: ACLs disabled (BucketOwnerEnforced), public access blocked, SSE-S3 by default, versioned,
 * TLS-only policy, server access logs (FSBP S3.9) to a second bucket hardened the same way. SSE-S3 rather
 * than a KMS key: an artifact is code, not a secret, the read grant is the access control, and SSE-KMS would
 * add `kms:Decrypt` to every instance role (and about $1/month per key). Storage: a few hundred KB per build.
 *
 * Objects are retained when Pulumi replaces them (`retainOnDelete`): a new build creates a new key, and the
 * previous launch template version, which an instance refresh may roll back to after `pulumi up` has
 * finished, still names the old key. Old artifacts stay until someone deletes them; in dev the bucket is
 * emptied on destroy (`forceDestroy`).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseBadArgs } from "../shared/component-args";
import { createHardenedBucket } from "../shared/buckets";
import { SERVER_ACCESS_LOG_PREFIX, serverAccessLogStatements } from "../web/access-logs";
import { artifactReadStatement, objectKeyProblem, SHA256_HEX, AWS_REGION, type ArtifactReadStatement, type ArtifactRef } from "./artifact-plan";

/** One service's artifact, built and written to disk before the program runs (`writeArtifacts`). */
export interface ServiceArtifact {
    /** The service it is for (`frontend`, `backend`): each service's instance role reads its own only. */
    readonly service: string;
    /** The object key, named by the content hash. @example "storefront/backend/<sha256>.tar.gz" */
    readonly key: string;
    /** sha256 of the file's bytes, hex: the boot script refuses anything else. */
    readonly sha256: string;
    /**
     * The `.tar.gz` to upload, relative to the project directory (where Pulumi runs) so the asset's path is
     * the same on every machine; named by its hash, so the path changes exactly when the bytes do.
     * @example "storefront/dist/backend-<sha256>.tar.gz"
     */
    readonly file: string;
}

export interface ArtifactComponentArgs {
    /** The stack's region: the bucket's, and the instances' S3 gateway endpoint's. @example "us-east-1" */
    readonly region: string;
    /** One per service; service names unique. */
    readonly artifacts: readonly ServiceArtifact[];
    /**
     * Delete the buckets' objects with them on destroy (dev). Otherwise a destroy stops at a non-empty bucket.
     * @default false
     */
    readonly forceDestroy?: boolean;
    /**
     * Days a noncurrent object version (an overwritten or deleted artifact) is kept, and the server access
     * logs' expiry.
     * @default 30
     */
    readonly retentionDays?: number;
    /** Tags for the buckets (the provider's default tags apply too). @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem of the component's arguments, at once. */
export function artifactComponentProblems(args: ArtifactComponentArgs, readFile: (file: string) => Buffer = fs.readFileSync): string[] {
    const problems: string[] = [];
    if (!AWS_REGION.test(args.region)) problems.push(`region "${args.region}" must be an AWS region such as us-east-1`);
    const seen = new Set<string>();
    for (const a of args.artifacts) {
        if (seen.has(a.service)) problems.push(`service "${a.service}" has more than one artifact`);
        seen.add(a.service);
        const keyProblem = objectKeyProblem(a.key);
        if (keyProblem) problems.push(`${a.service}: key "${a.key}" ${keyProblem}`);
        if (!SHA256_HEX.test(a.sha256)) problems.push(`${a.service}: sha256 "${a.sha256}" must be 64 lowercase hex digits`);
        else if (!a.key.includes(a.sha256)) problems.push(`${a.service}: key "${a.key}" must contain its sha256 (a new build must never overwrite an old key)`);
        let bytes: Buffer | undefined;
        try {
            bytes = readFile(a.file);
        } catch {
            problems.push(`${a.service}: file "${a.file}" cannot be read`);
        }
        if (bytes) {
            const actual = createHash("sha256").update(bytes).digest("hex");
            if (actual !== a.sha256) problems.push(`${a.service}: file "${a.file}" has sha256 ${actual}, not ${a.sha256}`);
        }
    }
    const days = args.retentionDays ?? 30;
    if (!Number.isInteger(days) || days < 1) problems.push(`retentionDays ${days} must be a whole number of days, at least 1`);
    return problems;
}

export class ArtifactComponent extends pulumi.ComponentResource {
    /** The artifact bucket's name. */
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** Each service's artifact as the user data takes it: bucket, key, sha256, region. */
    public readonly artifacts: Readonly<Record<string, pulumi.Output<ArtifactRef>>>;
    /** The uploaded objects, by service. */
    public readonly objects: Readonly<Record<string, aws.s3.BucketObjectv2>>;

    constructor(name: string, args: ArtifactComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("ArtifactComponent", name, artifactComponentProblems(args));
        super("ecomm:app:ArtifactComponent", name, {}, opts);
        const retentionDays = args.retentionDays ?? 30;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const forceDestroy = args.forceDestroy ?? false;
        const bucket = createHardenedBucket(this, `${name}-bucket`, {
            forceDestroy,
            tags: args.tags,
            lifecycleRuleId: "expire-old",
            expiry: { noncurrentVersionExpiration: { noncurrentDays: retentionDays } },
            writers: () => pulumi.output([]),
        });
        this.createVersioning(name, bucket.bucket);
        // The target of the artifact bucket's server access logs (it does not log itself: a loop).
        const target = createHardenedBucket(this, `${name}-access`, {
            forceDestroy,
            tags: args.tags,
            lifecycleRuleId: "expire-old",
            expiry: { expiration: { days: retentionDays } },
            writers: (arn) => pulumi.all([account, bucket.bucket.arn]).apply(([accountId, sourceArn]) => serverAccessLogStatements(arn, sourceArn, accountId)),
        });
        new aws.s3.BucketLogging(
            `${name}-logging`,
            { bucket: bucket.bucket.id, targetBucket: target.bucket.id, targetPrefix: SERVER_ACCESS_LOG_PREFIX },
            // S3 checks the target's policy when logging is switched on.
            { parent: this, dependsOn: [target.policy] },
        );

        const objects: Record<string, aws.s3.BucketObjectv2> = {};
        const refs: Record<string, pulumi.Output<ArtifactRef>> = {};
        for (const a of args.artifacts) {
            objects[a.service] = new aws.s3.BucketObjectv2(
                `${name}-${a.service}`,
                {
                    bucket: bucket.bucket.id,
                    key: a.key,
                    source: new pulumi.asset.FileAsset(a.file),
                    contentType: "application/gzip",
                    // S3 computes the object's SHA-256 on upload and refuses a body that does not match.
                    checksumAlgorithm: "SHA256",
                    serverSideEncryption: "AES256",
                    tags: { Service: a.service, Sha256: a.sha256 },
                    // S3 objects take at most 10 tags; the provider's default tags (user tags among them)
                    // could exceed that. The bucket carries them.
                    overrideProvider: { defaultTags: { tags: {} } },
                },
                // A rollback to the previous launch template version still needs the previous object.
                { parent: this, retainOnDelete: true, dependsOn: [bucket.encryption, bucket.policy] },
            );
            refs[a.service] = pulumi.output({ bucket: bucket.bucket.bucket, key: a.key, sha256: a.sha256, region: args.region });
        }
        this.objects = objects;
        this.artifacts = refs;
        this.bucketName = bucket.bucket.bucket;
        this.bucketArn = bucket.bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, artifacts: this.artifacts });
    }

    /** The one statement a service's instance role needs: `s3:GetObject` on its own artifact's key. */
    readStatement(service: string): pulumi.Output<ArtifactReadStatement> {
        const ref = this.artifacts[service];
        if (!ref) throw new pulumi.ResourceError(`no artifact for service "${service}" (have: ${Object.keys(this.artifacts).join(", ") || "none"})`, this);
        return pulumi.all([this.bucketArn, ref]).apply(([arn, r]) => artifactReadStatement(arn, r.key));
    }

    private createVersioning(name: string, bucket: aws.s3.Bucket): aws.s3.BucketVersioning {
        return new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
    }
}
