/**
 * The alert topic's resource policies, pure: who may use the topic's KMS key and who may publish to
 * the topic (CloudWatch alarms of this account only).
 */

/** The alert key's policy: the account administers it; CloudWatch and EventBridge may encrypt with it. */
export function alertKeyPolicy(accountId: string, partition: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                // What publishing to an encrypted topic needs (SNS encryption-at-rest docs).
                Sid: "AlarmServicesPublishEncrypted",
                Effect: "Allow",
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
        ],
    };
}

/** The topic's policy: the account keeps full control; CloudWatch may publish for this account only. */
export function alertTopicPolicy(topicArn: string, accountId: string, partition: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // Setting a policy replaces SNS's default one; this keeps what the default gave the owner.
                Sid: "AccountManagesTopic",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:AddPermission",
                    "sns:RemovePermission",
                    "sns:DeleteTopic",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                Resource: topicArn,
            },
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                // Only alarms in this account (confused-deputy guard).
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}
