/**
 * Throwaway files that hand tables to DuckDB, in memory (tmpfs) where there is one: a disk's page
 * cache writes files back, and rewriting them then waits. A file is kept a few seconds after use
 * and the next table is written over it in place: a new tmpfs file has its memory mapped in and
 * cleared page by page, which costs about as much as writing the table. Names carry the process
 * id; files of processes that no longer run (killed before cleaning up) are removed on first use.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../engine/util/process-alive.js';

export const SCRATCH_DIRS = [...(existsSync('/dev/shm') ? ['/dev/shm'] : []), tmpdir()];
const IDLE_MS = 5_000;
const NAME = /^quire-(\d+)-[0-9a-f-]+\.parquet$/;

const idle = new Map<string, string[]>();
const made = new Set<string>();
let timer: NodeJS.Timeout | null = null;
let swept = false;

function sweepStale(): void {
  swept = true;
  for (const dir of SCRATCH_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = Number(NAME.exec(name)?.[1] ?? NaN);
      if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(dir, name), { force: true });
    }
  }
}

function removeAll(): void {
  for (const file of made) rmSync(file, { force: true });
  made.clear();
  idle.clear();
}

/** A file in `dir` (one of SCRATCH_DIRS) to write over; it may hold an earlier table. */
export function takeScratch(dir: string): string {
  if (!swept) {
    sweepStale();
    process.once('exit', removeAll);
  }
  const kept = idle.get(dir)?.pop();
  if (kept) return kept;
  const file = join(dir, `quire-${process.pid}-${randomUUID()}.parquet`);
  made.add(file);
  return file;
}

/** Done with a file: kept for the next table a little while, then removed. `broken`: remove now. */
export function releaseScratch(dir: string, file: string, broken = false): void {
  if (broken) {
    rmSync(file, { force: true });
    made.delete(file);
    return;
  }
  idle.set(dir, [...(idle.get(dir) ?? []), file]);
  if (timer) timer.refresh();
  else {
    timer = setTimeout(() => {
      timer = null;
      for (const files of idle.values()) for (const f of files) {
        rmSync(f, { force: true });
        made.delete(f);
      }
      idle.clear();
    }, IDLE_MS);
    timer.unref();
  }
}
