/**
 * `npm run docs:diagram`: regenerates the prod architecture diagram embedded in README.md.
 * `-- --check` writes nothing: it says whether README's copy is current and exits 1 when it is not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT, runStack, withProgramLogOnStderr } from "../tools/offline/run";
import { renderDiagram } from "../tools/report/diagram";

async function main(): Promise<void> {
    const run = await withProgramLogOnStderr(() => runStack({ stack: "prod" }));
    const diagram = renderDiagram(run.resources, run.outputs.availabilityZones as string[]);
    const file = path.join(PROJECT_ROOT, "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const block = `<!-- diagram:start -->\n\`\`\`mermaid\n${diagram}\n\`\`\`\n<!-- diagram:end -->`;
    const next = readme.replace(/<!-- diagram:start -->[\s\S]*?<!-- diagram:end -->/, block);
    if (next === readme && !readme.includes(block)) throw new Error("README.md has no <!-- diagram:start --> / <!-- diagram:end --> markers");
    if (process.argv.includes("--check")) {
        console.log(next === readme ? "README.md diagram is up to date" : "README.md diagram is stale: run npm run docs:diagram");
        process.exitCode = next === readme ? 0 : 1;
        return;
    }
    fs.writeFileSync(file, next);
    console.log(next === readme ? "README.md diagram is up to date" : "README.md diagram updated");
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
