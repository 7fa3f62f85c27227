/**
 * Offline stand-ins: a value the program requires (and refuses to run without under a real engine) that a
 * fresh clone's stack file does not have yet. `npm run plan` and the tests run on a labelled stand-in, listed
 * in the run, so the plan works before the user has completed the file. Never used by `pulumi up`: the
 * program itself has no stand-ins and refuses the missing key.
 */

export interface StandIn {
    /** The full key path, e.g. `ecomm:frontend.ami`. */
    readonly key: string;
    readonly value: string;
    /** Why the key is required and how to set it. */
    readonly reason: string;
}

/** An AMI id no region has (all zeros): unmistakably not a real image. */
export const STAND_IN_AMI = "ami-00000000000000000";

const AMI_SERVICES = ["frontend", "backend"] as const;

/**
 * Adds the stand-ins a prod stack file is missing to `config` (the engine's flat map, objects as JSON text)
 * and returns what it added. Only prod requires them; only absent values are stood in for.
 */
export function applyOfflineStandIns(config: Record<string, string>): StandIn[] {
    if (config["ecomm:environment"] !== "prod") return [];
    const added: StandIn[] = [];
    for (const service of AMI_SERVICES) {
        const key = `ecomm:${service}`;
        let value: Record<string, unknown>;
        try {
            value = config[key] === undefined ? {} : (JSON.parse(config[key]) as Record<string, unknown>);
        } catch {
            continue; // not JSON: the schema reports it
        }
        if (typeof value !== "object" || value === null || Array.isArray(value) || value.ami !== undefined) continue;
        config[key] = JSON.stringify({ ...value, ami: STAND_IN_AMI });
        added.push({
            key: `${key}.ami`,
            value: STAND_IN_AMI,
            reason: "prod pins its AMI; run `npm run ami:latest -- --stack prod --write` to set the current Amazon Linux 2023 id",
        });
    }
    return added;
}
