/**
 * The environments a stack can be (`ecomm:environment`). Each area keeps its own defaults per environment
 * beside its part of the schema (`network/config.ts`, `web/config.ts`, ...); this module only names them.
 */
import { ECOMM_ENVIRONMENTS } from "../outputs";

/** The config namespace of every key the program reads. */
export const CONFIG_NAMESPACE = "ecomm";

/** The environments; the output contract's list (`outputs.ts`) is the one definition. */
export const ENVIRONMENTS = ECOMM_ENVIRONMENTS;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A value per environment: an area's defaults table. */
export type PerEnvironment<T> = Readonly<Record<Environment, T>>;
