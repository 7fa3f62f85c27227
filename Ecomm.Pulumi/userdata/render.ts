/**
 * The instances' user data: the boot scripts in this folder (`web-server.sh`, and `db-env.sh` on the
 * backend) rendered with each service's values. Pure; tested without the engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { databaseParameterPathProblem } from "../database/parameters";
import { CLOUDWATCH_AGENT_CONFIG_PATH, cloudWatchAgentConfig, type ServiceLogGroups } from "../web/logs";

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
        if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(db.region)) throw new Error(`database.region ${db.region} must be an AWS region`);
    }
    // Validates the group names (no quote or newline can reach the quoted heredoc).
    const agentConfig = JSON.stringify(cloudWatchAgentConfig(values.logGroups), null, 2);
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
    };
    const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (match, key: string) => {
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
