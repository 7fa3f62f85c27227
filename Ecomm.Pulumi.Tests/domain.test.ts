import { describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { input, one, ofType, patched, refused, run, type RecordedResource, type StackRun } from "./harness";

const CERT = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const DOMAIN = { name: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };
/** The offline stand-in for prod's certificate, which its stack file leaves to its user. */
const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";

interface ValidationOption {
    readonly domainName: string;
    readonly resourceRecordName: string;
    readonly resourceRecordType: string;
    readonly resourceRecordValue: string;
}

describe("prod with ecomm:domain instead of ecomm:certificateArn", () => {
    let r: StackRun;
    let cert: RecordedResource;
    before(async () => {
        r = await run("prod", { "ecomm:certificateArn": undefined, "ecomm:domain": DOMAIN });
        cert = one(r, CERT, "domain-cert");
    });

    it("requests a DNS-validated ACM certificate for exactly the domain", () => {
        assert.equal(input(cert, "domainName"), "shop.example.com");
        assert.equal(input(cert, "validationMethod"), "DNS");
        assert.equal(input(cert, "subjectAlternativeNames"), undefined);
    });

    it("writes the validation record from the certificate's recorded domainValidationOptions[0]", () => {
        const option = (cert.state.domainValidationOptions as ValidationOption[])[0];
        const record = one(r, RECORD, "domain-cert-validation-record");
        assert.equal(input(record, "zoneId"), DOMAIN.hostedZoneId);
        assert.equal(input(record, "name"), option.resourceRecordName);
        assert.equal(input(record, "type"), option.resourceRecordType);
        assert.deepEqual(input(record, "records"), [option.resourceRecordValue]);
        assert.equal(input(record, "type"), "CNAME");
        assert.equal(input(record, "allowOverwrite"), true);
        const validation = one(r, VALIDATION, "domain-cert-validation");
        assert.equal(input(validation, "certificateArn"), cert.state.arn);
        assert.deepEqual(input(validation, "validationRecordFqdns"), [record.state.fqdn]);
    });

    it("serves HTTPS with the validated certificate", () => {
        const https = one(r, LISTENER, "web-https");
        const validation = one(r, VALIDATION, "domain-cert-validation");
        assert.equal(input(https, "certificateArn"), validation.state.certificateArn);
        assert.equal(input(https, "certificateArn"), cert.state.arn);
        assert.equal(input(https, "protocol"), "HTTPS");
        assert.equal(input(one(r, LISTENER, "web-http-redirect"), "port"), 80);
    });

    it("aliases the domain to the ALB with an A record only (the ALB is IPv4-only)", () => {
        const alb = one(r, LB, "web-alb");
        assert.equal(input(alb, "ipAddressType"), "ipv4");
        const alias = one(r, RECORD, "web-alias-a");
        assert.equal(input(alias, "zoneId"), DOMAIN.hostedZoneId);
        assert.equal(input(alias, "name"), "shop.example.com");
        assert.equal(input(alias, "type"), "A");
        const aliases = input<{ name: string; zoneId: string; evaluateTargetHealth: boolean }[]>(alias, "aliases");
        assert.equal(aliases.length, 1);
        assert.equal(aliases[0].name, alb.state.dnsName);
        assert.equal(aliases[0].zoneId, alb.state.zoneId);
        assert.equal(aliases[0].evaluateTargetHealth, true);
        assert.equal(ofType(r, RECORD).filter((x) => input(x, "type") === "AAAA").length, 0);
    });

    it("exports https://<domain> as the url", () => {
        assert.equal(r.outputs.url, "https://shop.example.com");
    });

    it("parents the certificate, its record and validation under the domain component", () => {
        const domain = one(r, "ecomm:dns:DomainComponent", "domain");
        for (const x of [cert, one(r, RECORD, "domain-cert-validation-record"), one(r, VALIDATION)]) {
            assert.equal(x.parentUrn, domain.urn, x.name);
            assert.ok(x.name.startsWith("domain-"), x.name);
        }
        assert.equal(one(r, RECORD, "web-alias-a").parentUrn, one(r, "ecomm:web:WebTierComponent").urn);
    });
});

describe("without ecomm:domain", () => {
    for (const [stack, config] of [
        ["dev", {}],
        ["prod", {}],
    ] as const) {
        it(`${stack} creates no certificate, validation or DNS record`, async () => {
            const r = await run(stack, config);
            assert.equal(ofType(r, CERT).length, 0);
            assert.equal(ofType(r, VALIDATION).length, 0);
            assert.equal(ofType(r, RECORD).length, 0);
            assert.equal(ofType(r, "ecomm:dns:DomainComponent").length, 0);
            if (stack === "prod") assert.equal(input(one(r, LISTENER, "web-https"), "certificateArn"), CERT_ARN);
        });
    }

    it("dev with a domain serves HTTPS at the domain too", async () => {
        const r = await run("dev", { "ecomm:domain": DOMAIN });
        assert.equal(r.outputs.url, "https://shop.example.com");
        assert.equal(input(one(r, LISTENER, "web-https"), "certificateArn"), one(r, CERT).state.arn);
        assert.equal(ofType(r, LISTENER).length, 2);
    });
});

describe("ecomm:domain refusals", () => {
    it("refuses ecomm:domain together with ecomm:certificateArn, naming both keys", async () => {
        const err = await refused("prod", { "ecomm:domain": DOMAIN, "ecomm:certificateArn": CERT_ARN });
        assert.match(err.message, /ecomm:domain = .*cannot be combined with ecomm:certificateArn/);
    });

    it("prod needs ecomm:certificateArn or ecomm:domain (under the real engine; offline it is stood in)", async () => {
        const err = await refused("prod", { "ecomm:certificateArn": undefined }, { realEngine: true });
        assert.match(err.message, /ecomm:certificateArn = \(not set\): is required in prod unless ecomm:domain is set/);
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
        ["an upper-case name", { name: "Shop.Example.com", hostedZoneId: DOMAIN.hostedZoneId }, /ecomm:domain\.name = "Shop\.Example\.com": must be a lowercase domain name/],
        ["a wildcard", { name: "*.example.com", hostedZoneId: DOMAIN.hostedZoneId }, /ecomm:domain\.name = "\*\.example\.com"/],
        ["a single label", { name: "localhost", hostedZoneId: DOMAIN.hostedZoneId }, /ecomm:domain\.name = "localhost"/],
        ["a bad zone id", { name: DOMAIN.name, hostedZoneId: "example.com" }, /ecomm:domain\.hostedZoneId = "example\.com": must be a Route 53 hosted zone id/],
        ["a missing zone id", { name: DOMAIN.name }, /ecomm:domain\.hostedZoneId/],
        ["an unknown key", { ...DOMAIN, ttl: 60 }, /ecomm:domain\.ttl/],
    ];
    for (const [what, domain, pattern] of cases) {
        it(`refuses ${what}`, async () => {
            const err = await refused("dev", { "ecomm:domain": domain });
            assert.match(err.message, pattern);
        });
    }

    it("keeps the other config keys' checks (patched helper sanity)", async () => {
        const err = await refused("dev", { "ecomm:domain": DOMAIN, ...patched("dev", "ecomm:backend", { minSize: 5 }) });
        assert.match(err.message, /ecomm:backend\.minSize/);
    });
});
