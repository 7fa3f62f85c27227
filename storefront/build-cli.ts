/** `npm run app:build -- [--out DIR]`: writes both artifacts (default storefront/dist) and prints them as JSON. */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildStorefront, STOREFRONT_DIR } from "./build";

async function main(argv: readonly string[]): Promise<void> {
    let out = path.join(STOREFRONT_DIR, "dist");
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--out" && argv[i + 1]) out = path.resolve(argv[++i]);
        else if (argv[i] === "--help") {
            console.log("usage: npm run app:build -- [--out DIR]   (default storefront/dist)");
            return;
        } else throw new Error(`app:build: unknown argument "${argv[i]}"; expected --out DIR`);
    }
    const build = await buildStorefront();
    fs.mkdirSync(out, { recursive: true });
    const summary: Record<string, unknown> = {};
    for (const a of [build.backend, build.frontend]) {
        const file = path.join(out, `${a.service}-${a.sha256}.tar.gz`);
        fs.writeFileSync(file, a.bytes);
        summary[a.service] = { key: a.key, sha256: a.sha256, bytes: a.bytes.length, file, files: a.manifest.files.map((f) => f.path) };
    }
    console.log(JSON.stringify(summary, null, 2));
}

main(process.argv.slice(2)).catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
});
