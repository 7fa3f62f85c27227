/**
 * The resources whose replacement loses data or costs an outage. Every resource's real URN is frozen
 * (`./urn-freeze.ts`); these types are the ones the freeze must never lose, and the ones prod protects.
 */
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
