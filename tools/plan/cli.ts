/**
 * Entry point of `npm run plan -- --stack <name> [--json]` (see command.ts for the command): wires argv,
 * stdout/stderr and the exit code.
 */
import { planCommand } from "./command";
import { exitWhenDone } from "../exit";

exitWhenDone(
    planCommand(process.argv.slice(2), {
        out: (text) => console.log(text),
        err: (text) => console.error(text),
        stdout: process.stdout,
    }),
);
