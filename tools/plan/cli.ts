/**
 * Entry point of `npm run plan -- --stack <name> [--json]` (see command.ts for the command): wires argv,
 * stdout/stderr and the exit code.
 */
import { planCommand } from "./command";

planCommand(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    stdout: process.stdout,
}).then(
    // Exit once stdout has drained: process.exit right after a large write to a pipe cuts the output short.
    (code) => process.stdout.write("", () => process.exit(code)),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    },
);
