/**
 * Turns `ecomm:app` into each built-in service's app (artifact + its role's one read statement), the same
 * path whoever built the artifact: the storefront's, built here and uploaded to the ArtifactComponent's
 * bucket, or a team's own object. Called once by the stack program.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildStorefront } from "../../storefront/build";
import type { ServiceApp } from "../web/service-component";
import type { ServiceRole } from "../userdata/render";
import { ArtifactComponent } from "./artifact-component";
import { artifactReadStatement, bucketArnOf, ownArtifactRef, partitionOf } from "./artifact-plan";
import { writeArtifacts } from "./artifact-files";
import { APP_SERVICES, type AppConfig } from "./config";

export interface ResolvedApps {
    readonly apps: Partial<Record<ServiceRole, ServiceApp>>;
    /** The program's artifact bucket (source storefront). */
    readonly artifacts?: ArtifactComponent;
}

/** The project directory: where Pulumi runs the program (Pulumi.yaml's), and where the asset paths start. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export async function resolveApps(
    app: AppConfig,
    context: { readonly region: string; readonly forceDestroy: boolean; readonly opts: pulumi.ComponentResourceOptions },
): Promise<ResolvedApps> {
    const appPort = app.appPort;
    if (app.source === "none") return { apps: {} };
    if (app.source === "artifact") {
        const apps: Partial<Record<ServiceRole, ServiceApp>> = {};
        for (const service of APP_SERVICES) {
            const own = app.artifacts?.[service];
            if (!own) continue;
            apps[service] = {
                artifact: ownArtifactRef(own, context.region),
                readStatement: artifactReadStatement(bucketArnOf(own.bucket, partitionOf(context.region)), own.key),
                appPort,
            };
        }
        return { apps };
    }
    const build = await buildStorefront();
    const files = writeArtifacts([build.frontend, build.backend], PROJECT_DIR);
    const artifacts = new ArtifactComponent(
        "app-artifacts",
        // Paths relative to the project directory (Pulumi's working directory) keep the asset the same on every machine.
        { region: context.region, artifacts: files, forceDestroy: context.forceDestroy },
        context.opts,
    );
    const apps: Partial<Record<ServiceRole, ServiceApp>> = {};
    for (const service of APP_SERVICES) apps[service] = { artifact: artifacts.artifacts[service], readStatement: artifacts.readStatement(service), appPort };
    return { apps, artifacts };
}
