/**
 * `npm run docs:outputs`: rewrites the outputs table in docs/outputs.md (between `<!-- outputs:start -->` and
 * `<!-- outputs:end -->`) from the contract in `Ecomm.Pulumi/outputs.ts`. A test fails when that copy
 * differs from what this renders. `-- --check` writes nothing and exits 1 when that copy is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeOutput, OUTPUT_NAMES, typeText, type EcommDatabaseMode } from "../Ecomm.Pulumi/outputs";
import { parseStackConfig } from "../Ecomm.Pulumi/config/schema";
import { listStacks, PROJECT_ROOT, readStackConfig } from "../tools/offline/run";
import { withStandIns } from "../Ecomm.Pulumi/config/placeholders";

/** The outputs table lives in docs/outputs.md (README links to it). */
export const OUTPUTS_DOC_FILE = path.join(PROJECT_ROOT, "docs", "outputs.md");
export const START_MARKER = "<!-- outputs:start -->";
export const END_MARKER = "<!-- outputs:end -->";

/** Each stack's database mode, from its real stack file (it decides which conditional outputs exist). */
export function stackDatabaseModes(): Record<string, EcommDatabaseMode> {
    // As the offline engine reads it: with stand-ins for the values only the stack's user knows.
    const modeOf = (raw: Record<string, string>) => parseStackConfig(withStandIns(raw, raw["aws:region"] ?? "us-east-1").config).database.mode;
    return Object.fromEntries(listStacks().map((stack) => [stack, modeOf(readStackConfig(stack).config)]));
}

/** A code span that survives inside a Markdown table cell. */
const code = (text: string) => `\`${text.replace(/\|/g, "\\|")}\``;

function presence(modes: readonly EcommDatabaseMode[] | undefined, stackModes: Readonly<Record<string, EcommDatabaseMode>>): string {
    if (modes === undefined) return "all stacks";
    const stacks = Object.keys(stackModes).filter((s) => modes.includes(stackModes[s]));
    const today = stacks.length > 0 ? stacks.join(", ") : `neither ${Object.entries(stackModes).map(([s, m]) => `${s} (${code(m)})`).join(" nor ")}`;
    return `database modes ${modes.map(code).join(", ")}; today: ${today}`;
}

/** The Markdown that goes between the markers. */
export function renderOutputsTable(stackModes: Readonly<Record<string, EcommDatabaseMode>> = stackDatabaseModes()): string {
    const rows = OUTPUT_NAMES.map((name) => {
        const d = describeOutput(name);
        const meaning = d.deprecated ? `**deprecated**: ${d.deprecated}. ${d.meaning}` : d.meaning;
        return `| ${code(name)} | ${code(typeText(d.type))} | ${d.stability} | ${presence(d.databaseModes, stackModes)} | ${meaning} |`;
    });
    return [
        "| output | type | stability | present in | meaning |",
        "|---|---|---|---|---|",
        ...rows,
        "",
        "Generated from `Ecomm.Pulumi/outputs.ts` by `npm run docs:outputs`; do not edit by hand. How to read them from",
        "another stack, and what `stable` promises: the sections above.",
    ].join("\n");
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withOutputsTable(readme: string, table: string): string {
    const start = readme.indexOf(START_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (start < 0 || end < start) throw new Error(`docs/outputs.md must contain ${START_MARKER} followed by ${END_MARKER}`);
    return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

// Run as a script (`node scripts/run-ts.cjs <this file>` sets argv[1] to it), not when imported by a test.
if (process.argv[1] === __filename) {
    const before = fs.readFileSync(OUTPUTS_DOC_FILE, "utf8");
    const after = withOutputsTable(before, renderOutputsTable());
    if (after === before) {
        console.log("docs/outputs.md outputs table is up to date.");
    } else if (process.argv.includes("--check")) {
        console.log("docs/outputs.md outputs table is stale: run npm run docs:outputs");
        process.exitCode = 1;
    } else {
        fs.writeFileSync(OUTPUTS_DOC_FILE, after);
        console.log("docs/outputs.md outputs table rewritten from Ecomm.Pulumi/outputs.ts.");
    }
}
