import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../tools/offline/run";

/** Every Pulumi project in the repository: its directory and its stack files. */
const PROJECTS = ["", "deploy", "examples/consumer"].map((dir) => {
    const root = path.join(PROJECT_ROOT, dir);
    const stacks = fs.readdirSync(root).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    return { dir: dir || ".", root, stacks };
});

const PULUMI_CONFIG_TYPES = ["string", "integer", "boolean", "array"];

interface ProjectFile {
    name: string;
    runtime: { name: string } | string;
    main?: string;
    config?: Record<string, unknown>;
}

// What the Pulumi CLI checks when it loads a project, which no mock-engine run exercises.
describe("Pulumi project and stack files load as the CLI would", () => {
    for (const project of PROJECTS) {
        it(`${project.dir}: Pulumi.yaml parses and its config declarations are ones Pulumi accepts`, () => {
            const doc = parse(fs.readFileSync(path.join(project.root, "Pulumi.yaml"), "utf8")) as ProjectFile;
            assert.match(doc.name, /^[A-Za-z0-9_.-]+$/);
            const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime.name;
            assert.equal(runtime, "nodejs");
            if (doc.main) assert.ok(fs.existsSync(path.join(project.root, doc.main)), `main ${doc.main} exists`);
            const stackConfigs = project.stacks.map((f) => ({ file: f, config: ((parse(fs.readFileSync(path.join(project.root, f), "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {} }));
            assert.ok(stackConfigs.length > 0, "at least one stack file");
            for (const [key, decl] of Object.entries(doc.config ?? {})) {
                const full = key.includes(":") ? key : `${doc.name}:${key}`;
                assert.ok(full.startsWith(`${doc.name}:`), `${key}: only the project's own keys may be declared with a type`);
                assert.ok(decl && typeof decl === "object", `${key}: a declaration is an object with type and description`);
                const d = decl as { type?: string; description?: string; default?: unknown };
                assert.ok(d.type !== undefined && PULUMI_CONFIG_TYPES.includes(d.type), `${key}: type ${String(d.type)} is not one Pulumi supports`);
                assert.equal(typeof d.description, "string", `${key}: has a description`);
                if (d.default === undefined) {
                    for (const s of stackConfigs) {
                        const value = s.config[full] ?? s.config[key.replace(`${doc.name}:`, "")];
                        assert.notEqual(value, undefined, `${s.file} must set ${full}: Pulumi refuses a stack missing a declared key without a default`);
                        if (d.type === "string") assert.equal(typeof value, "string", `${s.file}: ${full} must be a string`);
                    }
                }
            }
        });
    }
});
