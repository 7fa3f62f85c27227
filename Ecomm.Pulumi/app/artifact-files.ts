/**
 * Writes the storefront's artifacts where the ArtifactComponent uploads them from: `<outDir>/<service>-<sha256>.tar.gz`
 * under the project directory, the same names `npm run app:build` writes. Content-addressed, so a file is
 * written once per build and the asset path changes exactly when the bytes do. Called by the stack program
 * (not by a component): it is the program's one write.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Artifact } from "../../storefront/build";
import type { ServiceArtifact } from "./artifact-component";

/** Where the program writes the artifacts, relative to the project directory (ignored by git). */
export const ARTIFACT_OUT_DIR = "storefront/dist";

export function writeArtifacts(artifacts: readonly Artifact[], projectDir: string, outDir: string = ARTIFACT_OUT_DIR): ServiceArtifact[] {
    return artifacts.map((a) => {
        const file = path.posix.join(outDir.split(path.sep).join("/"), `${a.service}-${a.sha256}.tar.gz`);
        const abs = path.join(projectDir, file);
        const same = fs.existsSync(abs) && fs.readFileSync(abs).equals(a.bytes);
        if (!same) {
            fs.mkdirSync(path.dirname(abs), { recursive: true });
            const tmp = `${abs}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, a.bytes);
            fs.renameSync(tmp, abs);
        }
        return { service: a.service, key: a.key, sha256: a.sha256, file };
    });
}
