/**
 * Pure rules for the app's artifacts: what an artifact reference is, the names S3 accepts, the key an
 * artifact lives under, and the one IAM statement that reads it. Used by the config schema (`ecomm:app`),
 * the ArtifactComponent and the user-data renderer alike. No Pulumi, no AWS calls.
 */

/** One service's artifact in S3: the boot script downloads it and checks its sha256 before unpacking it. */
export interface ArtifactRef {
    /** The bucket, in the stack's region (the instances reach it through the VPC's S3 gateway endpoint). */
    readonly bucket: string;
    /** The object key, e.g. `storefront/backend/<sha256>.tar.gz`. */
    readonly key: string;
    /** sha256 of the object's bytes, 64 lowercase hex digits. */
    readonly sha256: string;
    /** The bucket's region (the stack's). @example "us-east-1" */
    readonly region: string;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * S3 general purpose bucket names (S3 User Guide, "General purpose bucket naming rules"): 3-63 characters,
 * lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit, no two adjacent
 * dots, not an IP address, none of the reserved prefixes `xn--`, `sthree-`, `amzn-s3-demo-` and suffixes
 * `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`. Dots are refused too: a dotted name breaks
 * virtual-hosted TLS (the certificate is `*.s3.<region>.amazonaws.com`).
 */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return `must be 3-63 characters (got ${name.length})`;
    if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) return "must be lowercase letters, digits and hyphens, beginning and ending with a letter or digit (no dots)";
    for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) if (name.startsWith(prefix)) return `must not begin with ${prefix}`;
    for (const suffix of ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"]) if (name.endsWith(suffix)) return `must not end with ${suffix}`;
    return undefined;
}

/**
 * Object keys the boot script takes: 1-1024 bytes (S3's limit) of letters, digits and `. _ - /`, not
 * beginning with `/` and with no empty or `..` segment, so nothing can break the script's quoting or climb
 * out of a prefix.
 */
export function objectKeyProblem(key: string): string | undefined {
    if (key.length < 1 || Buffer.byteLength(key) > 1024) return "must be 1-1024 bytes";
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key)) return "must be letters, digits and . _ - separated by single / (no leading or trailing /)";
    if (key.split("/").some((s) => s === "." || s === "..")) return "must have no . or .. segment";
    return undefined;
}

/** Every problem of an artifact reference, each naming its field under `prefix`. */
export function artifactRefProblems(ref: ArtifactRef, prefix = "artifact"): string[] {
    const problems: string[] = [];
    const bucket = bucketNameProblem(ref.bucket);
    if (bucket) problems.push(`${prefix}.bucket "${ref.bucket}" ${bucket}`);
    const key = objectKeyProblem(ref.key);
    if (key) problems.push(`${prefix}.key "${ref.key}" ${key}`);
    if (!SHA256_HEX.test(ref.sha256)) problems.push(`${prefix}.sha256 "${ref.sha256}" must be 64 lowercase hex digits`);
    if (!AWS_REGION.test(ref.region)) problems.push(`${prefix}.region "${ref.region}" must be an AWS region such as us-east-1`);
    return problems;
}

/** The loopback port the backend app listens on behind nginx: unprivileged, so the app needs no capability. */
export const DEFAULT_APP_PORT = 8080;
export const APP_PORT_RANGE = { min: 1024, max: 65535 } as const;

/** The app port's rule; with the service's port, also that they differ. */
export function appPortProblem(appPort: number, servicePort?: number): string | undefined {
    if (!Number.isInteger(appPort) || appPort < APP_PORT_RANGE.min || appPort > APP_PORT_RANGE.max)
        return `must be a whole number from ${APP_PORT_RANGE.min} to ${APP_PORT_RANGE.max} (the app runs without privileges, on loopback behind nginx)`;
    if (appPort === servicePort) return `must differ from the service's port ${servicePort} (nginx listens there and proxies to the app)`;
    return undefined;
}

/** The one statement that lets a service's instance role read its own artifact, and nothing else. */
export interface ArtifactReadStatement {
    readonly Sid: "ReadOwnArtifact";
    readonly Effect: "Allow";
    readonly Action: "s3:GetObject";
    readonly Resource: string;
}

export function artifactReadStatement(bucketArn: string, key: string): ArtifactReadStatement {
    return { Sid: "ReadOwnArtifact", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${key}` };
}

/** A bucket's ARN (S3 bucket ARNs carry no region or account). */
export function bucketArnOf(bucket: string, partition = "aws"): string {
    return `arn:${partition}:s3:::${bucket}`;
}

/** A team's own artifact (`ecomm:app.artifacts.<service>`) as the user data takes it: in the stack's region. */
export function ownArtifactRef(own: { readonly bucket: string; readonly key: string; readonly sha256: string }, region: string): ArtifactRef {
    return { bucket: own.bucket, key: own.key, sha256: own.sha256, region };
}

/** The partition a region belongs to (ARNs name it): `aws`, `aws-cn`, `aws-us-gov`. */
export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}
