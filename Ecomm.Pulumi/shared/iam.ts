/** Small, pure IAM policy-document builders shared by the components. */

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    /** For resource policies (bucket policies): who the statement applies to. */
    readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A trust policy letting one AWS service assume the role, optionally only under `condition`. */
export function assumeRolePolicy(service: string, condition?: PolicyStatement["Condition"]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }],
    });
}

/** A policy document from statements. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * A trust policy letting an AWS service assume the role only on behalf of this account's resources:
 * `aws:SourceAccount` and `aws:SourceArn` (confused-deputy protection, IAM User Guide "The confused deputy
 * problem"). `sourceArn` may end in a wildcard (`...:vpc-flow-log/*`); it is matched with `ArnLike`.
 */
export function serviceTrustPolicy(service: string, scope: { readonly accountId: string; readonly sourceArn: string }): string {
    return assumeRolePolicy(service, {
        StringEquals: { "aws:SourceAccount": scope.accountId },
        ArnLike: { "aws:SourceArn": scope.sourceArn },
    });
}
