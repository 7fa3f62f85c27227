/**
 * What a web instance's role may do, and nothing more: Session Manager, Run Command (what FIS's CPU-stress
 * action sends), and the CloudWatch agent writing to its own service's log groups. No SSM parameter, no
 * secret: a service that needs the database's parameters gets exactly those from `DatabaseAccessComponent`.
 *
 * Replaces the managed `AmazonSSMManagedInstanceCore` (which allows `ssm:GetParameter*` on `*`, so the
 * frontend could read the database's parameters) and `CloudWatchAgentServerPolicy` (which allows writing to
 * every log group, creating groups, `ssm:GetParameter` on `AmazonCloudWatch-*` and `ec2:Describe*`; this
 * agent reads its config from a file and ships logs only). Pure: tested without the engine.
 */
import type { PolicyStatement } from "../shared/iam";

/**
 * Session Manager: the SSM Agent registers the instance and opens the session channels. AWS's own minimal
 * instance-profile policy for Session Manager (the managed `AWSCloud9SSMInstanceProfile`, and Systems
 * Manager User Guide "Create a custom IAM instance profile for Session Manager") is exactly these five.
 */
export const SESSION_MANAGER_ACTIONS = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
] as const;

/**
 * Run Command: the agent polls ec2messages for commands (FIS `aws:ssm:send-command`, an operator's
 * `aws ssm send-command`). These are the ec2messages actions of `AmazonSSMManagedInstanceCore`; none reads data.
 */
export const RUN_COMMAND_ACTIONS = [
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
] as const;

/** The CloudWatch agent, shipping files to groups that already exist (the program creates them). */
export const LOG_SHIPPING_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"] as const;

/**
 * The instance role's statements for a service whose log groups have these ARNs (`arn:...:log-group:<name>`,
 * as `aws.cloudwatch.LogGroup.arn` gives them). Streams are `<group ARN>:log-stream:<name>`, so each group
 * is granted as `<arn>` and `<arn>:*`.
 */
export function instanceRoleStatements(logGroupArns: readonly string[]): PolicyStatement[] {
    if (logGroupArns.length === 0) throw new Error("instanceRoleStatements needs the service's log group ARNs");
    for (const arn of logGroupArns) {
        if (!/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_./#-]+$/.test(arn)) throw new Error(`"${arn}" is not a log group ARN`);
    }
    return [
        // These actions have no resource type to scope them to (Service Authorization Reference): "*".
        { Sid: "SessionManager", Effect: "Allow", Action: [...SESSION_MANAGER_ACTIONS], Resource: "*" },
        { Sid: "RunCommand", Effect: "Allow", Action: [...RUN_COMMAND_ACTIONS], Resource: "*" },
        { Sid: "ShipOwnLogs", Effect: "Allow", Action: [...LOG_SHIPPING_ACTIONS], Resource: logGroupArns.flatMap((arn) => [arn, `${arn}:*`]) },
    ];
}
