/**
 * Pure subnet arithmetic for the VPC: no Pulumi, no AWS, tested with table and property tests.
 *
 * Layout of a VPC of prefix /p, in eighths (/p+3):
 * - eighths 0..5: one private (app) subnet per AZ, /p+3 each: where the instances live, so the largest;
 * - eighth 6: split into eight /p+6 public subnets (ALB nodes and NAT gateways need few addresses);
 * - eighth 7: split into eight /p+6 isolated (database) subnets.
 * With a /16 that is a /19 (8,187 usable addresses) private and a /22 (1,019) public and isolated subnet
 * per AZ; with a /20, /23 and /26 (59 usable, above the ALB's minimum of /27 with 8 free addresses).
 * AZ i always gets the i-th block of each tier, so adding an AZ never moves an existing subnet.
 */

export const MAX_AZS = 6;

export interface Cidr {
    /** The address as a 32-bit unsigned number. */
    readonly base: number;
    readonly prefix: number;
    /** The network address with host bits cleared, dotted. */
    readonly network: string;
    /** Whether the host bits were already zero. */
    readonly aligned: boolean;
    /** Whether the block lies inside an RFC 1918 range. */
    readonly private: boolean;
}

export interface SubnetPlan {
    readonly public: readonly string[];
    readonly private: readonly string[];
    readonly isolated: readonly string[];
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

const RFC1918: readonly [number, number][] = [
    [toNumber([10, 0, 0, 0]), 8],
    [toNumber([172, 16, 0, 0]), 12],
    [toNumber([192, 168, 0, 0]), 16],
];

function toNumber(octets: readonly number[]): number {
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function formatIp(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/p`; undefined when it is not a well-formed IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
    const m = IPV4_CIDR.exec(text);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = toNumber(octets);
    const network = (base & mask(prefix)) >>> 0;
    const inside = RFC1918.some(([net, p]) => prefix >= p && ((network & mask(p)) >>> 0) === net);
    return { base: network, prefix, network: formatIp(network), aligned: network === base, private: inside };
}

/** The `index`-th block of prefix `childPrefix` inside `parent`. */
function block(parent: Cidr, childPrefix: number, index: number): string {
    const size = 2 ** (32 - childPrefix);
    return `${formatIp(parent.base + index * size)}/${childPrefix}`;
}

/** The subnets of every tier for `azCount` AZs inside `vpcCidr` (see the layout above). */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const vpc = parseCidr(vpcCidr);
    if (!vpc || !vpc.aligned) throw new Error(`planSubnets: ${vpcCidr} is not an aligned IPv4 CIDR block`);
    if (vpc.prefix > 20 || vpc.prefix < 16) throw new Error(`planSubnets: /${vpc.prefix} is outside /16–/20`);
    if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZS) {
        throw new Error(`planSubnets: ${azCount} AZs is outside 1–${MAX_AZS}`);
    }
    const eighth = vpc.prefix + 3;
    const small = vpc.prefix + 6;
    const publicArea = parseCidr(block(vpc, eighth, 6))!;
    const isolatedArea = parseCidr(block(vpc, eighth, 7))!;
    const azs = Array.from({ length: azCount }, (_, i) => i);
    return {
        private: azs.map((i) => block(vpc, eighth, i)),
        public: azs.map((i) => block(publicArea, small, i)),
        isolated: azs.map((i) => block(isolatedArea, small, i)),
    };
}

/** Usable addresses in a subnet: AWS reserves five in each. */
export function usableAddresses(cidr: string): number {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`usableAddresses: ${cidr} is not an IPv4 CIDR block`);
    return 2 ** (32 - c.prefix) - 5;
}

/** Whether two CIDR blocks share any address. */
export function overlaps(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    if (!x || !y) throw new Error(`overlaps: bad CIDR ${x ? b : a}`);
    const xEnd = x.base + 2 ** (32 - x.prefix);
    const yEnd = y.base + 2 ** (32 - y.prefix);
    return x.base < yEnd && y.base < xEnd;
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    if (!o || !i) throw new Error(`contains: bad CIDR`);
    return i.prefix >= o.prefix && i.base >= o.base && i.base + 2 ** (32 - i.prefix) <= o.base + 2 ** (32 - o.prefix);
}
