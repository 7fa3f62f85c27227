// The policy pack's entry point: only wiring. `pulumi preview --policy-pack Ecomm.Policy` runs it;
// enforcement is mandatory unless a config file lowers it (dev: policy-config.dev.json, all advisory).
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("ecomm", { enforcementLevel: "mandatory", policies: allPolicies });
