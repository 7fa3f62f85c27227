/**
 * The policy pack config each path that runs the pack really passes, read from where that path is
 * defined — not from pack.ts — so a path that forgets its config fails the tests:
 * - `cli`: every `pulumi preview|up --policy-pack …` command in docs/delivery.md;
 * - `actions`: the pulumi/actions step of ci.yml's preview job, per matrix entry;
 * - `cloud`: the Policy Groups the deploy project registers (run under mocks).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { PROJECT_ROOT } from "../tools/offline/run";
import type { AnyPolicyPackConfig } from "../Ecomm.Policy/evaluate";
import { runDeploy } from "./deploy-harness";

export interface PathConfig {
    readonly path: "cli" | "actions" | "cloud";
    readonly stack: string;
    /** Where it was found, for messages. */
    readonly where: string;
    /** The pack the path runs: a directory (`Ecomm.Policy`) or a published name. */
    readonly pack: string;
    readonly config: AnyPolicyPackConfig;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as AnyPolicyPackConfig;

export const DELIVERY_DOC = path.join(PROJECT_ROOT, "docs", "delivery.md");

/** Every command line of docs/delivery.md that runs the policy pack. */
export function docPolicyCommands(): string[] {
    return fs
        .readFileSync(DELIVERY_DOC, "utf8")
        .split("\n")
        .filter((l) => /\bpulumi (preview|up)\b/.test(l) && l.includes("--policy-pack"));
}

function cliConfigs(): PathConfig[] {
    return docPolicyCommands().map((line) => {
        const pack = /--policy-pack\s+(\S+)/.exec(line)?.[1];
        const file = /--policy-pack-config\s+(\S+)/.exec(line)?.[1];
        const stack = /--stack\s+(?:\S+\/)?([\w.-]+)/.exec(line)?.[1];
        if (!pack || !file || !stack) throw new Error(`docs/delivery.md runs the pack without --stack, --policy-pack or --policy-pack-config: ${line.trim()}`);
        return { path: "cli", stack, where: line.trim(), pack, config: readJson(file) };
    });
}

interface Step {
    uses?: string;
    with?: Record<string, unknown>;
}
interface CiWorkflow {
    jobs: { preview: { strategy: { matrix: { include: Record<string, string>[] } }; steps: Step[] } };
}

/** `${{ matrix.key }}` replaced by the entry's values; any other expression is refused. */
function resolveMatrix(text: string, entry: Readonly<Record<string, string>>): string {
    return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr: string) => {
        const m = /^matrix\.([\w-]+)$/.exec(expr);
        if (!m || !(m[1] in entry)) throw new Error(`cannot resolve ${whole} for matrix entry ${JSON.stringify(entry)}`);
        return entry[m[1]];
    });
}

function actionsConfigs(): PathConfig[] {
    const ci = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", "ci.yml"), "utf8")) as CiWorkflow;
    const job = ci.jobs.preview;
    const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    if (!step) throw new Error("ci.yml's preview job has no pulumi/actions step");
    return job.strategy.matrix.include.map((entry) => {
        const packs = String(step.with?.policyPacks ?? "").trim();
        const configs = String(step.with?.policyPackConfigs ?? "").trim();
        if (packs === "" || configs === "") throw new Error(`ci.yml previews ${entry.stack} with policyPacks "${packs}" and policyPackConfigs "${configs}"`);
        const packList = resolveMatrix(packs, entry).split("\n");
        const configList = resolveMatrix(configs, entry).split("\n");
        if (packList.length !== 1 || configList.length !== 1) throw new Error("ci.yml: expected exactly one pack and one config per preview");
        return { path: "actions", stack: entry.stack, where: `ci.yml preview (${entry.stack})`, pack: packList[0], config: readJson(configList[0]) };
    });
}

interface GroupInputs {
    name: string;
    stacks: { name: string; routingProject: string }[];
    policyPacks: { name: string; config?: AnyPolicyPackConfig }[];
}

async function cloudConfigs(): Promise<PathConfig[]> {
    const deploy = await runDeploy();
    const groups = deploy.resources.filter((r) => r.type === "pulumiservice:index:PolicyGroup").map((r) => r.inputs as unknown as GroupInputs);
    return groups.flatMap((g) =>
        g.stacks.flatMap((s) =>
            g.policyPacks.map((p) => ({ path: "cloud" as const, stack: s.name, where: `policy group ${g.name}`, pack: p.name, config: p.config ?? {} })),
        ),
    );
}

export async function configsEachPathPasses(): Promise<PathConfig[]> {
    return [...cliConfigs(), ...actionsConfigs(), ...(await cloudConfigs())];
}
