/**
 * The resources whose replacement loses data or costs an outage: their URNs are frozen per stack in
 * `Ecomm.Pulumi.Tests/__snapshots__/stateful-urns.json`. A refactor that changes one must add an
 * `aliases` entry (so Pulumi moves state instead of replacing), or update the snapshot on purpose with
 * `npm run snapshot:update`.
 */
import type { RecordedResource } from "./mocks";

export const STATEFUL_TYPES: readonly string[] = [
    "awsx:ec2:Vpc",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:kms/key:Key",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:s3/bucket:Bucket",
    "aws:sns/topic:Topic",
];

export function statefulUrns(resources: readonly RecordedResource[]): string[] {
    return resources.filter((r) => STATEFUL_TYPES.includes(r.type)).map((r) => r.urn).sort();
}
