/**
 * JSON lines on stdout (journald keeps them under the unit's name; the CloudWatch agent ships the journal):
 * `{"level":"info","time":"...","msg":"...",...}`. Deliberately not fastify's per-request pino child
 * loggers: the backend logs state changes and failures, not every request, and a child logger per request
 * cost a tenth of the catalogue's throughput.
 */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

export interface Log {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
}

export function isLogLevel(value: string): value is LogLevel {
    return Object.hasOwn(LOG_LEVELS, value);
}

export function jsonLog(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
    const min = LOG_LEVELS[level];
    const at =
        (name: "info" | "warn" | "error") =>
        (obj: object, msg?: string): void => {
            if (LOG_LEVELS[name] < min) return;
            write(`${JSON.stringify({ level: name, time: new Date().toISOString(), msg, ...obj })}\n`);
        };
    return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** For tests and embedding: drops everything. */
export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
