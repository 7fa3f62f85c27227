/**
 * The AWS IAM documents the delivery set-up needs, as pure builders from the deploy config: who may
 * assume which role (trust policies) and what the preview role may do. The roles live in the ecomm AWS
 * accounts, not in Pulumi Cloud, so the deploy project does not create them; `deploy/iam-cli.ts` prints
 * these documents for `aws iam create-role` (docs/delivery.md), and the tests check them.
 *
 * Three kinds of token reach AWS, each with its own role:
 * - **deploy** (`<project>-deploy-<stack>`, the role in `ecomm-deploy:stacks.<stack>.roleArn`): Pulumi
 *   Deployments' token, only for `update`. Its subject is
 *   `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write` — the scope is
 *   always `write`, so the operation is what tells a preview from an update.
 * - **preview** (`<project>-preview-<stack>`): GitHub Actions' token, for pull requests and the protected
 *   branches; read-only permissions. Subjects `repo:<owner>/<repo>:pull_request` and
 *   `repo:<owner>/<repo>:ref:refs/heads/<branch>`, audience `sts.amazonaws.com`.
 * - **esc** (`<project>-esc-<stack>`): Pulumi ESC's `aws-login` token, audience `aws:<org>`, subject
 *   `pulumi:environments:pulumi.organization.login:<org>:currentEnvironment.name:<project>/<stack>`
 *   (the environment sets `subjectAttributes: [currentEnvironment.name]`; docs/esc/).
 */
import { policyDocument } from "../Ecomm.Pulumi/shared/iam";
import type { DeployConfig, EcommStack } from "./config";
import { gitRef } from "./settings";

/** Pulumi Cloud's OIDC issuer host (Deployments and ESC share it; AWS allows one provider per URL per account). */
export const PULUMI_OIDC = "api.pulumi.com/oidc";
/** GitHub Actions' OIDC issuer host. */
export const GITHUB_OIDC = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

/** The operations a Deployments token names (`operation` claim). Only `update` may write. */
export const DEPLOYMENT_OPERATIONS = ["preview", "update", "refresh", "destroy"] as const;
export type DeploymentOperation = (typeof DEPLOYMENT_OPERATIONS)[number];
export const WRITE_OPERATIONS: readonly DeploymentOperation[] = ["update"];

export const ROLE_KINDS = ["deploy", "preview", "esc"] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

export interface TrustStatement {
    readonly Effect: "Allow";
    readonly Principal: { readonly Federated: string };
    readonly Action: "sts:AssumeRoleWithWebIdentity";
    readonly Condition: { readonly StringEquals: Readonly<Record<string, string | readonly string[]>> };
}
export interface TrustPolicy {
    readonly Version: "2012-10-17";
    readonly Statement: readonly TrustStatement[];
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** Partition, account and name of a role ARN (already validated by the deploy config). */
export function parseRoleArn(arn: string): { partition: string; account: string; name: string } {
    const m = ROLE_ARN.exec(arn);
    if (!m) throw new Error(`not an IAM role ARN: ${arn}`);
    return { partition: m[1], account: m[2], name: m[3] };
}

/** The role names, per kind and stack. The deploy role's name is whatever `roleArn` says; the others follow it. */
export function roleName(config: DeployConfig, kind: RoleKind, stack: EcommStack): string {
    return kind === "deploy" ? parseRoleArn(config.stacks[stack].roleArn).name : `${config.project}-${kind}-${stack}`;
}

/** The ARN of a role in the stack's account (the account of the stack's deploy role). */
export function roleArn(config: DeployConfig, kind: RoleKind, stack: EcommStack): string {
    const { partition, account } = parseRoleArn(config.stacks[stack].roleArn);
    return kind === "deploy" ? config.stacks[stack].roleArn : `arn:${partition}:iam::${account}:role/${roleName(config, kind, stack)}`;
}

function providerArn(config: DeployConfig, stack: EcommStack, host: string): string {
    const { partition, account } = parseRoleArn(config.stacks[stack].roleArn);
    return `arn:${partition}:iam::${account}:oidc-provider/${host}`;
}

/** A Pulumi Deployments token's subject. */
export function deploymentSubject(config: DeployConfig, stack: string, operation: DeploymentOperation): string {
    return `pulumi:deploy:org:${config.organization}:project:${config.project}:stack:${stack}:operation:${operation}:scope:write`;
}

/** The GitHub subjects the preview roles accept: pull requests, and pushes or manual runs on a stack's branch. */
export function githubPreviewSubjects(config: DeployConfig): string[] {
    const repo = config.githubRepository;
    return [`repo:${repo}:pull_request`, ...(["dev", "prod"] as const).map((s) => `repo:${repo}:ref:${gitRef(config.stacks[s].branch)}`)];
}

/** The ESC environment for a stack (`<project>/<stack>`) and its aws-login token's subject with `subjectAttributes: [currentEnvironment.name]`. */
export function escEnvironment(config: DeployConfig, stack: EcommStack): string {
    return `${config.project}/${stack}`;
}
export function escSubject(config: DeployConfig, stack: EcommStack): string {
    return `pulumi:environments:pulumi.organization.login:${config.organization}:currentEnvironment.name:${escEnvironment(config, stack)}`;
}
/** ESC's audience for AWS: the organisation prefixed with `aws:` (environments outside the legacy `default` project). */
export function escAudience(config: DeployConfig): string {
    return `aws:${config.organization}`;
}

function trust(federated: string, audienceKey: string, audience: string, subject: string | readonly string[]): TrustPolicy {
    const host = audienceKey.slice(0, audienceKey.lastIndexOf(":"));
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: federated },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [audienceKey]: audience, [`${host}:sub`]: subject } },
            },
        ],
    };
}

/** Trust of each role kind for a stack: exact subjects (StringEquals), no wildcards. */
export function trustPolicy(config: DeployConfig, kind: RoleKind, stack: EcommStack): TrustPolicy {
    switch (kind) {
        case "deploy":
            return trust(
                providerArn(config, stack, PULUMI_OIDC),
                `${PULUMI_OIDC}:aud`,
                config.organization,
                WRITE_OPERATIONS.length === 1 ? deploymentSubject(config, stack, WRITE_OPERATIONS[0]) : WRITE_OPERATIONS.map((op) => deploymentSubject(config, stack, op)),
            );
        case "preview":
            return trust(providerArn(config, stack, GITHUB_OIDC), `${GITHUB_OIDC}:aud`, GITHUB_AUDIENCE, githubPreviewSubjects(config));
        case "esc":
            return trust(providerArn(config, stack, PULUMI_OIDC), `${PULUMI_OIDC}:aud`, escAudience(config), escSubject(config, stack));
    }
}

/**
 * What a preview may call: describe/list/get on the services ecomm manages, and nothing that changes
 * anything or reads data or secrets (no s3:GetObject, secretsmanager:GetSecretValue, ssm:GetParameter*,
 * kms:Decrypt). `pulumi preview` reads existing state from Pulumi Cloud; AWS is asked only for lookups
 * (AZs, AMIs, caller identity) and, with `--refresh`, for each resource's current settings.
 */
export const PREVIEW_READ_ACTIONS: readonly string[] = [
    "sts:GetCallerIdentity",
    "ec2:Describe*",
    "elasticloadbalancing:Describe*",
    "autoscaling:Describe*",
    "rds:Describe*",
    "rds:ListTagsForResource",
    "cloudwatch:Describe*",
    "cloudwatch:ListTagsForResource",
    "cloudwatch:GetDashboard",
    "cloudwatch:ListDashboards",
    "logs:Describe*",
    "logs:ListTagsForResource",
    "sns:GetTopicAttributes",
    "sns:GetSubscriptionAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "s3:GetBucket*",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:ListBucket",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "wafv2:Get*",
    "wafv2:List*",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetInstanceProfile",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRoleTags",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "acm:DescribeCertificate",
    "acm:ListTagsForCertificate",
    "fis:GetExperimentTemplate",
    "fis:ListExperimentTemplates",
    "fis:ListTagsForResource",
    "ssm:DescribeParameters",
    "ssm:ListTagsForResource",
];

/** The one parameter read a preview needs: the AL2023 AMI id from AWS's public parameters (`aws.ssm.getParameter`). */
export const PREVIEW_PUBLIC_PARAMETER_ACTIONS: readonly string[] = ["ssm:GetParameter"];

/** The preview role's only permission policy (inline, for the stack's account and partition). */
export function previewPermissionPolicy(config: DeployConfig, stack: EcommStack): string {
    const { partition } = parseRoleArn(config.stacks[stack].roleArn);
    return policyDocument([
        { Sid: "EcommPreviewReadOnly", Effect: "Allow", Action: [...PREVIEW_READ_ACTIONS], Resource: "*" },
        { Sid: "AwsPublicParameters", Effect: "Allow", Action: [...PREVIEW_PUBLIC_PARAMETER_ACTIONS], Resource: `arn:${partition}:ssm:*::parameter/aws/service/*` },
    ]);
}
