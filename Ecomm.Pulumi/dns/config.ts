/**
 * `ecomm:domain` (a name in a Route 53 zone: the program issues the certificate) and `ecomm:certificateArn`
 * (bring your own). No per-environment defaults: prod needs one of them (`config/placeholders.ts`).
 */
import { z } from "zod";
import { strict } from "../config/fields";

/** A lowercase DNS name of at least two labels, no trailing dot, no wildcard: `shop.example.com`. */
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Route 53 hosted zone ids: `Z` and up to 31 upper-case letters and digits. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

export function domainSchema() {
    return strict({
        /** The site's name: the certificate's domain and the alias record's name. */
        name: z
            .string({ error: "must be a domain name such as shop.example.com" })
            .regex(DOMAIN_NAME, { error: "must be a lowercase domain name such as shop.example.com (no wildcard, no trailing dot)" }),
        /** The Route 53 public hosted zone the validation and alias records are written to. */
        hostedZoneId: z
            .string({ error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
            .regex(HOSTED_ZONE_ID, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
    });
}

/** An existing ACM certificate for HTTPS on the ALB. */
export function certificateArnSchema() {
    return z.string().regex(ACM_CERTIFICATE_ARN, {
        error: "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>",
    });
}

/** The region an ACM certificate ARN names (`arn:aws:acm:<region>:...`). */
export function certificateRegion(arn: string): string | undefined {
    return arn.split(":")[3];
}

export type DomainConfig = z.output<ReturnType<typeof domainSchema>>;
