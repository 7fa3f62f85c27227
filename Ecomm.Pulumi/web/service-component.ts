import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseBadArgs } from "../shared/component-args";
import { assumeRolePolicy, policyDocument } from "../shared/iam";
import { instanceRoleStatements } from "./instance-role";
import { al2023AmiParameter } from "./ami";
import { healthCheckProblems, type HealthCheckSettings } from "./health-check";
import { groupSizeProblems, warmPoolProblems } from "./scaling";
import { createAutoScalingGroup } from "./auto-scaling-group";
import { createScalingPolicies } from "./scaling-policies";
import { problemLine } from "../shared/problems";
import { base64, renderUserData, type ServiceRole } from "../userdata/render";
import type { ArtifactReadStatement, ArtifactRef } from "../app/artifact-plan";
import { LOG_KINDS, serviceLogGroupNames, type ServiceLogGroups } from "./logs";

export interface ServiceComponentArgs {
    /**
     * The service's name (its `Service` tag, descriptions): a row of the service table.
     * @example "frontend"
     */
    readonly service: string;
    /** Which pages the boot script serves without an app: `frontend` (the storefront's) or `backend` (an API's). */
    readonly serves: ServiceRole;
    /** The VPC the instance security group lives in. */
    readonly vpcId: pulumi.Input<string>;
    /**
     * Private subnets, one per AZ: the ASG spreads instances across all of them, so losing an AZ leaves
     * the others serving while the ASG relaunches elsewhere.
     */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The ALB's security group: the only source allowed to reach the service port. */
    readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
    /** The target group the ASG registers its instances with (created by the web tier). */
    readonly targetGroupArn: pulumi.Input<string>;
    /** The target group's ARN suffix (`targetgroup/<name>/<id>`), for metrics and the request-count label. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /** The ALB's ARN suffix (`app/<name>/<id>`), for metrics and the request-count label. */
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    /** The ALB's idle timeout (s); nginx keeps idle connections 15 s longer so the ALB always closes first. */
    readonly loadBalancerIdleTimeoutSeconds: number;
    /**
     * The listener and rules forwarding to the target group. The ASG and its scaling policies wait for
     * them: AWS rejects an `ALBRequestCountPerTarget` policy for a target group no load balancer uses.
     * @default []
     */
    readonly routedBy?: readonly pulumi.Resource[];
    /**
     * EC2 instance type. Graviton types (`t4g`, `m7g`, ...) get the arm64 AMI.
     * @example "m7g.large"
     */
    readonly instanceType: string;
    /**
     * Extra instance types (same architecture) for a mixed-instances policy, so a shortage of one type in
     * an AZ does not stall scale-out. All On-Demand. Cannot be combined with a warm pool.
     * @default [] (a single instance type)
     */
    readonly mixedInstanceTypes?: readonly string[];
    /**
     * An AMI id.
     * @default the latest Amazon Linux 2023 for the architecture, from its public SSM parameter
     */
    readonly ami?: string;
    /** Fewest instances; at least one per AZ in prod so an AZ loss never empties the service. */
    readonly minSize: number;
    /** Most instances scaling may launch (the cost ceiling). */
    readonly maxSize: number;
    /**
     * Initial desired capacity. Scaling owns it afterwards (`ignoreChanges`), so later `up`s do not reset it.
     * @default minSize
     */
    readonly desiredCapacity?: number;
    /** The port nginx listens on and the target group forwards to. */
    readonly port: number;
    /** The path nginx answers 200 on and the target group checks. */
    readonly healthCheckPath: string;
    /** The target group's health-check timing (used here to validate, and by the web tier). */
    readonly healthCheck: HealthCheckSettings;
    /** Seconds after launch before ELB health checks may mark a new instance unhealthy. */
    readonly healthCheckGracePeriodSeconds: number;
    /** Seconds a new instance warms up before its metrics count for scaling and refresh moves on. */
    readonly instanceWarmupSeconds: number;
    /** Root volume size (GiB); always gp3 and encrypted. */
    readonly rootVolumeGb: number;
    /** Target-tracking and step-scaling settings. */
    readonly scaling: {
        /** Average CPU (%) target tracking keeps the group at. */
        readonly cpuTargetPercent: number;
        /** ALB requests per target per minute target tracking keeps the group at. */
        readonly requestsPerTarget: number;
        /** Average target response time (s) above which the step policy adds instances. */
        readonly responseTimeThresholdSeconds: number;
    };
    /** The share of the group (%) an instance refresh keeps in service. */
    readonly instanceRefreshMinHealthyPercent: number;
    /**
     * What makes an instance refresh roll itself back: the service's own health alarms (plain names, known
     * before they exist: `MonitoringComponent` creates them later under the same names) and how long to wait
     * at each checkpoint for them to see the new instances. Auto rollback is on whatever is given here: a
     * refresh that fails (instances never become healthy) is undone too.
     * @default undefined (roll back on a failed refresh only; no alarms, no checkpoints)
     */
    readonly refreshRollback?: {
        /** @example ["ecomm-prod-frontend-unhealthy-hosts", "ecomm-prod-frontend-no-healthy-hosts"] */
        readonly alarmNames: readonly string[];
        /** Seconds to pause after each checkpoint (and after the last instance) for the alarms to evaluate. */
        readonly checkpointDelaySeconds: number;
    };
    /**
     * A pool of pre-initialised stopped instances for faster scale-out (stopped instances still cost EBS).
     * @default { enabled: false, minSize: 1 }
     */
    readonly warmPool?: { readonly enabled: boolean; readonly minSize: number };
    /**
     * Tags for the instances and volumes the ASG launches (provider default tags do not reach them).
     * @default {}
     */
    readonly instanceTags?: Readonly<Record<string, string>>;
    /**
     * Prefix of the service's log groups (`<prefix>/nginx-access`, `/nginx-error`, `/system`), which the
     * component creates and the CloudWatch agent on every instance writes to.
     * @example "/ecomm/prod/frontend"
     */
    readonly logGroupPrefix: string;
    /** Days CloudWatch Logs keeps the service's logs (a CloudWatch Logs retention value). */
    readonly logRetentionDays: number;
    /**
     * Database access (the backend): the SSM parameter path the instances read the connection values from at
     * boot, into `/etc/ecomm/db.env`. The role's permission to read them is granted by whoever creates the
     * parameters (the stack's `DatabaseAccessComponent`).
     * @default undefined (the service gets nothing from the database)
     */
    readonly database?: {
        /** @example "/ecomm/prod/database" */
        readonly parameterPath: string;
        /** The region of the parameters. @example "us-east-1" */
        readonly region: string;
    };
    /**
     * The service's app: the boot script downloads the artifact, checks its sha256 and serves it (frontend)
     * or runs it behind nginx (backend). The instance role gets `readStatement` (its own key) and nothing else
     * of the bucket. A different artifact renders different user data: a new launch template version.
     * @default undefined (nginx serves placeholder pages)
     */
    readonly app?: ServiceApp;
}

/** A service's app artifact, as the stack resolves it from `ecomm:app`. */
export interface ServiceApp {
    readonly artifact: pulumi.Input<ArtifactRef>;
    /** `s3:GetObject` on exactly the artifact's key (`app/artifact-plan.ts`). */
    readonly readStatement: pulumi.Input<ArtifactReadStatement>;
    /** The backend app's loopback port (nginx proxies the service's port to it). @default 8080 */
    readonly appPort?: number;
}

/** The same rules the config schema applies (health checks, group size, warm pool), for args built by hand. */
export function serviceProblems(args: ServiceComponentArgs): string[] {
    return [
        ...healthCheckProblems(args.healthCheck).map((p) => problemLine({ ...p, path: ["healthCheck", ...p.path] })),
        ...groupSizeProblems(args).map(problemLine),
        ...warmPoolProblems(args).map(problemLine),
    ];
}

/**
 * One ASG-backed web service behind the ALB: an instance security group open only to the ALB, an SSM-managed
 * instance role (no SSH), a launch template (IMDSv2, encrypted gp3, nginx user data), an Auto Scaling group
 * across the private subnets of every AZ with ELB health checks and rolling instance refresh, and scaling on
 * CPU, requests per target and response time. The CloudWatch agent on every instance ships nginx's access
 * and error logs and the system log to three log groups the component owns (retention included).
 *
 * Cost: CloudWatch Logs ingestion ($0.50/GB in us-east-1) and storage ($0.03/GB-month) for the logs.
 */
export class ServiceComponent extends pulumi.ComponentResource {
    /** The instance security group's id. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The Auto Scaling group's name. */
    public readonly asgName: pulumi.Output<string>;
    /** The Auto Scaling group's ARN (fault-injection experiments target it). */
    public readonly asgArn: pulumi.Output<string>;
    /** The launch template's id. */
    public readonly launchTemplateId: pulumi.Output<string>;
    /** The target group ARN the ASG registers with (passed through). */
    public readonly targetGroupArn: pulumi.Output<string>;
    /** The target group's ARN suffix (passed through), for CloudWatch metrics. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly minSize: number;
    public readonly maxSize: number;
    /** The service port. */
    public readonly port: number;
    /** The instance role's name, for policies granted after the service exists (database access). */
    public readonly roleName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    /** The service's log groups, one per shipped file (plain names, known before deployment). */
    public readonly logGroupNames: ServiceLogGroups;

    constructor(name: string, args: ServiceComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("ServiceComponent", name, serviceProblems(args));
        super("ecomm:web:ServiceComponent", name, {}, opts);
        this.minSize = args.minSize;
        this.maxSize = args.maxSize;
        this.port = args.port;
        this.targetGroupArn = pulumi.output(args.targetGroupArn);

        const sg = this.createSecurityGroup(name, args);
        this.securityGroupId = sg.id;
        this.logGroupNames = serviceLogGroupNames(args.logGroupPrefix);
        const logGroups = this.createLogGroups(name, args);
        const { role, profile } = this.createInstanceProfile(name, logGroups, args.app);
        this.roleName = role.name;
        this.roleArn = role.arn;
        const template = this.createLaunchTemplate(name, args, sg, profile, logGroups);
        this.launchTemplateId = template.id;
        const asg = createAutoScalingGroup(this, name, args, template);
        this.asgName = asg.name;
        this.asgArn = asg.arn;
        // The suffix as known once the group exists, i.e. once its first instances are healthy in the target
        // group (`minElbCapacity`): health alarms built on it are created after a correct first boot, not
        // during it, so a fresh stack pages nobody.
        this.targetGroupArnSuffix = pulumi.all([asg.arn, args.targetGroupArnSuffix]).apply(([, suffix]) => suffix);
        createScalingPolicies(this, name, args, asg);

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            asgName: this.asgName,
            launchTemplateId: this.launchTemplateId,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            roleName: this.roleName,
            roleArn: this.roleArn,
            logGroupNames: this.logGroupNames,
        });
    }

    /** Ingress only from the ALB's SG on the service port; egress HTTPS for SSM, dnf mirrors and CloudWatch. */
    private createSecurityGroup(name: string, args: ServiceComponentArgs): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `${args.service} instances: the service port from the ALB only`,
                tags: { Name: `${name}-sg` },
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-alb`,
            {
                securityGroupId: sg.id,
                description: `HTTP ${args.port} from the ALB`,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-https-out`,
            {
                securityGroupId: sg.id,
                description: "HTTPS out via NAT: SSM, AL2023 package repositories, CloudWatch",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            },
            { parent: this },
        );
        return sg;
    }

    /**
     * One log group per shipped file, created here so retention and deletion are the program's: were the
     * agent to create them, they would keep logs forever and outlive the stack.
     */
    private createLogGroups(name: string, args: ServiceComponentArgs): aws.cloudwatch.LogGroup[] {
        return LOG_KINDS.map(
            (kind) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-logs-${kind}`,
                    { name: this.logGroupNames[kind], retentionInDays: args.logRetentionDays },
                    { parent: this },
                ),
        );
    }

    /**
     * Session Manager, Run Command and the CloudWatch agent writing to this service's log groups, as one
     * inline policy (`instance-role.ts`); no managed policy, no SSH key anywhere.
     */
    private createInstanceProfile(name: string, logGroups: aws.cloudwatch.LogGroup[], app: ServiceApp | undefined): { role: aws.iam.Role; profile: aws.iam.InstanceProfile } {
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Web-tier instances: SSM Session Manager and the CloudWatch agent",
                assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-instance-policy`,
            { role: role.name, policy: pulumi.all(logGroups.map((g) => g.arn)).apply((arns) => policyDocument(instanceRoleStatements(arns))) },
            { parent: this },
        );
        // The boot downloads the artifact: exactly its own key.
        const artifactPolicy = app
            ? new aws.iam.RolePolicy(`${name}-artifact-policy`, { role: role.name, policy: pulumi.output(app.readStatement).apply((st) => policyDocument([st])) }, { parent: this })
            : undefined;
        // Instances must not boot before their role may register with SSM, ship logs and read the artifact.
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent: this, dependsOn: artifactPolicy ? [policy, artifactPolicy] : [policy] });
        return { role, profile };
    }

    private createLaunchTemplate(
        name: string,
        args: ServiceComponentArgs,
        sg: aws.ec2.SecurityGroup,
        profile: aws.iam.InstanceProfile,
        logGroups: aws.cloudwatch.LogGroup[],
    ): aws.ec2.LaunchTemplate {
        const imageId = args.ami
            ? pulumi.output(args.ami)
            : aws.ssm.getParameterOutput({ name: al2023AmiParameter(args.instanceType) }, { parent: this }).insecureValue;
        const tags = { ...args.instanceTags, Name: name, Service: args.service };
        return new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                description: `${args.service} web servers`,
                imageId,
                instanceType: args.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [sg.id],
                // IMDSv2 only; hop limit 1 keeps the token away from anything but the instance itself.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeType: "gp3", volumeSize: args.rootVolumeGb, encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                monitoring: { enabled: true },
                tagSpecifications: [
                    { resourceType: "instance", tags },
                    { resourceType: "volume", tags },
                ],
                userData: pulumi.output(args.app?.artifact).apply((artifact) =>
                    base64(
                        renderUserData({
                            role: args.serves,
                            port: args.port,
                            healthCheckPath: args.healthCheckPath,
                            loadBalancerIdleTimeoutSeconds: args.loadBalancerIdleTimeoutSeconds,
                            logGroups: this.logGroupNames,
                            database: args.database,
                            artifact,
                            appPort: args.app?.appPort,
                        }),
                    ),
                ),
                updateDefaultVersion: true,
                tags: { Name: `${name}-lt` },
            },
            // The user data names the groups as plain strings; instances must not boot (and the agent must
            // not create a group without retention) before they exist.
            { parent: this, dependsOn: logGroups },
        );
    }
}
