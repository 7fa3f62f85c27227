/**
 * ecomm's CrossGuard policies: what an HA, secure stack of this shape must be. Each is named after the
 * AWS Foundational Security Best Practices (FSBP) control it enforces where one exists.
 *
 * This module only defines the policies (plain objects, importable without starting a pack); `index.ts`
 * wires them into the `PolicyPack`. Values unknown at preview time (ids of resources not yet created)
 * are skipped, not guessed.
 */
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

type Props = Record<string, unknown>;

const T = {
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    asg: "aws:autoscaling/group:Group",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    bucket: "aws:s3/bucket:Bucket",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
} as const;

/** A policy resource-validator for the given types, handed the props of a matching resource. */
function forTypes(types: readonly string[], check: (props: Props, report: ReportViolation, args: ResourceValidationArgs) => void) {
    return (args: ResourceValidationArgs, report: ReportViolation) => {
        if (types.includes(args.type)) check(args.props as Props, report, args);
    };
}

const isTrue = (v: unknown) => v === true || v === "true";
const list = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const obj = (v: unknown): Props => (v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});

function resourcePolicy(name: string, description: string, types: readonly string[], check: (props: Props, report: ReportViolation, args: ResourceValidationArgs) => void): ResourceValidationPolicy {
    return { name, description, enforcementLevel: "mandatory", validateResource: forTypes(types, check) };
}

export const albDropsInvalidHeaders = resourcePolicy(
    "elb-4-alb-drops-invalid-headers",
    "ELB.4: Application Load Balancers drop invalid HTTP header fields (request smuggling).",
    [T.lb],
    (p, report) => {
        if ((p.loadBalancerType ?? "application") === "application" && !isTrue(p.dropInvalidHeaderFields)) report("dropInvalidHeaderFields must be true");
    },
);

export const albDeletionProtection = resourcePolicy(
    "elb-6-alb-deletion-protection",
    "ELB.6: load balancers have deletion protection enabled.",
    [T.lb],
    (p, report) => {
        if (!isTrue(p.enableDeletionProtection)) report("enableDeletionProtection must be true");
    },
);

export const albAccessLogs = resourcePolicy(
    "elb-5-alb-access-logging",
    "ELB.5: load balancers write access logs.",
    [T.lb],
    (p, report) => {
        if (!isTrue(obj(p.accessLogs).enabled)) report("accessLogs.enabled must be true, with a bucket");
    },
);

export const launchTemplateImdsv2 = resourcePolicy(
    "ec2-170-launch-template-imdsv2",
    "EC2.170: launch templates require IMDSv2 (httpTokens = required).",
    [T.launchTemplate],
    (p, report) => {
        if (obj(p.metadataOptions).httpTokens !== "required") report("metadataOptions.httpTokens must be \"required\"");
    },
);

export const launchTemplateEncryptedVolumes = resourcePolicy(
    "ec2-3-encrypted-ebs",
    "EC2.3: every EBS volume a launch template defines is encrypted.",
    [T.launchTemplate],
    (p, report) => {
        const mappings = list<Props>(p.blockDeviceMappings);
        if (mappings.length === 0) report("define the root volume explicitly (encrypted gp3); the AMI's default may be unencrypted");
        for (const m of mappings) {
            if (!isTrue(obj(m.ebs).encrypted)) report(`block device ${String(m.deviceName)} must set ebs.encrypted = true`);
        }
    },
);

export const launchTemplateNoPublicIp = resourcePolicy(
    "ec2-25-no-public-ip",
    "EC2.25 / AutoScaling.5: app instances get no public IP address.",
    [T.launchTemplate],
    (p, report) => {
        for (const ni of list<Props>(p.networkInterfaces)) {
            if (isTrue(ni.associatePublicIpAddress)) report("networkInterfaces must not associate a public IP address");
        }
    },
);

export const launchTemplateNoKeyPair = resourcePolicy(
    "ecomm-no-ssh-key-pair",
    "Instances are reached through SSM Session Manager; no SSH key pair is baked into the launch template.",
    [T.launchTemplate],
    (p, report) => {
        if (typeof p.keyName === "string" && p.keyName !== "") report(`keyName ${p.keyName} must not be set; use SSM Session Manager`);
    },
);

export const asgMultipleAzs = resourcePolicy(
    "autoscaling-2-multiple-azs",
    "AutoScaling.2: Auto Scaling groups span at least two Availability Zones.",
    [T.asg],
    (p, report) => {
        const subnets = list(p.vpcZoneIdentifiers);
        const azs = list(p.availabilityZones);
        if (p.vpcZoneIdentifiers === undefined && p.availabilityZones === undefined) return; // unknown at preview
        if (Math.max(subnets.length, azs.length) < 2) report("vpcZoneIdentifiers must list subnets in at least two AZs");
    },
);

export const asgElbHealthChecks = resourcePolicy(
    "autoscaling-1-elb-health-checks",
    "AutoScaling.1: Auto Scaling groups behind a load balancer use ELB health checks.",
    [T.asg],
    (p, report) => {
        const behindLb = list(p.targetGroupArns).length > 0 || list(p.loadBalancers).length > 0;
        if (behindLb && p.healthCheckType !== "ELB") report("healthCheckType must be \"ELB\" so instances failing the ALB's health check are replaced");
    },
);

export const asgLaunchTemplatePinned = resourcePolicy(
    "autoscaling-9-launch-template-version",
    "AutoScaling.9: Auto Scaling groups use a launch template, pinned to an explicit version (not $Latest or $Default).",
    [T.asg],
    (p, report) => {
        const lt = obj(p.launchTemplate);
        const mixed = obj(obj(obj(p.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification);
        const spec = Object.keys(lt).length > 0 ? lt : mixed;
        if (Object.keys(spec).length === 0) return report("use a launch template (launchTemplate or mixedInstancesPolicy)");
        if (spec.version === undefined) return; // unknown at preview
        if (spec.version === "$Latest" || spec.version === "$Default") report(`launch template version must be explicit, not ${String(spec.version)}`);
    },
);

export const rdsEncrypted = resourcePolicy(
    "rds-3-storage-encrypted",
    "RDS.3 / RDS.27: database storage is encrypted at rest.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        if (!isTrue(p.storageEncrypted)) report("storageEncrypted must be true");
    },
);

export const rdsNotPublic = resourcePolicy(
    "rds-2-not-publicly-accessible",
    "RDS.2: database instances are not publicly accessible.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        if (isTrue(p.publiclyAccessible)) report("publiclyAccessible must be false");
    },
);

export const rdsMultiAz = resourcePolicy(
    "rds-5-multi-az",
    "RDS.5 / RDS.15: the database has a standby in another AZ (Multi-AZ instance, Multi-AZ DB cluster or Aurora).",
    [T.rdsInstance],
    (p, report) => {
        // Cluster members (Aurora, Multi-AZ DB cluster) are checked by the cluster's shape, not here.
        if (p.replicateSourceDb) return;
        if (!isTrue(p.multiAz)) report("multiAz must be true");
    },
);

export const rdsBackups = resourcePolicy(
    "rds-11-backups-7-days",
    "RDS.11: automated backups are kept for at least 7 days.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        const days = Number(p.backupRetentionPeriod ?? 1);
        if (days < 7) report(`backupRetentionPeriod is ${days}; must be at least 7`);
    },
);

export const rdsDeletionProtection = resourcePolicy(
    "rds-8-deletion-protection",
    "RDS.8 / RDS.7: databases have deletion protection enabled.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        if (!isTrue(p.deletionProtection)) report("deletionProtection must be true");
    },
);

export const rdsIamAuth = resourcePolicy(
    "rds-10-iam-authentication",
    "RDS.10 / RDS.12: IAM database authentication is enabled.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        if (!isTrue(p.iamDatabaseAuthenticationEnabled)) report("iamDatabaseAuthenticationEnabled must be true");
    },
);

export const rdsLogExports = resourcePolicy(
    "rds-9-log-exports",
    "RDS.9 / RDS.34: database logs are published to CloudWatch Logs.",
    [T.rdsInstance, T.rdsCluster],
    (p, report) => {
        if (list(p.enabledCloudwatchLogsExports).length === 0) report("enabledCloudwatchLogsExports must list the engine's logs");
    },
);

const WORLD = ["0.0.0.0/0", "::/0"];
const WEB_PORTS = [80, 443];

/** Every ingress a security group (inline or standalone rule) opens to the whole internet. */
function worldIngress(type: string, p: Props): { from: number; to: number; protocol: string }[] {
    const open: { from: number; to: number; protocol: string }[] = [];
    const add = (cidrs: unknown[], from: unknown, to: unknown, protocol: unknown) => {
        if (cidrs.some((c) => WORLD.includes(String(c)))) open.push({ from: Number(from ?? -1), to: Number(to ?? -1), protocol: String(protocol ?? "-1") });
    };
    if (type === T.sg) for (const rule of list<Props>(p.ingress)) add([...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)], rule.fromPort, rule.toPort, rule.protocol);
    if (type === T.sgIngress) add([p.cidrIpv4, p.cidrIpv6], p.fromPort, p.toPort, p.ipProtocol);
    if (type === T.sgRule && p.type === "ingress") add([...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)], p.fromPort, p.toPort, p.protocol);
    return open;
}

export const noWorldIngressButWeb = resourcePolicy(
    "ec2-18-only-web-ports-open-to-internet",
    "EC2.18 / EC2.19: nothing is open to the internet (0.0.0.0/0, ::/0) except HTTP and HTTPS (the load balancer's 80/443).",
    [T.sg, T.sgIngress, T.sgRule],
    (p, report, args) => {
        for (const r of worldIngress(args.type, p)) {
            const web = r.protocol === "tcp" && r.from === r.to && WEB_PORTS.includes(r.from);
            if (!web) report(`ingress ${r.protocol} ${r.from}-${r.to} is open to the internet; only tcp 80 and 443 may be`);
        }
    },
);

// ---------------------------------------------------------------------------------------------------
// Stack-level policies
// ---------------------------------------------------------------------------------------------------

function stackPolicy(name: string, description: string, validateStack: (args: StackValidationArgs, report: ReportViolation) => void): StackValidationPolicy {
    return { name, description, enforcementLevel: "mandatory", validateStack };
}

const ofType = (resources: readonly PolicyResource[], type: string) => resources.filter((r) => r.type === type);

export const httpRedirectsWhenTls = stackPolicy(
    "elb-1-http-redirects-to-https",
    "ELB.1: when a load balancer serves HTTPS, its HTTP listener only redirects to HTTPS.",
    ({ resources }, report) => {
        const listeners = ofType(resources, T.listener);
        const tlsLbs = new Set(listeners.filter((l) => l.props.protocol === "HTTPS").map((l) => String(l.props.loadBalancerArn)));
        for (const l of listeners) {
            if (l.props.protocol !== "HTTP" || !tlsLbs.has(String(l.props.loadBalancerArn))) continue;
            const actions = list<Props>(l.props.defaultActions);
            const redirects = actions.length > 0 && actions.every((a) => a.type === "redirect" && obj(a.redirect).protocol === "HTTPS");
            if (!redirects) report(`HTTP listener ${l.name} must redirect to HTTPS`, l.urn);
        }
    },
);

export const everyAsgScales = stackPolicy(
    "ecomm-every-asg-has-scaling-policy",
    "Every Auto Scaling group has at least one scaling policy, so capacity follows demand.",
    ({ resources }, report) => {
        const scaled = new Set(ofType(resources, T.scalingPolicy).map((p) => String(p.props.autoscalingGroupName)));
        for (const asg of ofType(resources, T.asg)) {
            const name = asg.props.name;
            if (name === undefined) continue; // unknown at preview
            if (!scaled.has(String(name))) report(`Auto Scaling group ${asg.name} has no scaling policy`, asg.urn);
        }
    },
);

export const everyTargetGroupAlarmed = stackPolicy(
    "ecomm-every-target-group-has-alarm",
    "Every target group has a CloudWatch alarm on its health, so a failing service pages someone.",
    ({ resources }, report) => {
        const alarmed = new Set(ofType(resources, T.alarm).flatMap((a) => {
            const dims = [obj(a.props.dimensions), ...list<Props>(a.props.metricQueries).map((q) => obj(obj(obj(q.metric)).dimensions))];
            return dims.map((d) => String(d.TargetGroup ?? ""));
        }));
        for (const tg of ofType(resources, T.targetGroup)) {
            const suffix = tg.props.arnSuffix;
            if (suffix === undefined) continue; // unknown at preview
            if (!alarmed.has(String(suffix))) report(`target group ${tg.name} has no alarm on its health`, tg.urn);
        }
    },
);

export const bucketsLogAccess = stackPolicy(
    "s3-9-server-access-logging",
    "S3.9: every bucket has server access logging, except a bucket that is itself the target of another bucket's server access logs (it cannot log to itself without a loop, and logging it elsewhere only moves the exception to the next bucket; its objects are written by S3's log delivery alone).",
    ({ resources }, report) => {
        const loggings = ofType(resources, T.bucketLogging);
        const logged = new Set(loggings.map((l) => String(l.props.bucket)));
        const targets = new Set(loggings.map((l) => String(l.props.targetBucket)));
        for (const b of ofType(resources, T.bucket)) {
            const id = b.props.bucket;
            if (id === undefined) continue; // unknown at preview
            if (loggings.some((l) => l.props.bucket === l.props.targetBucket && String(l.props.bucket) === String(id)))
                report(`bucket ${b.name} logs its server access to itself`, b.urn);
            else if (!logged.has(String(id)) && !targets.has(String(id))) report(`bucket ${b.name} has no server access logging`, b.urn);
        }
    },
);

export const resourcePolicies: ResourceValidationPolicy[] = [
    albDropsInvalidHeaders,
    albDeletionProtection,
    albAccessLogs,
    launchTemplateImdsv2,
    launchTemplateEncryptedVolumes,
    launchTemplateNoPublicIp,
    launchTemplateNoKeyPair,
    asgMultipleAzs,
    asgElbHealthChecks,
    asgLaunchTemplatePinned,
    rdsEncrypted,
    rdsNotPublic,
    rdsMultiAz,
    rdsBackups,
    rdsDeletionProtection,
    rdsIamAuth,
    rdsLogExports,
    noWorldIngressButWeb,
];

export const stackPolicies: StackValidationPolicy[] = [httpRedirectsWhenTls, everyAsgScales, everyTargetGroupAlarmed, bucketsLogAccess];

export const allPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [...resourcePolicies, ...stackPolicies];
