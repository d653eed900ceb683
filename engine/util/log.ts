import { closeSync, openSync, writeSync } from 'node:fs';

export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

/**
 * Appends `time level message` lines to a file (the run log), each written through at once; the
 * file stays open until `close()` (a line after that reopens it).
 */
export function fileLogger(path: string, clock: () => Date = () => new Date()): Logger & { close(): void } {
  let fd: number | undefined;
  return {
    log(level, message) {
      fd ??= openSync(path, 'a');
      writeSync(fd, `${clock().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

export function teeLogger(...loggers: Logger[]): Logger {
  return {
    log: (level, message) => {
      for (const l of loggers) l.log(level, message);
    },
  };
}

export const silentLogger: Logger = { log: () => {} };
