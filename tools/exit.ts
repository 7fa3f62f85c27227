/**
 * How the repository's commands end: with the command's exit code once stdout has drained (`process.exit`
 * right after a large write to a pipe cuts the output short), or, on an unexpected error, printing it and
 * exiting 1.
 */
export function exitWhenDone(run: Promise<number>): void {
    run.then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (err: unknown) => {
            console.error(err);
            process.exit(1);
        },
    );
}

/**
 * Runs `main` with the command-line arguments when `file` is the script node started
 * (`node scripts/run-ts.cjs <file>` sets argv[1] to it), not when a test imports the module.
 */
export function runAsScript(file: string, main: (argv: string[]) => Promise<number>): void {
    if (process.argv[1] === file) exitWhenDone(main(process.argv.slice(2)));
}
