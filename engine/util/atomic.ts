import { renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { OperationalError } from './errors.js';

/** Writes `path` via a temp file and rename: readers see the old file or the new one, never half. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw new OperationalError('E_WRITE', `cannot write ${path}: ${(err as Error).message}`, {
      hint: 'check that the runs folder is writable and the disk is not full',
      cause: err,
    });
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
