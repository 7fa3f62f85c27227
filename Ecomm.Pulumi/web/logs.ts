/**
 * Pure decisions for instance logs: which files each web server ships, the log groups they go to, and the
 * CloudWatch agent's configuration (rendered to JSON, installed by the user data). No Pulumi, no AWS.
 * Agent config reference: CloudWatch User Guide, "Manually create or edit the CloudWatch agent
 * configuration file", section `logs`.
 */

/** The files each instance ships. AL2023 logs to the journal only; the user data installs rsyslog for `/var/log/messages`. */
export const LOG_FILES = {
    access: "/var/log/nginx/access.log",
    error: "/var/log/nginx/error.log",
    system: "/var/log/messages",
} as const;

/**
 * The boot script's own output (cloud-init writes the user data's stdout and stderr there): shipped to the
 * system group in a stream of its own, so a failed boot step is readable without logging in.
 */
export const BOOT_LOG_FILE = "/var/log/cloud-init-output.log";
export const BOOT_LOG_STREAM = "{instance_id}/cloud-init-output";

export type LogKind = keyof typeof LOG_FILES;
export const LOG_KINDS: readonly LogKind[] = ["access", "error", "system"];

/** A service's log group per file. */
export type ServiceLogGroups = Readonly<Record<LogKind, string>>;

/** Where the agent's configuration is written on the instance. */
export const CLOUDWATCH_AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/ecomm.json";

/** CloudWatch Logs group names: 1–512 of `[A-Za-z0-9_./#-]`. */
const LOG_GROUP_NAME = /^[A-Za-z0-9_./#-]{1,512}$/;

function checkLogGroupNames(groups: ServiceLogGroups): ServiceLogGroups {
    for (const kind of LOG_KINDS) {
        const name = groups[kind];
        if (!LOG_GROUP_NAME.test(name)) throw new Error(`log group name "${name}" (${kind}) must be 1-512 letters, digits and _ . / # -`);
    }
    return groups;
}

/** `/ecomm/dev/frontend` → `/ecomm/dev/frontend/nginx-access`, `.../nginx-error`, `.../system`. */
export function serviceLogGroupNames(prefix: string): ServiceLogGroups {
    return checkLogGroupNames({ access: `${prefix}/nginx-access`, error: `${prefix}/nginx-error`, system: `${prefix}/system` });
}

export interface AgentConfig {
    readonly agent: { readonly run_as_user: string };
    readonly logs: {
        readonly logs_collected: {
            readonly files: {
                readonly collect_list: readonly {
                    readonly file_path: string;
                    readonly log_group_name: string;
                    readonly log_stream_name: string;
                    readonly timezone: "UTC";
                }[];
            };
        };
    };
}

/**
 * The agent ships each file to its group, one stream per instance (`{instance_id}`), and the boot output to
 * the system group's `{instance_id}/cloud-init-output`. No
 * `retention_in_days` and no log-group creation: the program creates the groups with their retention, so
 * the agent never owns them.
 */
export function cloudWatchAgentConfig(groups: ServiceLogGroups): AgentConfig {
    checkLogGroupNames(groups);
    return {
        // nginx's log directory is root-only.
        agent: { run_as_user: "root" },
        logs: {
            logs_collected: {
                files: {
                    collect_list: [
                        ...LOG_KINDS.map((kind) => ({
                            file_path: LOG_FILES[kind],
                            log_group_name: groups[kind],
                            log_stream_name: "{instance_id}",
                            timezone: "UTC" as const,
                        })),
                        { file_path: BOOT_LOG_FILE, log_group_name: groups.system, log_stream_name: BOOT_LOG_STREAM, timezone: "UTC" },
                    ],
                },
            },
        },
    };
}
