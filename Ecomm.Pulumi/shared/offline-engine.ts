/**
 * Whether the program runs under the repository's offline engine (`tools/offline/run.ts`: tests,
 * `npm run plan`, the game-day tooling) rather than under `pulumi preview`/`up`.
 *
 * Only the offline engine sets this, in-process, right before it loads the program; nothing a user can
 * type (no environment variable, no config key, no CLI flag) turns it on. Under the real engine it is
 * always off, so the placeholder guard (`placeholders.ts`) always runs there.
 */
const OFFLINE_ENGINE = Symbol.for("ecomm.offlineEngine");

type Flagged = { [OFFLINE_ENGINE]?: boolean };

/** Called by the offline engine only: `true` before it runs the program offline, `false` to run it as the real engine would. */
export function setOfflineEngine(on: boolean): void {
    // On globalThis, so a second copy of this module (another resolution path) sees the same flag.
    (globalThis as Flagged)[OFFLINE_ENGINE] = on;
}

export function isOfflineEngine(): boolean {
    return (globalThis as Flagged)[OFFLINE_ENGINE] === true;
}
