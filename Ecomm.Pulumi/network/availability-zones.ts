/**
 * Availability Zone rules, pure: which names are AZs of a region, and which AZs the stack uses.
 *
 * An AZ's name is its region's name followed by one letter (`us-east-1a`). Local Zones
 * (`us-east-1-bos-1a`) and Wavelength Zones (`us-east-1-wl1-bos-wlz-1`) carry the parent region's name
 * too, but are not AZs: they are opt-in, offer a subset of services and instance types (no Multi-AZ RDS,
 * no NAT gateway in many), and this stack's one-subnet-per-tier-per-AZ layout assumes full AZs.
 *
 * The stack's AZ list has one source: the program picks it (pinned names, or the first N AZs of the
 * region that are `available` and need no opt-in) and hands the names to awsx, the outputs and the FIS
 * experiments alike. awsx's own default (`numberOfAvailabilityZones`) would take the first N of an
 * unfiltered DescribeAvailabilityZones, which includes impaired AZs and opted-in Local Zones.
 */

/** An AZ name of some region: `us-east-1a`, `us-gov-west-1b`, `ap-southeast-3c`. */
export const AZ_NAME = /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/;

/** Whether `name` is an Availability Zone of `region` (its name plus one letter). */
export function isZoneOfRegion(name: string, region: string): boolean {
    return name.length === region.length + 1 && name.startsWith(region) && /^[a-z]$/.test(name.slice(-1));
}

/** What is allowed for an AZ name in `region`. */
export function zoneOfRegionRule(region: string): string {
    return `must be an Availability Zone of aws:region (${region}): ${region} followed by one letter, such as ${region}a (Local Zones and Wavelength Zones are not Availability Zones)`;
}

/**
 * The stack's AZs from the region's list (the names DescribeAvailabilityZones returned for
 * state=available, opt-in-status=opt-in-not-required, sorted by name): the first `count` that are AZs of
 * `region`. Undefined when the region has fewer.
 */
export function chooseAvailabilityZones(names: readonly string[], region: string, count: number): string[] | undefined {
    const zones = [...names].filter((n) => isZoneOfRegion(n, region)).sort();
    return zones.length >= count ? zones.slice(0, count) : undefined;
}

/** Why `target` cannot be the resilience experiments' AZ, if it cannot. */
export function targetZoneProblem(target: string, zones: readonly string[], source: string): string | undefined {
    return zones.includes(target) ? undefined : `must be one of the VPC's availability zones (${source}): ${zones.join(", ")}`;
}

/** Why a list of AZ names cannot be the stack's, if it cannot: an AZ twice. */
export function repeatedZoneProblem(names: readonly string[]): string | undefined {
    return new Set(names).size === names.length ? undefined : "must not repeat an availability zone";
}

/** The AZ settings of `ecomm:network`. */
export interface AvailabilityZoneSettings {
    readonly availabilityZones: number;
    readonly availabilityZoneNames?: readonly string[];
}

/** The one AZ resolution rule, by count: pinned names win over the count (the schema makes them agree). */
export function availabilityZoneCount(n: AvailabilityZoneSettings): number {
    return n.availabilityZoneNames?.length ?? n.availabilityZones;
}


/**
 * The stack's AZs by the one rule: the pinned names when there are any (the region is not asked), else the
 * first `availabilityZoneCount` AZs of the region's list (`chooseAvailabilityZones`). Undefined when the
 * region has fewer. `lookUp` answers the region's available, no-opt-in zone names (an invoke).
 */
export async function resolveAvailabilityZoneNames(
    n: AvailabilityZoneSettings,
    region: string,
    lookUp: () => Promise<readonly string[]>,
): Promise<string[] | undefined> {
    if (n.availabilityZoneNames) return [...n.availabilityZoneNames];
    return chooseAvailabilityZones(await lookUp(), region, availabilityZoneCount(n));
}
