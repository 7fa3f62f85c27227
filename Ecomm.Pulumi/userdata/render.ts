/**
 * The instances' user data: the boot scripts in this folder (`web-server.sh`, and `db-env.sh` on the
 * backend) rendered with each service's values. Pure; tested without the engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { databaseParameterPathProblem } from "../database/parameters";
import { CLOUDWATCH_AGENT_CONFIG_PATH, cloudWatchAgentConfig, type ServiceLogGroups } from "../web/logs";
import { appPortProblem, artifactRefProblems, AWS_REGION, DEFAULT_APP_PORT, type ArtifactRef } from "../app/artifact-plan";

export type { ArtifactRef } from "../app/artifact-plan";

export type ServiceRole = "frontend" | "backend";

/** The user-data template: a shell script in the repo, with `{{KEY}}` placeholders. */
export const USER_DATA_TEMPLATE = path.join(__dirname, "web-server.sh");
/** The backend's `ecomm-db-env` script, embedded in its user data. */
export const DB_ENV_SCRIPT = path.join(__dirname, "db-env.sh");

export interface UserDataValues {
    readonly role: ServiceRole;
    readonly port: number;
    readonly healthCheckPath: string;
    /** The ALB's idle timeout: nginx keeps connections open longer, so the ALB is always the side closing. */
    readonly loadBalancerIdleTimeoutSeconds: number;
    /** The service's log groups, one per shipped file. */
    readonly logGroups: ServiceLogGroups;
    /**
     * Backend only: the SSM parameter path holding the database's connection values, and the region.
     * @default undefined (no database access; the frontend)
     */
    readonly database?: { readonly parameterPath: string; readonly region: string };
    /**
     * The service's app artifact (a `.tar.gz` in S3): the boot script downloads it through the S3 gateway
     * endpoint, checks its sha256, unpacks it to `/opt/ecomm/<role>/<sha256>`; the frontend's nginx serves it,
     * the backend runs it (`node server.js`) as the systemd unit `ecomm-backend` behind nginx. A different
     * artifact renders a different script, so a new app build gives a new launch template version.
     * @default undefined (placeholder pages served by nginx alone)
     */
    readonly artifact?: ArtifactRef;
    /**
     * Backend with an artifact: the loopback port the app listens on; nginx proxies the service's port to it.
     * @default 8080
     */
    readonly appPort?: number;
}

/**
 * nginx's keepalive timeout for a given ALB idle timeout: 15 s longer, so nginx never closes a connection
 * the ALB is about to reuse (which surfaces as 502s).
 */
export function targetKeepAliveSeconds(loadBalancerIdleTimeoutSeconds: number): number {
    return loadBalancerIdleTimeoutSeconds + 15;
}

const SAFE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/** Renders the user-data script for a service; refuses values that could break out of the shell quoting. */
export function renderUserData(values: UserDataValues, template: string = fs.readFileSync(USER_DATA_TEMPLATE, "utf8")): string {
    if (!Number.isInteger(values.port) || values.port < 1 || values.port > 65535) throw new Error(`port ${values.port} must be 1-65535`);
    if (!Number.isInteger(values.loadBalancerIdleTimeoutSeconds) || values.loadBalancerIdleTimeoutSeconds < 1) {
        throw new Error(`loadBalancerIdleTimeoutSeconds ${values.loadBalancerIdleTimeoutSeconds} must be a whole number of seconds`);
    }
    if (!SAFE_PATH.test(values.healthCheckPath)) throw new Error(`healthCheckPath ${values.healthCheckPath} must be a plain URL path`);
    const db = values.database;
    if (db) {
        const problem = databaseParameterPathProblem(db.parameterPath);
        if (problem) throw new Error(`database.parameterPath ${problem}`);
        if (!AWS_REGION.test(db.region)) throw new Error(`database.region ${db.region} must be an AWS region`);
    }
    const artifact = values.artifact;
    if (artifact) {
        const problems = artifactRefProblems(artifact);
        if (problems.length > 0) throw new Error(problems.join("; "));
    }
    const appPort = values.appPort ?? DEFAULT_APP_PORT;
    const backendApp = values.role === "backend" && artifact !== undefined;
    if (backendApp) {
        const problem = appPortProblem(appPort, values.port);
        if (problem) throw new Error(`appPort ${appPort} ${problem}`);
    }
    // Validates the group names (no quote or newline can reach the quoted heredoc).
    const agentConfig = JSON.stringify(cloudWatchAgentConfig(values.logGroups));
    const vars: Record<string, string> = {
        ROLE: values.role,
        PORT: String(values.port),
        HEALTH_CHECK_PATH: values.healthCheckPath,
        KEEPALIVE_SECONDS: String(targetKeepAliveSeconds(values.loadBalancerIdleTimeoutSeconds)),
        CLOUDWATCH_AGENT_CONFIG_PATH,
        CLOUDWATCH_AGENT_CONFIG: agentConfig,
        DB_PARAMETER_PATH: db?.parameterPath ?? "",
        REGION: db?.region ?? "",
        DB_ENV_SCRIPT: db ? fs.readFileSync(DB_ENV_SCRIPT, "utf8").trimEnd() : "",
        ARTIFACT_BUCKET: artifact?.bucket ?? "",
        ARTIFACT_KEY: artifact?.key ?? "",
        ARTIFACT_HASH: artifact?.sha256 ?? "",
        ARTIFACT_REGION: artifact?.region ?? "",
        APP_PORT: backendApp ? String(appPort) : "",
    };
    // The template's comments document it in the repo; the instance gets the code (EC2 takes 16 KB of user
    // data). Only whole comment lines go, the first two (shebang and title) stay; the embedded db-env script
    // is substituted afterwards and keeps its own.
    const code = template
        .split("\n")
        .filter((line, i) => i < 2 || !/^\s*#/.test(line))
        .join("\n");
    const rendered = code.replace(/\{\{([A-Z_]+)\}\}/g, (match, key: string) => {
        const value = vars[key];
        if (value === undefined) throw new Error(`user-data template has an unknown placeholder ${match}`);
        return value;
    });
    return rendered;
}

/** Launch templates take user data base64-encoded. */
export function base64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}
