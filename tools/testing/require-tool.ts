/**
 * Tests that need a tool npm cannot install (chromium, shellcheck, openssl): they skip with a visible reason
 * where the tool is missing, unless `ECOMM_REQUIRE_TOOLS` (a comma list, or `all`) names it — then a missing
 * tool fails the test. CI installs the tools and sets the variable, so CI can never pass by skipping.
 *
 *   const chromium = requireTool("chromium");
 *   test("browser", { skip: chromium.skip }, () => { const exe = chromium.path(); ... });
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface ToolCheck {
    readonly name: string;
    /** For node:test's `skip` option: a reason when missing and not required, else false. */
    readonly skip: string | false;
    /** The executable; throws (failing the test) when the tool is missing but required. */
    path(): string;
}

export interface RequireToolOptions {
    readonly env?: Readonly<Record<string, string | undefined>>;
    /** Where to look first (e.g. Debian's /usr/bin/chromium), before PATH. */
    readonly candidates?: readonly string[];
    /** The executable names to look for on PATH. @default [name] */
    readonly executables?: readonly string[];
    /** For tests of this helper. */
    readonly isExecutable?: (file: string) => boolean;
}

/** Whether `ECOMM_REQUIRE_TOOLS` makes `name` mandatory. */
export function toolRequired(name: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
    const list = (env.ECOMM_REQUIRE_TOOLS ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
    return list.includes("all") || list.includes(name.toLowerCase());
}

function executable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export function requireTool(name: string, options: RequireToolOptions = {}): ToolCheck {
    const env = options.env ?? process.env;
    const isExec = options.isExecutable ?? executable;
    const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
    const names = options.executables ?? [name];
    const found = [...(options.candidates ?? []), ...dirs.flatMap((d) => names.map((n) => path.join(d, n)))].find(isExec);
    const required = toolRequired(name, env);
    const missing = `${name} is not installed (looked in ${[...(options.candidates ?? []), "PATH"].join(", ")})`;
    return {
        name,
        skip: found || required ? false : `${missing}; install it to run this test (ECOMM_REQUIRE_TOOLS=${name} makes it mandatory)`,
        path: () => {
            if (found) return found;
            throw new Error(`${missing}, and ECOMM_REQUIRE_TOOLS=${env.ECOMM_REQUIRE_TOOLS ?? ""} requires it`);
        },
    };
}
