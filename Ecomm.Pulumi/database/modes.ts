/**
 * The database deployment modes and their families: which run a cluster, which have a standby, how many
 * DB instances and AZs each needs. The list itself is the output contract's (`Ecomm.Pulumi/outputs.ts`
 * `ECOMM_DATABASE_MODES`, `CLUSTER_MODES`): a consumer reads `dbMode` against the same list.
 */
import { CLUSTER_MODES, ECOMM_DATABASE_MODES } from "../outputs";

/** The database deployment modes: the output contract's list (`dbMode`) is the one definition. */
export const DATABASE_MODES = ECOMM_DATABASE_MODES;
export type DatabaseMode = (typeof DATABASE_MODES)[number];
/** The modes with a standby to fail over to: every mode but `single-az` (what prod and db-failover need). */
export const STANDBY_MODES: readonly DatabaseMode[] = DATABASE_MODES.filter((m) => m !== "single-az");

/** Whether the mode is an `aws.rds.Cluster` (Multi-AZ DB cluster or Aurora): the contract's `CLUSTER_MODES`. */
export function isClusterMode(mode: DatabaseMode): boolean {
    return (CLUSTER_MODES as readonly DatabaseMode[]).includes(mode);
}

/** Whether the mode runs on instances with EBS storage RDS can grow itself (storage autoscaling). */
export function isInstanceMode(mode: DatabaseMode): boolean {
    return !isClusterMode(mode);
}

/** Whether the mode has a standby to fail over to (`STANDBY_MODES`). */
export function hasStandby(mode: DatabaseMode): boolean {
    return STANDBY_MODES.includes(mode);
}

/**
 * How many DB instances, each with an identifier of its own, the mode runs: one in instance modes (a
 * Multi-AZ instance's standby has none), three in a Multi-AZ DB cluster, a writer plus `readerCount` in Aurora.
 */
export function instanceCount(mode: DatabaseMode, readerCount: number): number {
    if (mode === "multi-az-cluster") return 3;
    if (mode === "aurora") return readerCount + 1;
    return 1;
}

/** How many AZs the mode needs in its subnet group: one per DB instance, two for a Multi-AZ instance (its standby). */
export function requiredAvailabilityZones(mode: DatabaseMode, readerCount: number): number {
    return mode === "multi-az-instance" ? 2 : instanceCount(mode, readerCount);
}
