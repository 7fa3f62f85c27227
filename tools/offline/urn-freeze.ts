/**
 * The URN freeze: the real URN (whole parent chain, `./urns.ts`) of every resource of the golden stacks,
 * kept in `Ecomm.Pulumi.Tests/__snapshots__/urns.json`. A change that moves or renames a resource must
 * carry an alias to its old real URN, or a deployed stack would delete it and create a new one; a
 * deliberate change is recorded with `npm run snapshot:update`.
 */
import { patched, runStack, type StackRun } from "./run";
import { compareFrozen, realUrns } from "./urns";

/** A golden stack: a committed stack file, with config changes for the variants only tests reach. */
export interface GoldenStack {
    readonly stack: string;
    readonly config?: Readonly<Record<string, unknown>>;
}

/** The stacks whose every URN is frozen: today's dev and prod, and prod's database, domain and resilience variants. */
export const GOLDEN_STACKS: Readonly<Record<string, () => GoldenStack>> = {
    dev: () => ({ stack: "dev" }),
    prod: () => ({ stack: "prod" }),
    "prod-multi-az-cluster": () => ({
        stack: "prod",
        config: patched("prod", "ecomm:database", { mode: "multi-az-cluster", instanceClass: "db.m6gd.large", allocatedStorageGb: 400, maxAllocatedStorageGb: 1000 }),
    }),
    "prod-aurora": () => ({ stack: "prod", config: patched("prod", "ecomm:database", { mode: "aurora", instanceClass: "db.r7g.large", readerCount: 2 }) }),
    "prod-domain": () => ({
        stack: "prod",
        config: { "ecomm:certificateArn": undefined, "ecomm:domain": { name: "shop.ecomm-golden.dev", hostedZoneId: "Z0GOLDENZONE0000001" } },
    }),
    "prod-resilience": () => ({ stack: "prod", config: patched("prod", "ecomm:resilience", { enabled: true }) }),
};

export type GoldenName = keyof typeof GOLDEN_STACKS;

export function runGolden(name: string): Promise<StackRun> {
    const golden = GOLDEN_STACKS[name];
    if (!golden) throw new Error(`no golden stack ${name}; there are: ${Object.keys(GOLDEN_STACKS).join(", ")}`);
    return runStack(golden());
}

/** The frozen form of a run: every resource's real URN, sorted. */
export function frozenUrns(run: StackRun): string[] {
    return [...realUrns(run.resources).values()].sort();
}

export { compareFrozen };
