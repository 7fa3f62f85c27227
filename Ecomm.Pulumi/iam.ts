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
