/**
 * State a process keeps between runs (pools, caches, scratch files, their timers), owned by one
 * object instead of module globals: a long-lived process (scheduler, server, worker) makes one
 * EngineState and closes it; two states in one process share nothing.
 */
import { UserError } from './errors.js';

/** A kind of state: made on first use in a given EngineState, closed with it. */
export interface StateKey<T> {
  readonly name: string;
  create(): T;
  close?(value: T): void | Promise<void>;
  /** How to close it when the process exits right after (closeProcessState): what holds nothing to save may be left to the exit. */
  leaveAtExit?(value: T): void | Promise<void>;
}

export class EngineState {
  private readonly values = new Map<StateKey<unknown>, unknown>();
  private closed = false;

  /** This state's value of `key`, made on first use. */
  get<T>(key: StateKey<T>): T {
    if (this.closed) {
      throw new UserError('E_ENGINE_CLOSED', `this engine state is closed (asked for its ${key.name})`, {
        hint: 'make a new EngineState, or close the state only after its last run',
      });
    }
    if (!this.values.has(key)) this.values.set(key, key.create());
    return this.values.get(key) as T;
  }

  /** Whether `key` was made (e.g. to close only what was used). */
  has(key: StateKey<unknown>): boolean {
    return this.values.has(key);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes every value, last made first; afterwards no timer or handle of it is left. */
  async close(opts: { exiting?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entries = [...this.values].reverse();
    this.values.clear();
    const failures: unknown[] = [];
    for (const [key, value] of entries) {
      try {
        await (opts.exiting && key.leaveAtExit ? key.leaveAtExit(value) : key.close?.(value));
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length) throw new AggregateError(failures, `engine state: ${failures.length} value(s) failed to close`);
  }
}

let shared: EngineState | null = null;

/** The state of a one-shot process (a CLI command, a program that passes none): made on first use. */
export function processState(): EngineState {
  if (!shared || shared.isClosed) shared = new EngineState();
  return shared;
}

/** Closes the process's state if one was made (a one-shot command, before it exits); the next use makes a new one. */
export async function closeProcessState(opts: { exiting?: boolean } = {}): Promise<void> {
  const state = shared;
  shared = null;
  await state?.close(opts);
}
