/**
 * The SSM parameters through which the backend finds its database: names are plain strings, known before
 * the database exists, so the backend's user data can name them while the values are written after the
 * database is created (no ordering cycle between the backend and the database).
 */

export const DATABASE_PARAMETER_KEYS = ["endpoint", "port", "name", "secret-arn"] as const;
export type DatabaseParameterKey = (typeof DATABASE_PARAMETER_KEYS)[number];

/** SSM parameter names: `/` separated segments of letters, digits and `_ . -`, at most 1011 characters here. */
const PARAMETER_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

export function databaseParameterPathProblem(path: string): string | undefined {
    if (!PARAMETER_PATH.test(path)) return `"${path}" must be an SSM parameter path such as /ecomm/dev/database`;
    if (path.toLowerCase().startsWith("/aws") || path.toLowerCase().startsWith("/ssm")) return `"${path}" must not start with /aws or /ssm (reserved)`;
    if (path.length > 1000) return `"${path}" is longer than 1000 characters`;
    return undefined;
}

/** `/ecomm/dev/database` → `{ endpoint: "/ecomm/dev/database/endpoint", ... }`. */
export function databaseParameterNames(path: string): Readonly<Record<DatabaseParameterKey, string>> {
    const problem = databaseParameterPathProblem(path);
    if (problem) throw new Error(problem);
    return {
        endpoint: `${path}/endpoint`,
        port: `${path}/port`,
        name: `${path}/name`,
        "secret-arn": `${path}/secret-arn`,
    };
}
