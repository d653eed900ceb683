import { appendFileSync } from 'node:fs';

export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** Appends `time level message` lines to a file (the run log). */
export function fileLogger(path: string, clock: () => Date = () => new Date()): Logger {
  return {
    log(level, message) {
      appendFileSync(path, `${clock().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`);
    },
  };
}

export function teeLogger(...loggers: Logger[]): Logger {
  return { log: (level, message) => loggers.forEach((l) => l.log(level, message)) };
}

export const silentLogger: Logger = { log: () => {} };
