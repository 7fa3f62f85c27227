/**
 * Minimal component args shared by the tests that build a component directly: each test overrides what
 * it is about, so one fixture serves them all.
 */
import type { DatabaseComponentArgs } from "../Ecomm.Pulumi/database/database-component";

/** A Multi-AZ PostgreSQL instance in two AZs of us-east-1, no clients, no deletion protection. */
export function databaseArgs(overrides: Partial<DatabaseComponentArgs> = {}): DatabaseComponentArgs {
    return {
        mode: "multi-az-instance",
        engine: "postgres",
        engineVersion: "17",
        instanceClass: "db.m7g.large",
        allocatedStorageGb: 100,
        maxAllocatedStorageGb: 200,
        dbName: "shop",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        availabilityZones: ["us-east-1a", "us-east-1b"],
        availabilityZoneCount: 2,
        clientSecurityGroupIds: [],
        backupRetentionDays: 7,
        backupWindow: "03:00-04:00",
        maintenanceWindow: "sun:05:00-sun:06:00",
        deletionProtection: false,
        ...overrides,
    };
}
