// The policy pack's entry point: only wiring. It is published as POLICY_PACK_NAME, and every rule is
// mandatory unless the stack's config (pack.ts, policy-config.<stack>.json) lowers it: dev relaxes the
// five rules it breaks on purpose. See docs/delivery.md for the three paths that pass that config.
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, POLICY_PACK_NAME } from "./pack";
import { allPolicies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { enforcementLevel: PACK_ENFORCEMENT_LEVEL, policies: allPolicies });
