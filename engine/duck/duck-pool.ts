/**
 * Spare in-memory DuckDB instances of finished read-only sessions, for the next session of the
 * same engine state: starting DuckDB costs ~7 ms a run, which a long-lived process (the scheduler,
 * a program using the API) need not pay again. A spare is emptied before it is kept: no result
 * tables, nothing attached (see duck.ts). Each EngineState has its own pool (DUCK_POOL), closed
 * with it; a session without a pool starts and closes its own instance. File-access settings
 * (access.ts) can't be undone on an instance, so a spare serves only sessions of the same `key`.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { StateKey } from '../util/state.js';

const MAX_SPARE = 2;

export class DuckInstancePool {
  private readonly spare: { instance: DuckDBInstance; key: string }[] = [];
  private readonly emptying = new Set<Promise<void>>();
  /** Instances started ahead of a session (warm), not taken yet. */
  private readonly starting: { instance: Promise<DuckDBInstance | undefined>; key: string }[] = [];
  private closed = false;
  /** leave() was called: instances given back are dropped, not closed. */
  private left = false;

  constructor(private readonly max = MAX_SPARE) {}

  /** A spare for sessions of `key` (any spare without one). */
  take(key?: string): DuckDBInstance | undefined {
    if (this.closed) return undefined;
    for (let i = this.spare.length - 1; i >= 0; i--) if (key === undefined || this.spare[i]!.key === key) return this.spare.splice(i, 1)[0]!.instance;
    return undefined;
  }

  /**
   * Starts an instance with `start` for a session of `key` about to open, unless a spare or a
   * started one is there: DuckDB starts (on its own threads) while the caller reads the notebook.
   */
  warm(key: string, start: () => Promise<DuckDBInstance>): void {
    if (this.closed || this.spare.some((s) => s.key === key) || this.starting.some((s) => s.key === key)) return;
    this.starting.push({ key, instance: start().catch(() => undefined) }); // a failed start: the session starts its own, and reports why
  }

  /** A spare for sessions of `key`, else the instance warm() started for them (once it is up). */
  async takeStarted(key: string): Promise<DuckDBInstance | undefined> {
    const spare = this.take(key);
    if (spare) return spare;
    const i = this.starting.findIndex((s) => s.key === key);
    if (i < 0) return undefined;
    const [started] = this.starting.splice(i, 1);
    const instance = await started!.instance;
    if (instance && this.closed) {
      closeQuietly(instance);
      return undefined;
    }
    return instance;
  }

  /**
   * Empties `instance` in the background with `empty`, then keeps it; closes it instead when not
   * wanted or when emptying fails. The emptying starts on the next turn of the event loop: a
   * process that closes its state right after its last session (a CLI command) just closes it.
   */
  giveBack(instance: DuckDBInstance, key: string, empty: (instance: DuckDBInstance) => Promise<void>): void {
    if (this.left) return;
    if (this.closed || this.spare.length + this.emptying.size >= this.max) {
      instance.closeSync();
      return;
    }
    const emptied: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (this.closed ? undefined : empty(instance)))
      .then(
        () => {
          if (!this.closed) this.spare.push({ instance, key });
          else if (!this.left) closeQuietly(instance);
        },
        () => closeQuietly(instance),
      )
      .finally(() => this.emptying.delete(emptied));
    this.emptying.add(emptied);
  }

  /** Instances kept now. */
  get size(): number {
    return this.spare.length;
  }

  /** Resolves once every instance given back so far is kept or closed. */
  async settled(): Promise<void> {
    while (this.emptying.size) await Promise.all([...this.emptying]);
  }

  /**
   * For a process about to exit: keeps nothing and closes nothing. Spares are in-memory instances
   * of read-only sessions, emptied, with nothing to save; closing one costs ~10 ms of a CLI command.
   */
  leave(): void {
    this.closed = true;
    this.left = true;
    this.spare.length = 0;
    this.starting.length = 0;
  }

  /** Closes every spare, after those being emptied; later ones given back are closed at once. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    for (const { instance } of this.spare.splice(0)) instance.closeSync();
    for (const started of this.starting.splice(0)) (await started.instance)?.closeSync();
  }
}

/** Closes an instance nobody waits for (in the background): a failure has no one to go to. */
function closeQuietly(instance: DuckDBInstance): void {
  try {
    instance.closeSync();
  } catch {
    // already closed, or DuckDB is shutting down
  }
}

/** The DuckDB instance pool of an engine state. */
export const DUCK_POOL: StateKey<DuckInstancePool> = {
  name: 'DuckDB instance pool',
  create: () => new DuckInstancePool(),
  close: (pool) => pool.close(),
  leaveAtExit: (pool) => pool.leave(),
};
