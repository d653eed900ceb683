/**
 * Readers and the one writer of the project database inside the server: DuckDB's file lock is
 * per process, so two instances of one process could attach the file read-only and read-write at
 * once and the reader see pages the writer moves. Reads share the lock; an upload's commit waits
 * for them and holds it alone (waiting writers go first, so reads can't starve it).
 */
import type { StateKey } from '../../util/state.js';

export class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private readonly pending: Array<{ write: boolean; go: () => void }> = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.readers--;
      this.next();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.writing = false;
      this.next();
    }
  }

  private acquire(write: boolean): Promise<void> {
    if (!this.pending.length && this.free(write)) {
      this.take(write);
      return Promise.resolve();
    }
    return new Promise((go) => this.pending.push({ write, go }));
  }

  private free(write: boolean): boolean {
    return !this.writing && (!write || this.readers === 0);
  }

  private take(write: boolean): void {
    if (write) this.writing = true;
    else this.readers++;
  }

  /** Reads and writes waiting for the lock. */
  get waiting(): number {
    return this.pending.length;
  }

  private next(): void {
    while (this.pending.length && this.free(this.pending[0]!.write)) {
      const w = this.pending.shift()!;
      this.take(w.write);
      w.go();
      if (w.write) return;
    }
  }
}

/** The project database's lock of a server (one per engine state). */
export const DATABASE_LOCK: StateKey<ReadWriteLock> = { name: 'project database lock', create: () => new ReadWriteLock() };
