/**
 * Entry point of `npm run gameday` (see command.ts for the command): wires argv, stdout/stderr, the AWS
 * SDK clients, the real clock, and SIGINT — the first Ctrl-C stops the experiment, a second one exits.
 */
import { setTimeout as wait } from "node:timers/promises";
import { awsClients, awsProbes } from "./probes";
import { gamedayCommand, offlineScorecard, pulumiStackOutputs } from "./command";
import { PROJECT_ROOT } from "../offline/stack-file";
import { exitWhenDone } from "../exit";

const controller = new AbortController();
process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    console.error("\nCtrl-C: stopping the experiment (again to quit at once)…");
    controller.abort();
});

exitWhenDone(
    gamedayCommand(process.argv.slice(2), {
        out: (text) => console.log(text),
        err: (text) => console.error(text),
        stackOutputs: (stack) => pulumiStackOutputs(stack, PROJECT_ROOT),
        scorecard: (stack, environment) => offlineScorecard(stack, environment, PROJECT_ROOT),
        probes: (region) => awsProbes(awsClients(region)),
        now: () => Date.now(),
        sleep: (ms, signal) => wait(ms, undefined, { signal }).catch(() => undefined),
        signal: controller.signal,
    }),
);
