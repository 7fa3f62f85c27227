import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseBadArgs } from "../shared/component-args";
import { DOMAIN_NAME, HOSTED_ZONE_ID } from "./config";

export interface DomainComponentArgs {
    /**
     * The site's domain name: the certificate's only name (no SANs, so ACM returns exactly one validation
     * option and the validation record's count is known before deployment).
     * @example "shop.example.com"
     */
    readonly domainName: string;
    /**
     * The Route 53 public hosted zone that serves `domainName`; the DNS validation record is written there.
     * @example "Z0123456789ABCDEFGHIJ"
     */
    readonly hostedZoneId: pulumi.Input<string>;
    /**
     * TTL (s) of the validation record.
     * @default 60
     */
    readonly validationRecordTtl?: number;
}

/** The largest TTL Route 53 takes for a record (seconds). */
export const MAX_RECORD_TTL = 2147483647;

/** Every problem with the args (the schema's name and zone-id rules, the record TTL), empty when valid. */
export function domainArgsProblems(a: DomainComponentArgs): string[] {
    const problems: string[] = [];
    if (!DOMAIN_NAME.test(a.domainName)) problems.push(`domainName "${a.domainName}" must be a lowercase domain name such as shop.example.com (no wildcard, no trailing dot)`);
    if (typeof a.hostedZoneId === "string" && !HOSTED_ZONE_ID.test(a.hostedZoneId)) {
        problems.push(`hostedZoneId "${a.hostedZoneId}" must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`);
    }
    const ttl = a.validationRecordTtl;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_RECORD_TTL)) {
        problems.push(`validationRecordTtl (${ttl}) must be a whole number of seconds from 0 to ${MAX_RECORD_TTL}`);
    }
    return problems;
}

/**
 * The site's TLS certificate: an ACM certificate for `domainName` with DNS validation, the validation
 * CNAME in the hosted zone, and a `CertificateValidation` that completes only once ACM has issued it. ACM
 * renews the certificate by itself as long as the CNAME stays in place.
 *
 * Built before the web tier: the HTTPS listener takes `certificateArn`, the *validated* ARN, so the
 * listener is never created with a certificate still pending. The alias record to the ALB belongs to the
 * web tier, which owns the ALB.
 *
 * Cost: public ACM certificates are free; a Route 53 hosted zone is $0.50 a month (not created here).
 */
export class DomainComponent extends pulumi.ComponentResource {
    /** The domain name (passed through). */
    public readonly domainName: string;
    /** The certificate's ARN once ACM has issued it (from the validation resource). */
    public readonly certificateArn: pulumi.Output<string>;
    /** The validation record's FQDN. */
    public readonly validationRecordFqdn: pulumi.Output<string>;

    constructor(name: string, args: DomainComponentArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseBadArgs("DomainComponent", name, domainArgsProblems(args));
        super("ecomm:dns:DomainComponent", name, {}, opts);
        this.domainName = args.domainName;

        const certificate = this.createCertificate(name, args);
        const record = this.createValidationRecord(name, args, certificate);
        const validation = new aws.acm.CertificateValidation(
            `${name}-cert-validation`,
            { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
            { parent: this },
        );
        this.certificateArn = validation.certificateArn;
        this.validationRecordFqdn = record.fqdn;

        this.registerOutputs({ domainName: this.domainName, certificateArn: this.certificateArn, validationRecordFqdn: this.validationRecordFqdn });
    }

    private createCertificate(name: string, args: DomainComponentArgs): aws.acm.Certificate {
        return new aws.acm.Certificate(
            `${name}-cert`,
            { domainName: args.domainName, validationMethod: "DNS", tags: { Name: args.domainName } },
            // Pulumi replaces create-before-delete: a new certificate is issued and attached before the old
            // one is deleted, which ACM would refuse while a listener still uses it.
            { parent: this },
        );
    }

    /**
     * The one validation CNAME. With a single domain name and no SANs ACM returns exactly one option, so
     * the record is created from `domainValidationOptions[0]` outside any `apply`: visible in preview.
     */
    private createValidationRecord(name: string, args: DomainComponentArgs, certificate: aws.acm.Certificate): aws.route53.Record {
        const option = certificate.domainValidationOptions.apply((options) => {
            const first = options[0];
            if (!first) throw new Error(`ACM returned no DNS validation option for ${args.domainName}`);
            return first;
        });
        return new aws.route53.Record(
            `${name}-cert-validation-record`,
            {
                zoneId: args.hostedZoneId,
                name: option.apply((o) => o.resourceRecordName),
                type: option.apply((o) => o.resourceRecordType),
                records: [option.apply((o) => o.resourceRecordValue)],
                ttl: args.validationRecordTtl ?? 60,
                // ACM reuses the same CNAME for the same name across certificates: a replacement certificate
                // must be able to take over the record its predecessor wrote.
                allowOverwrite: true,
            },
            { parent: this },
        );
    }
}
