import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancerConfig, ServiceConfig } from "../config/schema";
import { refreshRollbackPlan } from "../monitoring/alarms";
import { ServiceComponent, type ServiceApp } from "./service-component";
import { ACCESS_LOG_PREFIX } from "./access-logs";
import { createAccessLogsBucket } from "./log-buckets";
import { targetGroupHealthCheck } from "./health-check";
import { listenerPlan, TLS_POLICY, type ListenerPlan } from "./listeners";
import { loadBalancerNames, webTierNameProblems } from "./names";
import { webAclRules, type WafMode } from "./waf";
import type { ServiceRole } from "../userdata/render";

export interface WebTierComponentArgs {
    /**
     * The AWS region: decides which principal the access-log bucket policy allows.
     * @example "us-east-1"
     */
    readonly region: string;
    /** The VPC the security groups and target groups belong to. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets, one per AZ: the internet-facing ALB gets a node in each. */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Private subnets, one per AZ: where both services' instances run. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The frontend service (`ecomm:frontend`): the listener's default action. */
    readonly frontend: ServiceConfig;
    /** The backend service (`ecomm:backend`): receives `pathPatterns` (default `/api/*`). */
    readonly backend: ServiceConfig;
    /** The load balancer settings (`ecomm:loadBalancer`): access logs, WAF, deletion protection, idle timeout. */
    readonly loadBalancer: LoadBalancerConfig;
    /**
     * An ACM certificate ARN. When set, the ALB serves HTTPS on 443 (TLS 1.3 policy) and port 80 only
     * redirects (301) to HTTPS; when absent, it serves plain HTTP on 80.
     * Only whether it is set decides the listener layout (a plain boolean before deployment), so it may be
     * an Output: the validated ARN from a `DomainComponent`.
     * @default undefined (HTTP only; prod config requires a certificate or a domain)
     */
    readonly certificateArn?: pulumi.Input<string>;
    /**
     * The site's domain: an `A` alias record to the ALB in the hosted zone, and the `url` becomes
     * `https://<name>`. Only `A`: the ALB is IPv4-only (`ipAddressType: "ipv4"`); a dual-stack ALB would
     * need an `AAAA` alias as well. The certificate (`certificateArn`) must cover the name.
     * @default undefined (no DNS record; the URL is the ALB's DNS name)
     */
    readonly domain?: {
        /** @example "shop.example.com" */
        readonly name: string;
        /** The Route 53 hosted zone serving `name`. */
        readonly hostedZoneId: pulumi.Input<string>;
    };
    /**
     * Tags for instances and volumes launched by the ASGs (provider default tags do not reach them).
     * @default {}
     */
    readonly instanceTags?: Readonly<Record<string, string>>;
    /**
     * Prefix of the services' log groups: each service's are `<prefix>/<role>/nginx-access`, `/nginx-error`
     * and `/system`.
     * @example "/ecomm/prod"
     */
    readonly logGroupPrefix: string;
    /** Days CloudWatch Logs keeps the services' logs (`ecomm:logs.retentionDays`). */
    readonly logRetentionDays: number;
    /**
     * The SSM parameter path where the backend finds its database's connection values (see
     * `DatabaseAccessComponent`). The frontend gets nothing from the database.
     * @default undefined (the backend gets no database settings)
     */
    readonly backendDatabaseParameterPath?: string;
    /**
     * Each built-in service's app artifact (`ecomm:app`), with its role's one read statement.
     * @default {} (placeholder pages)
     */
    readonly apps?: Readonly<Partial<Record<ServiceRole, ServiceApp>>>;
    /**
     * The prefix the stack's `MonitoringComponent` names its alarms with (its `namePrefix`). With it, each
     * service's instance refresh watches that service's health alarms (`<prefix>-<role>-unhealthy-hosts`,
     * `-no-healthy-hosts`) and rolls back when one goes to ALARM.
     * @default undefined (refreshes roll back only when they fail)
     * @example "ecomm-prod"
     */
    readonly alarmNamePrefix?: string;
}

/**
 * One internet-facing Application Load Balancer across the public subnets, with listeners (HTTPS + redirect,
 * or HTTP), a target group per service, optional access logs and WAF, in front of two ASG-backed services
 * (`${name}-frontend`, `${name}-backend`) in the private subnets.
 *
 * Cost: the ALB is about $16/month plus LCUs; WAF about $5/month per web ACL plus $1 per rule group and
 * $0.60 per million requests; instances per their type and count.
 */
export class WebTierComponent extends pulumi.ComponentResource {
    /** The site's URL: `https://<domain>` with a domain, else `https://<alb dns>` with a certificate, else `http://<alb dns>`. */
    public readonly url: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    /** `app/<name>/<id>`: the `LoadBalancer` dimension of ALB CloudWatch metrics. */
    public readonly albArnSuffix: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    /** The ALB's canonical hosted zone, for Route 53 alias records. */
    public readonly albZoneId: pulumi.Output<string>;
    public readonly albSecurityGroupId: pulumi.Output<string>;
    /** The access-log bucket's name, when access logs are on. */
    public readonly accessLogsBucket?: pulumi.Output<string>;
    /** The WAF web ACL's ARN, when WAF is on. */
    public readonly webAclArn?: pulumi.Output<string>;
    public readonly frontend: ServiceComponent;
    public readonly backend: ServiceComponent;

    constructor(name: string, args: WebTierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecomm:web:WebTierComponent", name, {}, opts);
        const nameProblems = webTierNameProblems(name);
        if (nameProblems.length > 0) throw new pulumi.ResourceError(`WebTierComponent name too long: ${nameProblems.join("; ")}`, this);
        const plan = listenerPlan(args.certificateArn !== undefined);

        const albSg = this.createLoadBalancerSecurityGroup(name, args, plan);
        this.albSecurityGroupId = albSg.id;
        const logs = args.loadBalancer.accessLogs.enabled ? createAccessLogsBucket(this, name, { region: args.region, retentionDays: args.loadBalancer.accessLogs.retentionDays, deletionProtection: args.loadBalancer.deletionProtection }) : undefined;
        this.accessLogsBucket = logs?.bucket.bucket;
        const alb = this.createLoadBalancer(name, args, albSg, logs);
        this.albArn = alb.arn;
        this.albArnSuffix = alb.arnSuffix;
        this.albDnsName = alb.dnsName;
        this.albZoneId = alb.zoneId;
        if (args.domain && plan.scheme !== "https") {
            throw new pulumi.ResourceError(`domain ${args.domain.name} needs certificateArn: the site is served over HTTPS only when it has a name`, this);
        }
        const alias = args.domain ? this.createAliasRecord(name, args.domain, alb) : undefined;
        this.url = alias ? pulumi.interpolate`https://${alias.name}` : pulumi.interpolate`${plan.scheme}://${alb.dnsName}`;

        const frontendTg = this.createTargetGroup(name, "frontend", args.frontend, args.vpcId);
        const backendTg = this.createTargetGroup(name, "backend", args.backend, args.vpcId);
        const routing = this.createListeners(name, args, plan, alb, frontendTg, backendTg);

        this.frontend = this.createService(name, "frontend", args, args.frontend, albSg, alb, frontendTg, routing);
        this.backend = this.createService(name, "backend", args, args.backend, albSg, alb, backendTg, routing);
        this.allowAlbTo(name, "frontend", albSg, this.frontend);
        this.allowAlbTo(name, "backend", albSg, this.backend);

        if (args.loadBalancer.waf) this.webAclArn = this.createWebAcl(name, alb, args.loadBalancer.wafMode);

        this.registerOutputs({
            url: this.url,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            albDnsName: this.albDnsName,
            albZoneId: this.albZoneId,
            albSecurityGroupId: this.albSecurityGroupId,
            frontendAsgName: this.frontend.asgName,
            frontendTargetGroupArn: this.frontend.targetGroupArn,
            frontendTargetGroupArnSuffix: this.frontend.targetGroupArnSuffix,
            frontendSecurityGroupId: this.frontend.securityGroupId,
            backendAsgName: this.backend.asgName,
            backendTargetGroupArn: this.backend.targetGroupArn,
            backendTargetGroupArnSuffix: this.backend.targetGroupArnSuffix,
            backendSecurityGroupId: this.backend.securityGroupId,
        });
    }

    /**
     * `A` alias to the ALB (IPv4-only today, so no `AAAA`). Target health is evaluated: Route 53 then
     * answers for the ALB only while it has healthy targets in some AZ.
     */
    private createAliasRecord(name: string, domain: NonNullable<WebTierComponentArgs["domain"]>, alb: aws.lb.LoadBalancer): aws.route53.Record {
        return new aws.route53.Record(
            `${name}-alias-a`,
            {
                zoneId: domain.hostedZoneId,
                name: domain.name,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            },
            { parent: this },
        );
    }

    /** Internet ingress only on the listener ports; egress rules to the instance SGs are added per service. */
    private createLoadBalancerSecurityGroup(name: string, args: WebTierComponentArgs, plan: ListenerPlan): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-alb-sg`,
            { vpcId: args.vpcId, description: "Public ALB: HTTP/HTTPS from the internet", tags: { Name: `${name}-alb-sg` } },
            { parent: this },
        );
        for (const port of plan.openPorts) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-in-${port}`,
                {
                    securityGroupId: sg.id,
                    description: `${port === 443 ? "HTTPS" : "HTTP"} from the internet`,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: "0.0.0.0/0",
                },
                { parent: this },
            );
        }
        return sg;
    }

    private allowAlbTo(name: string, role: ServiceRole, albSg: aws.ec2.SecurityGroup, service: ServiceComponent): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-${role}`,
            {
                securityGroupId: albSg.id,
                description: `To the ${role} instances on ${service.port}`,
                ipProtocol: "tcp",
                fromPort: service.port,
                toPort: service.port,
                referencedSecurityGroupId: service.securityGroupId,
            },
            { parent: this },
        );
    }

    private createLoadBalancer(
        name: string,
        args: WebTierComponentArgs,
        sg: aws.ec2.SecurityGroup,
        logs: { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } | undefined,
    ): aws.lb.LoadBalancer {
        return new aws.lb.LoadBalancer(
            loadBalancerNames(name).alb,
            {
                internal: false,
                loadBalancerType: "application",
                ipAddressType: "ipv4",
                subnets: args.publicSubnetIds,
                securityGroups: [sg.id],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: args.loadBalancer.deletionProtection,
                enableHttp2: true,
                idleTimeout: args.loadBalancer.idleTimeoutSeconds,
                ...(logs ? { accessLogs: { bucket: logs.bucket.bucket, prefix: ACCESS_LOG_PREFIX, enabled: true } } : {}),
                tags: { Name: `${name}-alb` },
            },
            // ELB writes a test object when logging is enabled: the policy must exist first.
            { parent: this, dependsOn: logs ? [logs.policy] : [] },
        );
    }

    /** Instance targets on the service port, health-checked on the service's path with its timing. */
    private createTargetGroup(name: string, role: ServiceRole, service: ServiceConfig, vpcId: pulumi.Input<string>): aws.lb.TargetGroup {
        const names = loadBalancerNames(name);
        return new aws.lb.TargetGroup(
            role === "frontend" ? names.frontendTg : names.backendTg,
            {
                vpcId,
                targetType: "instance",
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                port: service.port,
                deregistrationDelay: service.deregistrationDelaySeconds,
                healthCheck: targetGroupHealthCheck(service.healthCheckPath, service.healthCheck),
                tags: { Name: `${name}-${role}-tg` },
            },
            { parent: this },
        );
    }

    /** The listeners and the backend rule; returns what forwards traffic, for the services to wait on. */
    private createListeners(
        name: string,
        args: WebTierComponentArgs,
        plan: ListenerPlan,
        alb: aws.lb.LoadBalancer,
        frontendTg: aws.lb.TargetGroup,
        backendTg: aws.lb.TargetGroup,
    ): pulumi.Resource[] {
        const serving = new aws.lb.Listener(
            `${name}-${plan.servingProtocol.toLowerCase()}`,
            {
                loadBalancerArn: alb.arn,
                port: plan.servingPort,
                protocol: plan.servingProtocol,
                ...(plan.servingProtocol === "HTTPS" ? { certificateArn: args.certificateArn, sslPolicy: TLS_POLICY } : {}),
                defaultActions: [{ type: "forward", targetGroupArn: frontendTg.arn }],
            },
            { parent: this },
        );
        const rule = new aws.lb.ListenerRule(
            `${name}-backend-rule`,
            {
                listenerArn: serving.arn,
                priority: 10,
                conditions: [{ pathPattern: { values: [...args.backend.pathPatterns] } }],
                actions: [{ type: "forward", targetGroupArn: backendTg.arn }],
            },
            { parent: this },
        );
        if (plan.redirectHttp) {
            new aws.lb.Listener(
                `${name}-http-redirect`,
                {
                    loadBalancerArn: alb.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                },
                { parent: this },
            );
        }
        return [serving, rule];
    }

    private createService(
        name: string,
        role: ServiceRole,
        args: WebTierComponentArgs,
        service: ServiceConfig,
        albSg: aws.ec2.SecurityGroup,
        alb: aws.lb.LoadBalancer,
        tg: aws.lb.TargetGroup,
        routing: pulumi.Resource[],
    ): ServiceComponent {
        return new ServiceComponent(
            `${name}-${role}`,
            {
                role,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                loadBalancerSecurityGroupId: albSg.id,
                targetGroupArn: tg.arn,
                targetGroupArnSuffix: tg.arnSuffix,
                loadBalancerArnSuffix: alb.arnSuffix,
                loadBalancerIdleTimeoutSeconds: args.loadBalancer.idleTimeoutSeconds,
                routedBy: routing,
                instanceType: service.instanceType,
                mixedInstanceTypes: service.mixedInstanceTypes,
                ami: service.ami,
                minSize: service.minSize,
                maxSize: service.maxSize,
                desiredCapacity: service.desiredCapacity,
                port: service.port,
                healthCheckPath: service.healthCheckPath,
                healthCheck: service.healthCheck,
                healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
                instanceWarmupSeconds: service.instanceWarmupSeconds,
                rootVolumeGb: service.rootVolumeGb,
                scaling: service.scaling,
                instanceRefreshMinHealthyPercent: service.instanceRefreshMinHealthyPercent,
                refreshRollback: args.alarmNamePrefix === undefined ? undefined : refreshRollbackPlan(args.alarmNamePrefix, { name: role, ...service }),
                warmPool: service.warmPool,
                instanceTags: args.instanceTags,
                logGroupPrefix: `${args.logGroupPrefix}/${role}`,
                logRetentionDays: args.logRetentionDays,
                database:
                    role === "backend" && args.backendDatabaseParameterPath !== undefined
                        ? { parameterPath: args.backendDatabaseParameterPath, region: args.region }
                        : undefined,
                app: args.apps?.[role],
            },
            { parent: this },
        );
    }

    /** AWS managed rule groups (IP reputation, common, known bad inputs), each counted in CloudWatch. */
    private createWebAcl(name: string, alb: aws.lb.LoadBalancer, mode: WafMode): pulumi.Output<string> {
        const acl = new aws.wafv2.WebAcl(
            `${name}-waf`,
            {
                description: mode === "count" ? "Public ALB: AWS managed rule groups, counting only (wafMode count)" : "Public ALB: AWS managed rule groups",
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: webAclRules(name, mode),
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${name}-waf` },
                tags: { Name: `${name}-waf` },
            },
            { parent: this },
        );
        new aws.wafv2.WebAclAssociation(`${name}-waf-alb`, { resourceArn: alb.arn, webAclArn: acl.arn }, { parent: this });
        return acl.arn;
    }
}
