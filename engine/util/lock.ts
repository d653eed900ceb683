/** A lock file holding the owner's pid: taken with O_EXCL; a lock whose process is gone is stale. */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { processAlive } from './process-alive.js';

/** The pid holding `path`, or null when it is free or stale. */
export function lockHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isFinite(pid) && pid !== process.pid && processAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock; returns a release function, or the holder's pid when another live process has it. */
export function tryLock(path: string): { release: () => void } | { heldBy: number } {
  for (let i = 0; i < 3; i++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(path);
      if (holder !== null) return { heldBy: holder };
      try {
        unlinkSync(path); // stale: its process is gone (killed)
      } catch {
        /* someone else removed it */
      }
    }
  }
  return { heldBy: lockHolder(path) ?? -1 };
}
