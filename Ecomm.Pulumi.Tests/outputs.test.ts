/**
 * The stack-output contract (Ecomm.Pulumi/outputs.ts) against the real stacks: every output is declared
 * with the right type and only where the contract says it exists, the names and types of dev and prod
 * are frozen in __snapshots__/outputs.json, and docs/outputs.md's table is the generator's current output.
 */
import { before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import { patched, run, type StackRun } from "./harness";
import {
    contractOutput,
    contractProblems,
    ECOMM_DATABASE_MODES,
    ECOMM_ENVIRONMENTS,
    ECOMM_RDS_ENGINES,
    OUTPUT_CONTRACT,
    OUTPUT_NAMES,
    outputNamesFor,
    typeProblem,
    type EcommStackOutputs,
} from "../Ecomm.Pulumi/outputs";
import { DATABASE_MODES } from "../Ecomm.Pulumi/database/modes";
import { ENVIRONMENTS } from "../Ecomm.Pulumi/config/environments";
import type { RdsEngine } from "../Ecomm.Pulumi/database/rules";
import type { ecommStack } from "../Ecomm.Pulumi/stack";
import { diffSnapshots, explainAdditions, explainBreaks, readSnapshot, snapshotOf, SNAPSHOT_FILE, type OutputSnapshot } from "../scripts/outputs-snapshot";
import { END_MARKER, OUTPUTS_DOC_FILE, renderOutputsTable, START_MARKER, withOutputsTable } from "../scripts/outputs-readme";
import { listStacks } from "../tools/offline/run";

// ---------------------------------------------------------------------------------------------------
// Compile-time checks (tsc fails on a mismatch; the runtime asserts only keep them referenced)
// ---------------------------------------------------------------------------------------------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Returned = Awaited<ReturnType<typeof ecommStack>>;
/** `satisfies` in stack.ts cannot see keys added through a spread: these can. */
type ExtraKeys = Exclude<keyof Returned, keyof EcommStackOutputs>;
type MissingKeys = Exclude<keyof EcommStackOutputs, keyof Returned>;

const compileTimeChecks: [
    noExtraOutputs: [ExtraKeys] extends [never] ? true : ExtraKeys,
    noMissingOutputs: [MissingKeys] extends [never] ? true : MissingKeys,
    environmentsMatchConfig: Equal<(typeof ECOMM_ENVIRONMENTS)[number], (typeof ENVIRONMENTS)[number]>,
    modesMatchConfig: Equal<(typeof ECOMM_DATABASE_MODES)[number], (typeof DATABASE_MODES)[number]>,
    enginesMatchProgram: Equal<(typeof ECOMM_RDS_ENGINES)[number], RdsEngine>,
    conditionalOutputsAreOptional: Equal<Pick<EcommStackOutputs, "dbReaderEndpoint">, { readonly dbReaderEndpoint?: string }>,
    portIsANumber: Equal<EcommStackOutputs["dbPort"], number>,
    helperTypesRequiredOutputs: Equal<ReturnType<typeof contractOutput<"albArnSuffix">>, pulumi.Output<string>>,
    helperTypesConditionalOutputs: Equal<ReturnType<typeof contractOutput<"dbReaderEndpoint">>, pulumi.Output<string | undefined>>,
    helperTypesLists: Equal<ReturnType<typeof contractOutput<"privateSubnetIds">>, pulumi.Output<string[]>>,
] = [true, true, true, true, true, true, true, true, true, true];

describe("the contract table", () => {
    it("the compile-time checks hold (tsc fails first when they do not)", () => {
        assert.deepEqual(compileTimeChecks, [true, true, true, true, true, true, true, true, true, true]);
    });

    it("lists the same enum values as the program", () => {
        assert.deepEqual([...ECOMM_ENVIRONMENTS], [...ENVIRONMENTS]);
        assert.deepEqual([...ECOMM_DATABASE_MODES], [...DATABASE_MODES]);
    });

    it("has a meaning and a stability for every output, and only cluster outputs are conditional", () => {
        for (const name of OUTPUT_NAMES) {
            const d: { meaning: string; stability: string } = OUTPUT_CONTRACT[name];
            assert.ok(d.meaning.length >= 8, `${name} needs a meaning`);
            assert.ok(["stable", "experimental"].includes(d.stability), name);
        }
        assert.deepEqual(
            OUTPUT_NAMES.filter((n) => !outputNamesFor("single-az").includes(n)),
            ["dbReaderEndpoint", "dbClusterIdentifier"],
        );
        assert.deepEqual(outputNamesFor("aurora"), OUTPUT_NAMES);
        assert.deepEqual(outputNamesFor("multi-az-cluster"), OUTPUT_NAMES);
    });

    it("checks value types exactly", () => {
        assert.equal(typeProblem("string", "x"), undefined);
        assert.equal(typeProblem("string", 5), "expected string, got 5");
        assert.equal(typeProblem("number", "5432"), 'expected number, got "5432"');
        assert.equal(typeProblem("string[]", ["a", 1]), 'expected string[], got ["a",1]');
        assert.equal(typeProblem(OUTPUT_CONTRACT.environment.type, "staging"), 'expected "dev" | "prod", got "staging"');
        assert.equal(typeProblem(OUTPUT_CONTRACT.environment.type, "prod"), undefined);
    });
});

describe("contractProblems", () => {
    let prod: StackRun;
    before(async () => {
        prod = await run("prod");
    });

    it("finds nothing wrong with the real prod outputs", () => assert.deepEqual(contractProblems(prod.outputs), []));

    it("names a missing, an unknown, a mistyped and a misplaced output", () => {
        const outputs: Record<string, unknown> = { ...prod.outputs, dbPort: "5432", albArnSufix: "x", dbClusterIdentifier: "c" };
        delete outputs.albArnSuffix;
        assert.deepEqual(contractProblems(outputs), [
            "albArnSufix: not in OUTPUT_CONTRACT (Ecomm.Pulumi/outputs.ts)",
            "dbClusterIdentifier: present, but the contract has it only in database modes multi-az-cluster, aurora (this stack: multi-az-instance)",
            "albArnSuffix: missing (database mode multi-az-instance)",
            'dbPort: expected number, got "5432"',
        ]);
    });

    it("refuses to guess which outputs belong when dbMode is wrong", () => {
        assert.deepEqual(contractProblems({ ...prod.outputs, dbMode: "sharded" }), [
            'dbMode: expected "single-az" | "multi-az-instance" | "multi-az-cluster" | "aurora", got "sharded"; cannot tell which outputs the stack should have',
        ]);
    });
});

const frozen: OutputSnapshot = readSnapshot();

for (const stack of ["dev", "prod"] as const) {
    describe(`the ${stack} stack's outputs`, () => {
        let r: StackRun;
        before(async () => {
            r = await run(stack);
        });

        it("match the contract: every name declared, every value of its type", () => {
            assert.deepEqual(contractProblems(r.outputs), []);
        });

        it("are exactly the contract's outputs for the stack's database mode", () => {
            const mode = stack === "dev" ? "single-az" : "multi-az-instance";
            assert.equal(r.outputs.dbMode, mode);
            assert.deepEqual(Object.keys(r.outputs).sort(), [...outputNamesFor(mode)].sort());
            assert.equal(Object.keys(r.outputs).length, 36); // 35 + services (the service table), added deliberately
        });

        it("have the names and types frozen in __snapshots__/outputs.json", () => {
            const diffs = diffSnapshots({ [stack]: frozen[stack] ?? {} }, { [stack]: snapshotOf(r.outputs) });
            const breaks = explainBreaks(diffs);
            assert.equal(breaks, "", breaks);
            const additions = explainAdditions(diffs);
            assert.equal(additions, "", additions);
            assert.deepEqual(snapshotOf(r.outputs), frozen[stack]);
        });
    });
}

describe("a cluster-mode stack", () => {
    it("also exports the reader endpoint and the cluster identifier, and nothing else off-contract", async () => {
        const r = await run("dev", {
            ...patched("dev", "ecomm:network", { availabilityZones: 3 }),
            ...patched("dev", "ecomm:database", { mode: "multi-az-cluster", instanceClass: "db.c6gd.medium", engineVersion: "16", allocatedStorageGb: 400, maxAllocatedStorageGb: 400 }),
        });
        assert.deepEqual(contractProblems(r.outputs), []);
        assert.deepEqual(Object.keys(r.outputs).sort(), [...OUTPUT_NAMES].sort());
        assert.equal(OUTPUT_NAMES.length, 38);
        assert.match(String(r.outputs.dbReaderEndpoint), /\.cluster-ro-/);
    });
});

describe("the snapshot file", () => {
    it("covers exactly the stack files (listStacks)", () => {
        assert.deepEqual(Object.keys(frozen).sort(), listStacks().sort());
        assert.ok(listStacks().includes("staging"));
        assert.equal(fs.readFileSync(SNAPSHOT_FILE, "utf8").endsWith("}\n"), true);
    });

    it("explains a rename as a break for consumers", () => {
        const renamed: Record<string, string> = { ...frozen.prod, albArnSuffixV2: "string" };
        delete renamed.albArnSuffix;
        const message = explainBreaks(diffSnapshots({ prod: frozen.prod }, { prod: renamed }));
        assert.match(message, /^Breaking change to the stack outputs other teams consume:\n/);
        assert.match(message, /- prod: output "albArnSuffix" \(string\) is gone — renamed to "albArnSuffixV2"\?/);
        assert.match(message, /fail at their next `pulumi up`/);
        assert.match(message, /mark it `deprecated` in OUTPUT_CONTRACT/);
    });

    it("explains a type change as a break", () => {
        const message = explainBreaks(diffSnapshots({ dev: frozen.dev }, { dev: { ...frozen.dev, dbPort: "string" } }));
        assert.match(message, /- dev: output "dbPort" changed type number → string\./);
    });

    it("tells how to accept an addition", () => {
        const diffs = diffSnapshots({ dev: frozen.dev }, { dev: { ...frozen.dev, cdnDomainName: "string" } });
        assert.equal(explainBreaks(diffs), "");
        const message = explainAdditions(diffs);
        assert.match(message, /- dev: new output "cdnDomainName" \(string\)/);
        assert.match(message, /OUTPUT_CONTRACT \(Ecomm\.Pulumi\/outputs\.ts/);
        assert.match(message, /`npm run snapshot:outputs`, then `npm run docs:outputs`/);
    });
});

describe("docs/outputs.md's outputs table", () => {
    const readme = fs.readFileSync(OUTPUTS_DOC_FILE, "utf8");

    it("is what `npm run docs:outputs` generates from the contract", () => {
        assert.ok(
            withOutputsTable(readme, renderOutputsTable()) === readme,
            "docs/outputs.md's outputs table is stale: run `npm run docs:outputs` and commit it",
        );
    });

    it("has one row per contract output, with its type and stability", () => {
        const block = readme.slice(readme.indexOf(START_MARKER), readme.indexOf(END_MARKER));
        const rows = block.split("\n").filter((l) => /^\| `/.test(l));
        assert.equal(rows.length, OUTPUT_NAMES.length);
        assert.ok(rows.includes("| `albArnSuffix` | `string` | stable | all stacks | the `LoadBalancer` dimension of `AWS/ApplicationELB` metrics (`app/<name>/<id>`) |"));
        assert.ok(rows.some((l) => l.startsWith("| `dbClusterIdentifier` | `string` | experimental | database modes `multi-az-cluster`, `aurora`; today: neither dev")));
    });

    it("replacing the block keeps the text around it", () => {
        const doc = `before\n${START_MARKER}\nold\n${END_MARKER}\nafter\n`;
        assert.equal(withOutputsTable(doc, "new"), `before\n${START_MARKER}\nnew\n${END_MARKER}\nafter\n`);
        assert.throws(() => withOutputsTable("no markers", "x"), /must contain <!-- outputs:start -->/);
    });
});
