/**
 * Typed views over the recorded resource graph: the scorecard, the cost estimate and the diagram read
 * the resources the program actually registered (inputs and computed state), never a second copy of the
 * config logic.
 */
import type { RecordedResource } from "../recorded";

export const TYPES = {
    vpc: "awsx:ec2:Vpc",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    asg: "aws:autoscaling/group:Group",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    flowLog: "aws:ec2/flowLog:FlowLog",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    kmsKey: "aws:kms/key:Key",
    bucket: "aws:s3/bucket:Bucket",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    topic: "aws:sns/topic:Topic",
    fis: "aws:fis/experimentTemplate:ExperimentTemplate",
    webTier: "ecomm:web:WebTierComponent",
    service: "ecomm:web:ServiceComponent",
} as const;

export type Props = Record<string, unknown>;

/** A resource's inputs overlaid with its computed state (what the provider would report). */
export function props(r: RecordedResource): Props {
    return { ...r.inputs, ...r.state };
}

export const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const arr = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const rec = (v: unknown): Props => (v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});

export class Graph {
    constructor(readonly resources: readonly RecordedResource[]) {}

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The resource whose computed `key` (e.g. `arn`, `id`, `name`) equals `value`. */
    byState(type: string, key: string, value: unknown): RecordedResource | undefined {
        return this.ofType(type).find((r) => r.state[key] === value || (key === "id" && r.id === value));
    }

    /**
     * The service a resource belongs to, from the service components the program registered: a
     * ServiceComponent `web-admin` names its children `web-admin-…`, and the tier names the service's target
     * group and rule `web-admin-tg`, `web-admin-rule` (`web-admin-asg` → `admin`). Its own name otherwise.
     */
    serviceOf(r: RecordedResource): string {
        const { tier, components } = this.serviceComponents();
        const owner = components.find((n) => r.name === n || r.name.startsWith(`${n}-`));
        return tier !== undefined && owner ? owner.slice(tier.length + 1) : r.name;
    }

    private services?: { readonly tier?: string; readonly components: readonly string[] };

    /** The web tier's name and its ServiceComponents' names, longest first (so `web-admin2` wins over `web-admin`). */
    private serviceComponents(): { readonly tier?: string; readonly components: readonly string[] } {
        if (!this.services) {
            const tier = this.ofType(TYPES.webTier)[0]?.name;
            const components =
                tier === undefined
                    ? []
                    : this.ofType(TYPES.service)
                          .map((c) => c.name)
                          .filter((n) => n.startsWith(`${tier}-`))
                          .sort((a, b) => b.length - a.length);
            this.services = { tier, components };
        }
        return this.services;
    }

    /** The target groups an ASG registers its instances with. */
    targetGroupsOf(asg: RecordedResource): RecordedResource[] {
        const arns = arr(asg.inputs.targetGroupArns);
        return this.ofType(TYPES.targetGroup).filter((tg) => arns.includes(tg.state.arn));
    }

    /** The launch template an ASG launches from. */
    launchTemplateOf(asg: RecordedResource): RecordedResource | undefined {
        const spec = rec(asg.inputs.launchTemplate);
        const mixed = rec(rec(rec(asg.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification);
        const id = spec.id ?? mixed.launchTemplateId;
        return this.byState(TYPES.launchTemplate, "id", id);
    }

    /** Scaling policies attached to an ASG. */
    policiesOf(asg: RecordedResource): RecordedResource[] {
        return this.ofType(TYPES.scalingPolicy).filter((p) => p.inputs.autoscalingGroupName === asg.state.name);
    }

    /** The alarm that triggers a step-scaling policy. */
    alarmTriggering(policy: RecordedResource): RecordedResource | undefined {
        return this.ofType(TYPES.alarm).find((a) => arr(a.inputs.alarmActions).includes(policy.state.arn));
    }

    /** The awsx VPC's synthesized outputs. */
    vpc(): RecordedResource | undefined {
        return this.ofType(TYPES.vpc)[0];
    }
}
