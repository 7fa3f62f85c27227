/** `npm run docs:diagram`: regenerates the prod architecture diagram embedded in README.md. */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT, runStack } from "../tools/offline/run";
import { renderDiagram } from "../tools/report/diagram";

async function main(): Promise<void> {
    const run = await runStack({ stack: "prod" });
    const diagram = renderDiagram(run.resources, run.outputs.availabilityZones as string[]);
    const file = path.join(PROJECT_ROOT, "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const block = `<!-- diagram:start -->\n\`\`\`mermaid\n${diagram}\n\`\`\`\n<!-- diagram:end -->`;
    const next = readme.replace(/<!-- diagram:start -->[\s\S]*?<!-- diagram:end -->/, block);
    if (next === readme && !readme.includes(block)) throw new Error("README.md has no <!-- diagram:start --> / <!-- diagram:end --> markers");
    fs.writeFileSync(file, next);
    console.log("README.md diagram updated");
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
