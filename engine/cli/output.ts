import { QuireError, ValidationErrors, formatError } from '../util/errors.js';

/** Prints an error for a person: typed errors plainly, bugs with their stack. */
export function printError(err: unknown, opts: { debug?: boolean } = {}): void {
  if (err instanceof ValidationErrors) {
    for (const e of err.errors) process.stderr.write(`${formatError(e)}\n\n`);
    process.stderr.write(`${err.message}\n`);
  } else if (err instanceof QuireError && err.kind !== 'unexpected') {
    process.stderr.write(`${formatError(err)}\n`);
    if (opts.debug && err.stack) process.stderr.write(`${err.stack}\n`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`internal error (a bug in quire, please report it): ${e.message}\n${e.stack ?? ''}\n`);
  }
}
