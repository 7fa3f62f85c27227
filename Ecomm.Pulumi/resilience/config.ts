/**
 * `ecomm:resilience`: the AWS FIS experiment templates that prove the stack's availability
 * (ResilienceComponent). Creating the templates costs nothing; running one disrupts the environment, so
 * prod has to opt in. The limits are `experiments.ts`'s `EXPERIMENT_LIMITS`.
 */
import { z } from "zod";
import { bool, int, strict } from "../config/fields";
import type { Environment, PerEnvironment } from "../config/environments";
import { AZ_NAME } from "../network/availability-zones";
import { EXPERIMENT_LIMITS } from "./experiments";

/** Create the experiment templates: on in dev, opt-in in prod. */
export const RESILIENCE_ENABLED_DEFAULTS: PerEnvironment<boolean> = { dev: true, prod: false };

const limited = (key: keyof typeof EXPERIMENT_LIMITS) => int(EXPERIMENT_LIMITS[key].min, EXPERIMENT_LIMITS[key].max);

export function resilienceSchema(env: Environment) {
    return strict({
        /** Create the experiment templates (on in dev, opt-in in prod). */
        enabled: bool().default(RESILIENCE_ENABLED_DEFAULTS[env]),
        /** The AZ the AZ experiments hit; the first AZ of the VPC when absent. */
        targetAvailabilityZone: z.string().regex(AZ_NAME, { error: "must be an availability zone name such as us-east-1a" }).optional(),
        /** How long the AZ's web instances stay powered off (and launches there fail), minutes. */
        azPowerLossMinutes: limited("azPowerLossMinutes").default(10),
        /** How long the AZ's private subnets are cut off, minutes. */
        networkDisruptionMinutes: limited("networkDisruptionMinutes").default(5),
        /** How long the backend instances are CPU-stressed, minutes. */
        cpuStressMinutes: limited("cpuStressMinutes").default(5),
        /** Target CPU load of the stress, percent (above the scaling target, or nothing scales out). */
        cpuStressPercent: limited("cpuStressPercent").default(90),
    }).prefault({});
}

export type ResilienceConfig = z.output<ReturnType<typeof resilienceSchema>>;
