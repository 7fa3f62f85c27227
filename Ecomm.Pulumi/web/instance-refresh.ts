/** Rolling instance refresh: its preferences and what rolls it back. Pure. */

/** What makes a refresh roll itself back (see `ServiceComponentArgs.refreshRollback`). */
export interface RefreshRollback {
    readonly alarmNames: readonly string[];
    readonly checkpointDelaySeconds: number;
}

/**
 * Checkpoints of a rolling refresh: half the group, then all of it. At each, EC2 Auto Scaling pauses for the
 * checkpoint delay; the pause at 100 % is what lets the alarms judge the last instances before the refresh
 * counts as done (a finished refresh can no longer roll back).
 */
export const REFRESH_CHECKPOINT_PERCENTAGES = [50, 100] as const;

/** StartInstanceRefresh accepts at most 10 alarms in an alarm specification. */
export const MAX_REFRESH_ALARMS = 10;

/**
 * Instance-refresh preferences: keep `minHealthyPercent` of the group in service, and (without a warm
 * pool) launch replacements before terminating (max healthy = min + 100, at most 200), so a 3-instance
 * group never drops to 2 while refreshing. Instances already on the new template are skipped.
 *
 * Always `autoRollback`: a refresh that fails (new instances never healthy) is undone without a person. It
 * works because the group pins a numbered template version whose image is an AMI id, not `$Latest` nor an
 * SSM alias (EC2 Auto Scaling API Reference, RefreshPreferences.AutoRollback). With `rollback` alarms, it
 * also rolls back as soon as one of them goes to ALARM, and pauses at each checkpoint for them to judge.
 */
export function instanceRefreshPreferences(minHealthyPercent: number, instanceWarmupSeconds: number, warmPool: boolean, rollback?: RefreshRollback) {
    if (rollback) {
        if (rollback.alarmNames.length === 0 || rollback.alarmNames.length > MAX_REFRESH_ALARMS)
            throw new Error(`an instance refresh watches 1 to ${MAX_REFRESH_ALARMS} alarms, not ${rollback.alarmNames.length}`);
        if (!Number.isInteger(rollback.checkpointDelaySeconds) || rollback.checkpointDelaySeconds < 0 || rollback.checkpointDelaySeconds > 172800)
            throw new Error(`checkpointDelaySeconds (${rollback.checkpointDelaySeconds}) must be a whole number from 0 to 172800`);
    }
    return {
        minHealthyPercentage: minHealthyPercent,
        ...(warmPool ? {} : { maxHealthyPercentage: Math.min(200, minHealthyPercent + 100) }),
        instanceWarmup: String(instanceWarmupSeconds),
        skipMatching: true,
        autoRollback: true,
        ...(rollback
            ? {
                  alarmSpecification: { alarms: [...rollback.alarmNames] },
                  checkpointPercentages: [...REFRESH_CHECKPOINT_PERCENTAGES],
                  checkpointDelay: String(rollback.checkpointDelaySeconds),
              }
            : {}),
    };
}
