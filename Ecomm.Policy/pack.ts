/**
 * The policy pack's identity and its per-stack enforcement: the one place that says what the pack is
 * called and which rules each ecomm stack may break without being blocked.
 *
 * Every path that runs the pack passes the config built here:
 * - the manual CLI run: `pulumi preview --policy-pack Ecomm.Policy --policy-pack-config Ecomm.Policy/policy-config.<stack>.json`;
 * - GitHub Actions: pulumi/actions `policyPacks: Ecomm.Policy` with `policyPackConfigs: Ecomm.Policy/policy-config.<stack>.json`;
 * - Pulumi Cloud: one Policy Group per stack (`deploy/`), whose pack entry carries the same config.
 * The JSON files are this module's output, written out so the CLI can read them (a test keeps them equal).
 *
 * Imports nothing outside this folder: `pulumi policy publish` uploads `Ecomm.Policy/` alone.
 */
import type { EnforcementLevel } from "@pulumi/policy";

/**
 * The name the pack is published under (`new PolicyPack(POLICY_PACK_NAME, …)`), the name Policy Groups
 * reference, and `name` in `Ecomm.Policy/package.json` (whose `version` is the published version).
 */
export const POLICY_PACK_NAME = "ecomm-policy";

/** The pack's default level, and every policy's own: a rule blocks unless a stack's config lowers it. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

/** The ecomm stacks the pack knows. A stack it does not know gets prod's (strictest) config. */
export const POLICY_STACKS = ["dev", "prod"] as const;
export type PolicyStack = (typeof POLICY_STACKS)[number];

/**
 * The rules dev deliberately breaks, to stay cheap and disposable: one load balancer without access logs
 * or deletion protection, a single-AZ database kept 1 day and deletable. In dev they are advisory
 * (reported, never blocking); every other rule stays mandatory in dev too.
 */
export const DEV_ADVISORY_POLICIES: readonly string[] = [
    "elb-5-alb-access-logging",
    "elb-6-alb-deletion-protection",
    "rds-11-backups-7-days",
    "rds-5-multi-az",
    "rds-8-deletion-protection",
];

/**
 * A policy pack config as the CLI's `--policy-pack-config` file and a Policy Group's pack `config` take
 * it: the special key `all` sets the level of every policy, a policy's own key overrides `all`.
 */
export type PolicyPackConfig = Readonly<Record<string, EnforcementLevel>>;

/** The config each path passes for `stack`: prod (and any unknown stack) all mandatory; dev relaxes exactly DEV_ADVISORY_POLICIES. */
export function policyPackConfigFor(stack: string): PolicyPackConfig {
    if (stack !== "dev") return { all: "mandatory" };
    return { all: "mandatory", ...Object.fromEntries(DEV_ADVISORY_POLICIES.map((p) => [p, "advisory" as const])) };
}

/** The file, relative to the repository root, holding `policyPackConfigFor(stack)` for the CLI and pulumi/actions. */
export function policyPackConfigFile(stack: PolicyStack): string {
    return `Ecomm.Policy/policy-config.${stack}.json`;
}

/** The file's exact text: the config as 2-space JSON and a final newline. */
export function renderPolicyPackConfig(stack: PolicyStack): string {
    return `${JSON.stringify(policyPackConfigFor(stack), null, 2)}\n`;
}
