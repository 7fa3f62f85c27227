/**
 * The bad-input table: each case breaks one rule of the config schema in a real stack file, names the
 * full key the error must name and a fragment of what is allowed. config.test.ts checks the parser's
 * message; refusal.test.ts checks that the program refuses each before registering any resource.
 */

/** The stack file's raw map with one key's JSON object patched (shallow per level). */
export function withPatch(raw: Record<string, string>, key: string, patch: Record<string, unknown>): Record<string, string> {
    const base = raw[key] === undefined ? {} : (JSON.parse(raw[key]) as Record<string, unknown>);
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
        merged[k] = v && typeof v === "object" && !Array.isArray(v) && typeof base[k] === "object" ? { ...(base[k] as object), ...v } : v;
    }
    return { ...raw, [key]: JSON.stringify(merged) };
}

/**
 * [what, stack, key patch, the full key the message must name, a fragment of what is allowed, options].
 * `realEngine`: the refusal happens under the real engine only; offline, the missing value is stood in.
 */
export type Case = [string, "dev" | "prod", (raw: Record<string, string>) => Record<string, string>, string, string, CaseOptions?];
export interface CaseOptions {
    readonly realEngine?: boolean;
}
const patch = (key: string, p: Record<string, unknown>) => (raw: Record<string, string>) => withPatch(raw, key, p);
/** MySQL cases bring their own app (the storefront speaks PostgreSQL only and would add its own problem). */
const mysql = (p: Record<string, unknown>) => (raw: Record<string, string>) => ({ ...withPatch(raw, "ecomm:database", p), "ecomm:app": JSON.stringify({ source: "none" }) });
const set = (key: string, value: string | undefined) => (raw: Record<string, string>) => {
    const out = { ...raw };
    if (value === undefined) delete out[key];
    else out[key] = value;
    return out;
};

export const CASES: Case[] = [
    ["environment missing", "dev", set("ecomm:environment", undefined), "ecomm:environment", "dev | prod"],
    ["environment not an enum value", "dev", set("ecomm:environment", "staging"), "ecomm:environment", "dev | prod"],
    ["unknown top-level key (typo)", "dev", set("ecomm:netwrok", "{}"), "ecomm:netwrok", "allowed keys"],
    ["unknown nested key (typo)", "dev", patch("ecomm:frontend", { minSzie: 2 }), "ecomm:frontend.minSzie", "allowed keys"],
    ["structured key that is not JSON", "dev", set("ecomm:network", "{not json"), "ecomm:network", "object"],
    ["CIDR not a CIDR", "dev", patch("ecomm:network", { cidrBlock: "10.0.0.0" }), "ecomm:network.cidrBlock", "IPv4 CIDR"],
    ["CIDR prefix too small", "dev", patch("ecomm:network", { cidrBlock: "10.0.0.0/24" }), "ecomm:network.cidrBlock", "/16 to /20"],
    ["CIDR with host bits", "dev", patch("ecomm:network", { cidrBlock: "10.0.1.0/16" }), "ecomm:network.cidrBlock", "10.0.0.0/16"],
    ["CIDR public range", "dev", patch("ecomm:network", { cidrBlock: "8.8.0.0/16" }), "ecomm:network.cidrBlock", "private range"],
    ["AZ count out of range", "dev", patch("ecomm:network", { availabilityZones: 7 }), "ecomm:network.availabilityZones", "2 to 6"],
    ["NAT strategy not an enum value", "dev", patch("ecomm:network", { natGateways: "two" }), "ecomm:network.natGateways", "perAz | single | none"],
    ["flow-log retention not a CloudWatch value", "dev", patch("ecomm:network", { flowLogs: { retentionDays: 10 } }), "ecomm:network.flowLogs.retentionDays", "14"],
    ["pinned AZ name malformed", "dev", patch("ecomm:network", { availabilityZoneNames: ["us-east-1", "us-east-1b"] }), "ecomm:network.availabilityZoneNames[0]", "us-east-1a"],
    ["minSize above maxSize", "dev", patch("ecomm:frontend", { minSize: 3, maxSize: 2, desiredCapacity: 2 }), "ecomm:frontend.minSize", "maxSize (2)"],
    ["desired outside bounds", "dev", patch("ecomm:backend", { desiredCapacity: 5 }), "ecomm:backend.desiredCapacity", "between minSize (1) and maxSize (2)"],
    ["instance type malformed", "dev", patch("ecomm:frontend", { instanceType: "large" }), "ecomm:frontend.instanceType", "t4g.small"],
    ["AMI id malformed", "dev", patch("ecomm:backend", { ami: "ami-123" }), "ecomm:backend.ami", "ami-0123456789abcdef0"],
    ["prod AMI not pinned", "prod", patch("ecomm:frontend", { ami: undefined }), "ecomm:frontend.ami", "pinned AMI id", { realEngine: true }],
    ["grace period shorter than a cold boot", "dev", patch("ecomm:backend", { healthCheckGracePeriodSeconds: 120 }), "ecomm:backend.healthCheckGracePeriodSeconds", "at least 180"],
    ["WAF mode not an enum value", "prod", patch("ecomm:loadBalancer", { wafMode: "detect" }), "ecomm:loadBalancer.wafMode", "block | count"],
    ["WAF count mode without a web ACL", "dev", patch("ecomm:loadBalancer", { wafMode: "count" }), "ecomm:loadBalancer.wafMode", "set ecomm:loadBalancer.waf to true"],
    ["health-check path without slash", "dev", patch("ecomm:frontend", { healthCheckPath: "health" }), "ecomm:frontend.healthCheckPath", "starting with /"],
    ["health-check timeout not below interval", "dev", patch("ecomm:frontend", { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }), "ecomm:frontend.healthCheck.timeoutSeconds", "less than healthCheck.intervalSeconds (5)"],
    ["port not a number", "dev", patch("ecomm:frontend", { port: "eighty" }), "ecomm:frontend.port", "1 to 65535"],
    ["prod service min below 2", "prod", patch("ecomm:frontend", { minSize: 1, desiredCapacity: 1 }), "ecomm:frontend.minSize", ">= 2 in prod"],
    ["prod single-AZ database", "prod", patch("ecomm:database", { mode: "single-az" }), "ecomm:database.mode", "Multi-AZ"],
    ["backup retention above 35", "dev", patch("ecomm:database", { backupRetentionDays: 36 }), "ecomm:database.backupRetentionDays", "0 to 35"],
    ["prod backup retention below 7", "prod", patch("ecomm:database", { backupRetentionDays: 3 }), "ecomm:database.backupRetentionDays", "7 to 35 in prod"],
    ["storage max below allocated", "dev", patch("ecomm:database", { allocatedStorageGb: 200, maxAllocatedStorageGb: 100 }), "ecomm:database.maxAllocatedStorageGb", "allocatedStorageGb (200)"],
    ["engine/mode pair unsupported", "dev", mysql({ mode: "aurora", engine: "mysql", engineVersion: "8.4.3" }), "ecomm:database.engineVersion", "supported major versions"],
    ["cluster class without local storage", "dev", patch("ecomm:database", { mode: "multi-az-cluster", allocatedStorageGb: 100, instanceClass: "db.m7g.large" }), "ecomm:database.instanceClass", "local NVMe"],
    ["overlapping windows", "dev", patch("ecomm:database", { backupWindow: "05:30-06:30", maintenanceWindow: "sun:05:00-sun:06:00" }), "ecomm:database.maintenanceWindow", "overlap"],
    ["alarm email malformed", "dev", patch("ecomm:monitoring", { alarmEmails: ["oncall"] }), "ecomm:monitoring.alarmEmails[0]", "email address"],
    ["certificate ARN malformed", "dev", set("ecomm:certificateArn", "arn:aws:iam::123:cert"), "ecomm:certificateArn", "ACM certificate ARN"],
    ["prod without certificate", "prod", set("ecomm:certificateArn", undefined), "ecomm:certificateArn", "required in prod", { realEngine: true }],
    ["prod without an on-call address", "prod", patch("ecomm:monitoring", { alarmEmails: [] }), "ecomm:monitoring.alarmEmails", "at least one address in prod", { realEngine: true }],
    ["certificate in another region than aws:region", "prod", set("ecomm:certificateArn", "arn:aws:acm:eu-west-1:210987654321:certificate/8e4f2a3b-1c5d-4e6f-9a7b-2c3d4e5f6a7b"), "ecomm:certificateArn", "in aws:region (us-east-1), not eu-west-1"],
    ["pinned AZ of another region", "dev", patch("ecomm:network", { availabilityZoneNames: ["eu-west-1a", "eu-west-1b"] }), "ecomm:network.availabilityZoneNames[0]", "Availability Zone of aws:region (us-east-1)"],
    ["pinned AZ that is a Local Zone", "dev", patch("ecomm:network", { availabilityZoneNames: ["us-east-1a", "us-east-1-bos-1a"] }), "ecomm:network.availabilityZoneNames[1]", "Local Zones and Wavelength Zones are not"],
    ["resilience target AZ of another region", "dev", patch("ecomm:resilience", { targetAvailabilityZone: "us-west-2a" }), "ecomm:resilience.targetAvailabilityZone", "Availability Zone of aws:region (us-east-1)"],
    ["tag key with the reserved aws: prefix", "dev", set("ecomm:tags", JSON.stringify({ "aws:team": "shop" })), "ecomm:tags.aws:team", 'must not start with "aws:"'],
    ["tag key with the reserved prefix in upper case", "dev", set("ecomm:tags", JSON.stringify({ "AWS:Team": "shop" })), "ecomm:tags.AWS:Team", 'must not start with "aws:"'],
    ["tag key over 128 characters", "dev", set("ecomm:tags", JSON.stringify({ ["k".repeat(129)]: "v" })), `ecomm:tags.${"k".repeat(129)}`, "1–128 characters"],
    ["tag value with a character AWS refuses", "dev", set("ecomm:tags", JSON.stringify({ Owner: "shop|payments" })), "ecomm:tags.Owner", "only letters, digits, spaces and _.:/=+-@"],
    ["tag value with the reserved aws: prefix", "dev", set("ecomm:tags", JSON.stringify({ Owner: "aws:shop" })), "ecomm:tags.Owner", 'must not start with "aws:"'],
    ["user tag a default tag of the program overwrites", "dev", set("ecomm:tags", JSON.stringify({ Project: "shop" })), "ecomm:tags.Project", "the program sets on every resource"],
    ["user tag a resource's own tag overwrites", "dev", set("ecomm:tags", JSON.stringify({ Name: "shop" })), "ecomm:tags.Name", "some resources set themselves"],
    ["more user tags than fit beside the program's", "dev", set("ecomm:tags", JSON.stringify(Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`Tag${i}`, "x"])))), "ecomm:tags", "at most 44 tags"],
    ["aws:defaultTags, which the program's provider ignores", "dev", set("aws:defaultTags", JSON.stringify({ tags: { Team: "shop" } })), "aws:defaultTags", "put extra tags in ecomm:tags"],
    ["CPU stress below the scaling target", "dev", patch("ecomm:resilience", { cpuStressPercent: 40 }), "ecomm:resilience.cpuStressPercent", "above ecomm:backend.scaling.cpuTargetPercent (50)"],
    ["CPU stress at the scaling target", "dev", (raw) => withPatch(withPatch(raw, "ecomm:backend", { scaling: { cpuTargetPercent: 70 } }), "ecomm:resilience", { cpuStressPercent: 70 }), "ecomm:resilience.cpuStressPercent", "above ecomm:backend.scaling.cpuTargetPercent (70)"],
    ["prod without NAT", "prod", patch("ecomm:network", { natGateways: "none" }), "ecomm:network.natGateways", "perAz or single in prod"],
    ["prod flow logs off", "prod", patch("ecomm:network", { flowLogs: { enabled: false } }), "ecomm:network.flowLogs.enabled", "must be true in prod"],
    ["prod database deletion protection off", "prod", patch("ecomm:database", { deletionProtection: false }), "ecomm:database.deletionProtection", "must be true in prod"],
    ["load-balancer idle timeout out of range", "dev", patch("ecomm:loadBalancer", { idleTimeoutSeconds: 0 }), "ecomm:loadBalancer.idleTimeoutSeconds", "1 to 4000"],
    ["unknown load-balancer key", "dev", patch("ecomm:loadBalancer", { wafEnabled: true }), "ecomm:loadBalancer.wafEnabled", "allowed keys"],
    ["negative alarm threshold", "dev", patch("ecomm:monitoring", { thresholds: { elb5xxCount: -1 } }), "ecomm:monitoring.thresholds.elb5xxCount", "1 to 1000000"],
    ["tag value too long", "dev", set("ecomm:tags", JSON.stringify({ CostCenter: "x".repeat(300) })), "ecomm:tags.CostCenter", "at most 256"],
    ["boolean given as a string", "dev", patch("ecomm:loadBalancer", { waf: "yes" }), "ecomm:loadBalancer.waf", "true or false"],
    ["backend path pattern malformed", "dev", patch("ecomm:backend", { pathPatterns: ["api/*"] }), "ecomm:backend.pathPatterns[0]", "/api/*"],
    ["backup replica in the stack's own region", "prod", patch("ecomm:database", { backupReplicationRegion: "us-east-1" }), "ecomm:database.backupReplicationRegion", "another region than aws:region (us-east-1)"],
    ["pinned AZ count differs from availabilityZones", "dev", patch("ecomm:network", { availabilityZones: 2, availabilityZoneNames: ["us-east-1a", "us-east-1b", "us-east-1c"] }), "ecomm:network.availabilityZoneNames", "exactly availabilityZones (2)"],
    ["engine version pins a minor while automatic minor upgrades are on", "dev", patch("ecomm:database", { engineVersion: "17.7" }), "ecomm:database.engineVersion", "the major version only, e.g. 17"],
    ["Aurora MySQL version pinned while automatic minor upgrades are on", "dev", mysql({ mode: "aurora", engine: "mysql", engineVersion: "8.0.mysql_aurora.3.10.0", instanceClass: "db.t4g.medium" }), "ecomm:database.engineVersion", "the major version only, e.g. 8.0"],
    ["deprecated PostgreSQL minor pinned", "dev", patch("ecomm:database", { engineVersion: "16.8", autoMinorVersionUpgrade: false }), "ecomm:database.engineVersion", "RDS stopped creating 16.5–16.8 on 2026-05-01"],
    ["engine version not of the engine's form", "dev", patch("ecomm:database", { engineVersion: "17.7.1", autoMinorVersionUpgrade: false }), "ecomm:database.engineVersion", "a full version such as 17.7"],
    ["major upgrade switch without applyImmediately", "prod", patch("ecomm:database", { allowMajorVersionUpgrade: true }), "ecomm:database.applyImmediately", "must be true while allowMajorVersionUpgrade is true"],
    ["pinned AZ repeated", "dev", patch("ecomm:network", { availabilityZones: 2, availabilityZoneNames: ["us-east-1a", "us-east-1a"] }), "ecomm:network.availabilityZoneNames", "must not repeat"],
];

