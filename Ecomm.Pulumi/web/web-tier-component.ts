import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseBadArgs } from "../shared/component-args";
import { refreshRollbackPlan } from "../monitoring/alarms";
import { ServiceComponent, type ServiceApp, type ServiceComponentArgs } from "./service-component";
import { ACCESS_LOG_PREFIX } from "./access-logs";
import { createAccessLogsBucket } from "./log-buckets";
import { listenerPlan, type ListenerPlan } from "./listeners";
import { createListeners, createTargetGroup } from "./routing-resources";
import { loadBalancerNames, webTierNameProblems } from "./names";
import { routingProblems, type ServiceRouting } from "./services";
import type { ServiceRole } from "../userdata/render";
import { webAclRules, type WafMode } from "./waf";

/** The settings of one service's instances, as `ServiceComponentArgs` documents them. */
export type ServiceSettings = Pick<
    ServiceComponentArgs,
    | "instanceType"
    | "mixedInstanceTypes"
    | "ami"
    | "minSize"
    | "maxSize"
    | "desiredCapacity"
    | "port"
    | "healthCheckPath"
    | "healthCheck"
    | "healthCheckGracePeriodSeconds"
    | "instanceWarmupSeconds"
    | "rootVolumeGb"
    | "scaling"
    | "instanceRefreshMinHealthyPercent"
    | "warmPool"
>;

/** One service behind the ALB: a row of the service table (`services.ts`) with its settings. */
export interface WebServiceArgs extends ServiceSettings {
    /**
     * The service's name: its children are `<tier>-<name>-…` (`web-admin-asg`), its target group
     * `<tier>-<name>-tg`, its listener rule `<tier>-<name>-rule`.
     * @example "admin"
     */
    readonly name: string;
    /** The listener's default action (exactly one service), or a path rule at a priority. */
    readonly routing: ServiceRouting;
    /** Path-routed services: the path patterns (1–5) their rule forwards. @default [] */
    readonly pathPatterns?: readonly string[];
    /** Which pages the boot script serves without an app: the storefront's or an API's. */
    readonly serves: ServiceRole;
    /** Seconds the ALB lets in-flight requests finish on a deregistering target (0–3600). */
    readonly deregistrationDelaySeconds: number;
    /**
     * Whether it reads the database's connection values (`databaseParameterPath`) at boot.
     * @default false
     */
    readonly databaseClient?: boolean;
    /** Its app artifact, with its role's one read statement. @default undefined (placeholder pages) */
    readonly app?: ServiceApp;
}

/** The load balancer's settings (`ecomm:loadBalancer`). */
export interface LoadBalancerSettings {
    /** ALB access logs to a bucket the tier owns, expiring after `retentionDays`. */
    readonly accessLogs: { readonly enabled: boolean; readonly retentionDays: number };
    /** A WAF web ACL with AWS managed rule groups in front of the ALB. */
    readonly waf: boolean;
    /** `block`: the managed rules block; `count`: they only count. */
    readonly wafMode: WafMode;
    /** Whether the ALB (and its log bucket) refuse deletion. */
    readonly deletionProtection: boolean;
    /** Seconds the ALB keeps an idle connection (1–4000). */
    readonly idleTimeoutSeconds: number;
}

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
    /** Private subnets, one per AZ: where every service's instances run. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The services, in creation order (the service table: `frontend` as the default action, `backend` at
     * `/api/*`, then any configured one). Exactly one is default-routed; priorities and path patterns are
     * unique across the others (`routingProblems`).
     */
    readonly services: readonly WebServiceArgs[];
    /** The load balancer settings (`ecomm:loadBalancer`): access logs, WAF, deletion protection, idle timeout. */
    readonly loadBalancer: LoadBalancerSettings;
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
     * Prefix of the services' log groups: each service's are `<prefix>/<service>/nginx-access`, `/nginx-error`
     * and `/system`.
     * @example "/ecomm/prod"
     */
    readonly logGroupPrefix: string;
    /** Days CloudWatch Logs keeps the services' logs (`ecomm:logs.retentionDays`). */
    readonly logRetentionDays: number;
    /**
     * The SSM parameter path where the database's clients (`databaseClient` services) find its connection
     * values (see `DatabaseAccessComponent`). The others get nothing from the database.
     * @default undefined (no service gets database settings)
     */
    readonly databaseParameterPath?: string;
    /**
     * The prefix the stack's `MonitoringComponent` names its alarms with (its `namePrefix`). With it, each
     * service's instance refresh watches that service's health alarms (`<prefix>-<service>-unhealthy-hosts`,
     * `-no-healthy-hosts`) and rolls back when one goes to ALARM.
     * @default undefined (refreshes roll back only when they fail)
     * @example "ecomm-prod"
     */
    readonly alarmNamePrefix?: string;
}

/**
 * Why these args cannot build a web tier: names past AWS's limits, not exactly one default-routed service,
 * and the routing rules across services (`routingProblems`, the same function the config schema calls).
 */
export function webTierProblems(name: string, args: Pick<WebTierComponentArgs, "services">): string[] {
    const problems = webTierNameProblems(
        name,
        args.services.map((s) => s.name),
    );
    const defaults = args.services.filter((s) => s.routing.kind === "default").map((s) => s.name);
    if (defaults.length !== 1) problems.push(`exactly one service must be the listener's default action; got ${defaults.length === 0 ? "none" : defaults.join(", ")}`);
    const seen = new Set<string>();
    for (const s of args.services) {
        if (seen.has(s.name)) problems.push(`service ${s.name} is listed twice`);
        seen.add(s.name);
    }
    const routed = args.services.map((s) => ({ definition: { name: s.name, routing: s.routing }, pathPatterns: s.pathPatterns ?? [] }));
    for (const p of routingProblems(routed, (n) => ["services", n])) problems.push(`${p.path.join(".")} (${JSON.stringify(p.input)}) ${p.message}`);
    return problems;
}

/**
 * One internet-facing Application Load Balancer across the public subnets, with listeners (HTTPS + redirect,
 * or HTTP), a target group per service, optional access logs and WAF, in front of the ASG-backed services
 * (`${name}-<service>`: frontend, backend and any configured one) in the private subnets.
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
    /** Every service, by name, in the order of `args.services`. */
    public readonly services: Readonly<Record<string, ServiceComponent>>;

    constructor(name: string, args: WebTierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("WebTierComponent", name, webTierProblems(name, args));
        super("ecomm:web:WebTierComponent", name, {}, opts);
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

        const targetGroups = new Map(args.services.map((s) => [s.name, createTargetGroup(this, name, s, args.vpcId)] as const));
        const routing = createListeners(this, name, args, plan, alb, targetGroups);

        const services: Record<string, ServiceComponent> = {};
        for (const s of args.services) {
            const tg = targetGroups.get(s.name);
            if (!tg) throw new Error(`no target group for ${s.name}`);
            services[s.name] = this.createService(name, args, s, albSg, alb, tg, routing);
        }
        for (const s of args.services) this.allowAlbTo(name, s.name, albSg, services[s.name]);
        this.services = services;

        if (args.loadBalancer.waf) this.webAclArn = this.createWebAcl(name, alb, args.loadBalancer.wafMode);

        this.registerOutputs({
            url: this.url,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            albDnsName: this.albDnsName,
            albZoneId: this.albZoneId,
            albSecurityGroupId: this.albSecurityGroupId,
            services: Object.fromEntries(
                Object.entries(services).map(([n, svc]) => [
                    n,
                    { asgName: svc.asgName, targetGroupArn: svc.targetGroupArn, targetGroupArnSuffix: svc.targetGroupArnSuffix, securityGroupId: svc.securityGroupId },
                ]),
            ),
        });
    }

    /** The service called `name`; throws when the tier has none (a typo in a caller, not a config error). */
    service(name: string): ServiceComponent {
        const found = this.services[name];
        if (!found) throw new Error(`web tier has no service ${name}; it has ${Object.keys(this.services).join(", ")}`);
        return found;
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

    private allowAlbTo(name: string, serviceName: string, albSg: aws.ec2.SecurityGroup, service: ServiceComponent): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-${serviceName}`,
            {
                securityGroupId: albSg.id,
                description: `To the ${serviceName} instances on ${service.port}`,
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
            loadBalancerNames(name, []).alb,
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

    private createService(
        name: string,
        args: WebTierComponentArgs,
        service: WebServiceArgs,
        albSg: aws.ec2.SecurityGroup,
        alb: aws.lb.LoadBalancer,
        tg: aws.lb.TargetGroup,
        routing: pulumi.Resource[],
    ): ServiceComponent {
        const { name: serviceName, serves, app, databaseClient, routing: serviceRouting, pathPatterns, deregistrationDelaySeconds, ...settings } = service; // the tier's, not the instances'
        return new ServiceComponent(
            `${name}-${serviceName}`,
            {
                ...settings,
                service: serviceName,
                serves,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                loadBalancerSecurityGroupId: albSg.id,
                targetGroupArn: tg.arn,
                targetGroupArnSuffix: tg.arnSuffix,
                loadBalancerArnSuffix: alb.arnSuffix,
                loadBalancerIdleTimeoutSeconds: args.loadBalancer.idleTimeoutSeconds,
                routedBy: routing,
                refreshRollback: args.alarmNamePrefix === undefined ? undefined : refreshRollbackPlan(args.alarmNamePrefix, { name: serviceName, minSize: service.minSize, maxSize: service.maxSize }),
                instanceTags: args.instanceTags,
                logGroupPrefix: `${args.logGroupPrefix}/${serviceName}`,
                logRetentionDays: args.logRetentionDays,
                database: databaseClient === true && args.databaseParameterPath !== undefined ? { parameterPath: args.databaseParameterPath, region: args.region } : undefined,
                app,
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
