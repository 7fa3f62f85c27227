import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { contains, overlaps, parseCidr, planSubnets, usableAddresses } from "../Ecomm.Pulumi/network/subnets";

describe("planSubnets (table)", () => {
    it("lays out a /16 over 3 AZs", () => {
        assert.deepEqual(planSubnets("10.20.0.0/16", 3), {
            private: ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
            public: ["10.20.192.0/22", "10.20.196.0/22", "10.20.200.0/22"],
            isolated: ["10.20.224.0/22", "10.20.228.0/22", "10.20.232.0/22"],
        });
    });
    it("lays out a /20 over 2 AZs with subnets still large enough for an ALB (/27 or bigger)", () => {
        const plan = planSubnets("172.16.16.0/20", 2);
        assert.deepEqual(plan.private, ["172.16.16.0/23", "172.16.18.0/23"]);
        assert.deepEqual(plan.public, ["172.16.28.0/26", "172.16.28.64/26"]);
        assert.deepEqual(plan.isolated, ["172.16.30.0/26", "172.16.30.64/26"]);
        assert.equal(usableAddresses(plan.public[0]), 59);
    });
    it("keeps existing subnets when an AZ is added", () => {
        const two = planSubnets("10.0.0.0/16", 2);
        const three = planSubnets("10.0.0.0/16", 3);
        for (const tier of ["public", "private", "isolated"] as const) assert.deepEqual(three[tier].slice(0, 2), two[tier]);
    });
    it("refuses what it cannot lay out", () => {
        assert.throws(() => planSubnets("10.0.0.0/21", 2), /outside \/16–\/20/);
        assert.throws(() => planSubnets("10.0.0.1/16", 2), /not an aligned/);
        assert.throws(() => planSubnets("10.0.0.0/16", 7), /outside 1–6/);
    });
});

describe("parseCidr", () => {
    it("parses, aligns and classifies", () => {
        assert.deepEqual(parseCidr("10.1.2.3/16"), { base: parseCidr("10.1.0.0/16")!.base, prefix: 16, network: "10.1.0.0", aligned: false, private: true });
        assert.equal(parseCidr("172.32.0.0/16")?.private, false);
        assert.equal(parseCidr("192.168.0.0/16")?.private, true);
        assert.equal(parseCidr("256.0.0.0/16"), undefined);
        assert.equal(parseCidr("10.0.0.0/33"), undefined);
        assert.equal(parseCidr("10.0.0/16"), undefined);
    });
});

describe("planSubnets (properties)", () => {
    const vpc = fc
        .record({ a: fc.constantFrom(10, 172, 192), b: fc.integer({ min: 0, max: 255 }), prefix: fc.integer({ min: 16, max: 20 }) })
        .map(({ a, b, prefix }) => {
            const second = a === 172 ? 16 + (b % 16) : a === 192 ? 168 : b;
            const third = prefix > 16 ? (b << (prefix - 16)) & 0xff & (0xff << (24 - prefix)) : 0;
            return `${a}.${second}.${third}.0/${prefix}`;
        });
    const azs = fc.integer({ min: 1, max: 6 });

    it("no two subnets overlap, all lie inside the VPC, one per AZ per tier", () => {
        fc.assert(
            fc.property(vpc, azs, (cidr, n) => {
                const plan = planSubnets(cidr, n);
                const all = [...plan.public, ...plan.private, ...plan.isolated];
                assert.equal(all.length, 3 * n);
                for (const s of all) assert.ok(contains(cidr, s), `${s} outside ${cidr}`);
                for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]), `${all[i]} overlaps ${all[j]}`);
            }),
            { numRuns: 300 },
        );
    });

    it("private subnets are the largest tier and every subnet fits an ALB or RDS (>= 27 usable)", () => {
        fc.assert(
            fc.property(vpc, azs, (cidr, n) => {
                const plan = planSubnets(cidr, n);
                assert.ok(usableAddresses(plan.private[0]) > usableAddresses(plan.public[0]));
                for (const s of [...plan.public, ...plan.isolated]) assert.ok(usableAddresses(s) >= 27, s);
            }),
            { numRuns: 200 },
        );
    });
});
