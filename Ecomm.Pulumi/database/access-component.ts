import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseBadArgs } from "../shared/component-args";
import { databaseParameterNames, databaseParameterPathProblem, DATABASE_PARAMETER_KEYS, type DatabaseParameterKey } from "./parameters";
import { policyDocument, type PolicyStatement } from "../shared/iam";

export interface DatabaseAccessComponentArgs {
    /**
     * The region of the parameters and the secret: the KMS condition allows decryption only through
     * Secrets Manager there.
     * @example "us-east-1"
     */
    readonly region: string;
    /**
     * Where the connection values are written, as plain SSM parameter names (`<path>/endpoint`, `/port`,
     * `/name`, `/secret-arn`) that the client's user data names before the database exists.
     * @example "/ecomm/prod/database"
     */
    readonly parameterPath: string;
    /** The client's instance role: gets an inline policy reading exactly the parameters, the secret and its key. */
    readonly clientRoleName: pulumi.Input<string>;
    /** The client's security group: gets one egress rule to the database's security group on its port. */
    readonly clientSecurityGroupId: pulumi.Input<string>;
    /** The database's security group (which already admits the client's group). */
    readonly databaseSecurityGroupId: pulumi.Input<string>;
    /** The writer's DNS name, without the port. */
    readonly endpoint: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    /** The database name. @example "shop" */
    readonly dbName: string;
    /** The Secrets Manager secret RDS keeps the master credentials in. */
    readonly secretArn: pulumi.Input<string>;
    /** The KMS key the secret is encrypted with. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/** Every problem with the args, empty when they are valid: the parameter path (`parameters.ts`'s rule). */
export function databaseAccessArgsProblems(args: DatabaseAccessComponentArgs): string[] {
    const problem = databaseParameterPathProblem(args.parameterPath);
    return problem ? [`parameterPath ${problem}`] : [];
}

/**
 * Lets one application role reach its database without anyone copying values: SSM parameters holding the
 * endpoint, port, database name and secret ARN; an inline policy on the client role allowing exactly
 * `ssm:GetParameters` on those parameters, `secretsmanager:GetSecretValue` on the secret and `kms:Decrypt`
 * on its key through Secrets Manager; and the client security group's egress to the database's port.
 *
 * Why parameters and not the values in the user data: the database admits the backend's security group,
 * so the backend exists before the database; the backend's launch template cannot then also carry the
 * database's endpoint (a cycle). The parameter *names* are plain strings known up front, the values are
 * written here after the database exists, and the instances read them at boot. Nothing stateful moves (the
 * ALB and the database keep their URNs), and a database endpoint change (a point-in-time restore) is a
 * parameter update plus a reboot or instance refresh, not a new launch template.
 *
 * Cost: standard SSM parameters are free; Secrets Manager API calls $0.05 per 10,000.
 */
export class DatabaseAccessComponent extends pulumi.ComponentResource {
    /** The parameter names by key (plain; the same names the client's user data reads). */
    public readonly parameterNames: Readonly<Record<DatabaseParameterKey, string>>;
    /** The parameters' ARNs, in `DATABASE_PARAMETER_KEYS` order. */
    public readonly parameterArns: pulumi.Output<string[]>;

    constructor(name: string, args: DatabaseAccessComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("DatabaseAccessComponent", name, databaseAccessArgsProblems(args));
        super("ecomm:database:DatabaseAccessComponent", name, {}, opts);
        this.parameterNames = databaseParameterNames(args.parameterPath);

        const parameters = this.createParameters(name, args);
        this.parameterArns = pulumi.all(parameters.map((p) => p.arn));
        this.createPolicy(name, args, parameters);
        this.allowEgress(name, args);

        this.registerOutputs({ parameterNames: this.parameterNames, parameterArns: this.parameterArns });
    }

    private createParameters(name: string, args: DatabaseAccessComponentArgs): aws.ssm.Parameter[] {
        const values: Record<DatabaseParameterKey, pulumi.Input<string>> = {
            endpoint: args.endpoint,
            port: pulumi.output(args.port).apply(String),
            name: args.dbName,
            "secret-arn": args.secretArn,
        };
        return DATABASE_PARAMETER_KEYS.map(
            (key) =>
                new aws.ssm.Parameter(
                    `${name}-${key}`,
                    {
                        name: this.parameterNames[key],
                        description: `The database's ${key}, read by the backend at boot into /etc/ecomm/db.env`,
                        // Not secrets: the password stays in Secrets Manager, read by the app through secret-arn.
                        // `insecureValue` keeps them readable in previews and diffs (`value` is always secret).
                        type: "String",
                        tier: "Standard",
                        insecureValue: values[key],
                    },
                    { parent: this },
                ),
        );
    }

    private createPolicy(name: string, args: DatabaseAccessComponentArgs, parameters: aws.ssm.Parameter[]): void {
        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: args.clientRoleName,
                policy: pulumi
                    .all([pulumi.all(parameters.map((p) => p.arn)), args.secretArn, args.kmsKeyArn])
                    .apply(([parameterArns, secretArn, keyArn]) => policyDocument(databaseAccessStatements(parameterArns, secretArn, keyArn, args.region))),
            },
            { parent: this },
        );
    }

    /** The client's security group only allows HTTPS out; add the database's port, to the database's group only. */
    private allowEgress(name: string, args: DatabaseAccessComponentArgs): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-egress`,
            {
                securityGroupId: args.clientSecurityGroupId,
                description: "To the database on its port",
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                referencedSecurityGroupId: args.databaseSecurityGroupId,
            },
            { parent: this },
        );
    }
}

/** Exactly what connecting needs: the parameters, the secret, and decrypting it through Secrets Manager. */
export function databaseAccessStatements(parameterArns: readonly string[], secretArn: string, keyArn: string, region: string): PolicyStatement[] {
    return [
        { Sid: "ReadDatabaseParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [...parameterArns] },
        { Sid: "ReadDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
        {
            Sid: "DecryptDatabaseSecret",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: keyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    ];
}
