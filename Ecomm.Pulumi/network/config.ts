/**
 * `ecomm:network`: the VPC's range, its AZs, NAT and flow logs, with the defaults per environment.
 */
import { z } from "zod";
import { bool, int, logRetentionDays, oneOf, strict } from "../config/fields";
import type { Environment, PerEnvironment } from "../config/environments";
import { AZ_NAME, repeatedZoneProblem } from "./availability-zones";
import { parseCidr } from "./subnets";

/** `perAz`: one NAT gateway per AZ (survives an AZ loss); `single`: one, cheaper; `none`: no egress. */
export const NAT_STRATEGIES = ["perAz", "single", "none"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

export interface NetworkDefaults {
    readonly cidrBlock: string;
    readonly availabilityZones: number;
    readonly natGateways: NatStrategy;
    readonly flowLogRetentionDays: number;
}

export const NETWORK_DEFAULTS: PerEnvironment<NetworkDefaults> = {
    dev: { cidrBlock: "10.10.0.0/16", availabilityZones: 2, natGateways: "single", flowLogRetentionDays: 14 },
    prod: { cidrBlock: "10.20.0.0/16", availabilityZones: 3, natGateways: "perAz", flowLogRetentionDays: 90 },
};

/** What is wrong with a VPC CIDR block, if anything. */
export function cidrProblem(value: string): string | undefined {
    const cidr = parseCidr(value);
    if (!cidr) return "must be an IPv4 CIDR block such as 10.0.0.0/16";
    if (cidr.prefix < 16 || cidr.prefix > 20) return "must have a prefix from /16 to /20 (room for 3 subnet tiers in up to 6 AZs)";
    if (!cidr.aligned) return `has host bits set; did you mean ${cidr.network}/${cidr.prefix}?`;
    if (!cidr.private) return "must be a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)";
    return undefined;
}

export function networkSchema(env: Environment) {
    const d = NETWORK_DEFAULTS[env];
    return strict({
        /** The VPC's IPv4 range: a private (RFC 1918) block from /16 to /20. */
        cidrBlock: z
            .string({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" })
            .default(d.cidrBlock)
            .superRefine((value, ctx) => {
                const problem = cidrProblem(value);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            }),
        /** How many AZs to spread over (2–6); the first N the region offers unless pinned. */
        availabilityZones: int(2, 6).default(d.availabilityZones),
        /** Pinned AZ names; their count must equal `availabilityZones`. */
        availabilityZoneNames: z
            .array(
                z.string().regex(AZ_NAME, {
                    error: "must be an availability zone name such as us-east-1a (Local Zones and Wavelength Zones are not Availability Zones)",
                }),
                { error: "must be a list of availability zone names" },
            )
            .optional(),
        /** `perAz`: one NAT gateway per AZ (survives an AZ loss); `single`: one, cheaper; `none`: no egress. */
        natGateways: oneOf(NAT_STRATEGIES).default(d.natGateways),
        flowLogs: strict({
            enabled: bool().default(true),
            retentionDays: logRetentionDays().default(d.flowLogRetentionDays),
        }).prefault({}),
    })
        .prefault({})
        .superRefine((n, ctx) => {
            const names = n.availabilityZoneNames;
            if (names === undefined) return;
            if (names.length !== n.availabilityZones) {
                ctx.addIssue({
                    code: "custom",
                    path: ["availabilityZoneNames"],
                    input: names,
                    message: `must list exactly availabilityZones (${n.availabilityZones}) names`,
                });
            }
            const repeated = repeatedZoneProblem(names);
            if (repeated) ctx.addIssue({ code: "custom", path: ["availabilityZoneNames"], input: names, message: repeated });
        });
}

export type NetworkConfig = z.output<ReturnType<typeof networkSchema>>;
