/**
 * Schedules paused by a person (`quire serve`'s Schedules page, the API): `<runs>/.scheduler/paused.json`,
 * `{ "<schedule key>": { by, at } }`, written atomically. The scheduler reads it at every step: a
 * paused schedule's ticks are passed over (not run later), until it is resumed.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeJsonAtomic } from '../util/atomic.js';
import { stateDir } from './state.js';

const pausedSchema = z.record(z.string(), z.object({ by: z.string(), at: z.string() }));
export type PausedSchedules = z.infer<typeof pausedSchema>;

export function pausedPath(runsDir: string): string {
  return join(stateDir(runsDir), 'paused.json');
}

/** The paused schedules; a missing file is none, a damaged one too (the schedules keep running, as before it was written). */
export function readPaused(runsDir: string): PausedSchedules {
  const file = pausedPath(runsDir);
  if (!existsSync(file)) return {};
  try {
    const parsed = pausedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function setPaused(runsDir: string, key: string, paused: { by: string; at: string } | null): PausedSchedules {
  const all = readPaused(runsDir);
  if (paused) all[key] = paused;
  else delete all[key];
  mkdirSync(stateDir(runsDir), { recursive: true });
  writeJsonAtomic(pausedPath(runsDir), all);
  return all;
}

/** readPaused, re-read only when the file changed. */
export class PausedWatcher {
  private mtime = -2;
  private value: PausedSchedules = {};

  constructor(private readonly runsDir: string) {}

  get(): PausedSchedules {
    let m = -1;
    try {
      m = statSync(pausedPath(this.runsDir)).mtimeMs;
    } catch {
      /* no file */
    }
    if (m !== this.mtime) {
      this.mtime = m;
      this.value = m === -1 ? {} : readPaused(this.runsDir);
    }
    return this.value;
  }
}
