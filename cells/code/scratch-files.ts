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
import type { StateKey } from '../../engine/util/state.js';

export const SCRATCH_DIRS = [...(existsSync('/dev/shm') ? ['/dev/shm'] : []), tmpdir()];
const IDLE_MS = 5_000;
const NAME = /^quire-(\d+)-[0-9a-f-]+\.parquet$/;

function sweepStale(): void {
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

/** The scratch files of one EngineState (SCRATCH_FILES): closing it removes them all. */
export class ScratchFiles {
  private readonly idle = new Map<string, string[]>();
  private readonly made = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private swept = false;
  /** Removes the files if the process exits without closing the state. */
  private readonly onExit = () => this.close();

  /** A file in `dir` (one of SCRATCH_DIRS) to write over; it may hold an earlier table. */
  take(dir: string): string {
    if (!this.swept) {
      this.swept = true;
      sweepStale();
      process.once('exit', this.onExit);
    }
    const kept = this.idle.get(dir)?.pop();
    if (kept) return kept;
    const file = join(dir, `quire-${process.pid}-${randomUUID()}.parquet`);
    this.made.add(file);
    return file;
  }

  /** Done with a file: kept for the next table a little while, then removed. `broken`: remove now. */
  release(dir: string, file: string, broken = false): void {
    if (broken) {
      rmSync(file, { force: true });
      this.made.delete(file);
      return;
    }
    this.idle.set(dir, [...(this.idle.get(dir) ?? []), file]);
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.removeIdle(), IDLE_MS);
      this.timer.unref();
    }
  }

  private removeIdle(): void {
    this.timer = null;
    for (const files of this.idle.values())
      for (const f of files) {
        rmSync(f, { force: true });
        this.made.delete(f);
      }
    this.idle.clear();
  }

  /** Removes every file and clears the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const file of this.made) rmSync(file, { force: true });
    this.made.clear();
    this.idle.clear();
    process.off('exit', this.onExit);
  }
}

export const SCRATCH_FILES: StateKey<ScratchFiles> = { name: 'code-cell scratch files', create: () => new ScratchFiles(), close: (files) => files.close() };
