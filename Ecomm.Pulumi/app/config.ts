/**
 * `ecomm:app`: which app the instances run, and where its artifacts come from. This area's part of the
 * stack's config schema (composed by the stack schema), with its defaults and its cross-area rule (the
 * storefront needs PostgreSQL).
 *
 *   source: storefront   (default) the program builds the storefront (storefront/), uploads one artifact per
 *                        service to its own bucket, and the instances run it.
 *   source: artifact     a team's own app: `artifacts.<service>` names an object it built (bucket in the
 *                        stack's region, key, sha256). The boot path is the same: download through the S3
 *                        gateway endpoint, sha256 check, unpack by hash; the frontend's nginx serves it, the
 *                        backend runs `node server.js` as `ecomm-backend` (the app contract, storefront/README.md).
 *                        Each instance role may read exactly its own service's key; the bucket's own policy
 *                        (and any KMS key) is the team's to open to those roles.
 *   source: none         no app: nginx serves the placeholder pages (infrastructure tests; or an AMI that
 *                        brings its own app, `ecomm:<service>.ami`).
 */
import { z } from "zod";
import { strictObject } from "../config/parse";
import { BUILT_IN_SERVICE_NAMES } from "../web/services";
import { appPortProblem, bucketNameProblem, DEFAULT_APP_PORT, objectKeyProblem, SHA256_HEX } from "./artifact-plan";

export const APP_SOURCES = ["storefront", "artifact", "none"] as const;
export type AppSource = (typeof APP_SOURCES)[number];
/** The services an artifact can be given for: the built-in ones (the storefront's two parts). */
export const APP_SERVICES = BUILT_IN_SERVICE_NAMES;

/** The database engines the storefront can use (its backend speaks PostgreSQL only). */
export const STOREFRONT_ENGINES: readonly string[] = ["postgres"];

const ownArtifact = strictObject({
    bucket: z.string({ error: "must be an S3 bucket name" }).superRefine((v, ctx) => {
        const problem = bucketNameProblem(v);
        if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
    }),
    key: z.string({ error: "must be an S3 object key" }).superRefine((v, ctx) => {
        const problem = objectKeyProblem(v);
        if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
    }),
    sha256: z.string({ error: "must be the object's sha256, 64 lowercase hex digits" }).regex(SHA256_HEX, { error: "must be the object's sha256, 64 lowercase hex digits" }),
});
export type OwnArtifact = z.infer<typeof ownArtifact>;

export function appSchema() {
    return strictObject({
        /** Which app the instances run. @default "storefront" */
        source: z.enum(APP_SOURCES, { error: `must be one of: ${APP_SOURCES.join(" | ")}` }).default("storefront"),
        /** `source: artifact` only: the team's artifact per service (at least one). */
        artifacts: strictObject({ frontend: ownArtifact.optional(), backend: ownArtifact.optional() }).optional(),
        /** The loopback port the backend app listens on (`PORT`); nginx proxies the service's port to it. @default 8080 */
        appPort: z
            .number({ error: "must be a whole number" })
            .superRefine((v, ctx) => {
                const problem = appPortProblem(v);
                if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
            })
            .default(DEFAULT_APP_PORT),
    })
        .superRefine((app, ctx) => {
            const given = APP_SERVICES.filter((s) => app.artifacts?.[s] !== undefined);
            if (app.source === "artifact" && given.length === 0) {
                ctx.addIssue({ code: "custom", path: ["artifacts"], input: app.artifacts, message: `source artifact needs ecomm:app.artifacts.frontend and/or ecomm:app.artifacts.backend ({ bucket, key, sha256 })` });
            }
            if (app.source !== "artifact" && app.artifacts !== undefined) {
                ctx.addIssue({ code: "custom", path: ["artifacts"], input: app.artifacts, message: `is used only with ecomm:app.source artifact (source is ${app.source})` });
            }
        })
        .default({ source: "storefront", appPort: DEFAULT_APP_PORT });
}

export type AppConfig = z.infer<ReturnType<typeof appSchema>>;

/**
 * The storefront with a database engine it cannot use: refused, naming `ecomm:database.engine` (the stack
 * schema reports it at that key). Undefined when the combination works.
 */
export function storefrontEngineProblem(source: AppSource, engine: string): string | undefined {
    if (source !== "storefront" || STOREFRONT_ENGINES.includes(engine)) return undefined;
    return `the storefront (ecomm:app.source storefront, the default) speaks PostgreSQL only: set ecomm:database.engine to ${STOREFRONT_ENGINES.join(" | ")}, or bring your own app (ecomm:app.source artifact) or none (ecomm:app.source none)`;
}
