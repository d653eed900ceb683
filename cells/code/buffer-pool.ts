/**
 * Column buffers handed back once a code cell's result is in DuckDB, for the next read to reuse:
 * a million-row column is megabytes of fresh memory otherwise, which the OS maps in page by page
 * and V8 counts as external memory to collect. Buffers of 64 KiB and more come in power-of-two
 * sizes (a column is a view of its first bytes); the pool holds at most POOL_MAX bytes and empties itself after
 * IDLE_MS without use, so a long-lived process doesn't keep them.
 */
import type { StateKey } from '../../engine/util/state.js';

const POOL_MAX = 128 * 2 ** 20;
const MIN_CLASS = 2 ** 16;
const IDLE_MS = 5_000;

function sizeClass(bytes: number): number {
  return bytes <= MIN_CLASS ? MIN_CLASS : 2 ** Math.ceil(Math.log2(bytes));
}

type ArrayOf<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** A new (zeroed) array of n elements whose buffer the pool can take back later (in any thread). */
export function poolableArray<T extends Float64Array | Int32Array | Uint8Array>(type: ArrayOf<T>, n: number): T {
  const bytes = n * type.BYTES_PER_ELEMENT;
  return bytes < MIN_CLASS ? new type(n) : new type(new ArrayBuffer(sizeClass(bytes)), 0, n);
}

/** The pool of one EngineState (BUFFER_POOL). */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private held = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * An array of n elements. `overwritten`: the caller writes every element before anything reads
   * it, so a reused buffer isn't cleared; otherwise it is all zeros, as a new one.
   */
  takeArray<T extends Float64Array | Int32Array | Uint8Array>(type: ArrayOf<T>, n: number, overwritten: boolean): T {
    const bytes = n * type.BYTES_PER_ELEMENT;
    const buffer = bytes < MIN_CLASS ? undefined : this.free.get(sizeClass(bytes))?.pop();
    if (!buffer) return poolableArray(type, n);
    this.held -= buffer.byteLength;
    const out = new type(buffer, 0, n);
    if (!overwritten) out.fill(0);
    return out;
  }

  /** Hands buffers back; the caller must not use them (or any view of them) again. */
  giveBack(buffers: Iterable<ArrayBuffer>): void {
    for (const buffer of buffers) {
      const size = buffer.byteLength;
      if (size < MIN_CLASS || size !== sizeClass(size) || this.held + size > POOL_MAX) continue;
      const list = this.free.get(size) ?? [];
      if (list.includes(buffer)) continue;
      list.push(buffer);
      this.free.set(size, list);
      this.held += size;
    }
    if (this.held > 0) this.emptySoon();
  }

  private emptySoon(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.close(), IDLE_MS);
      this.timer.unref();
    }
  }

  /** Drops every buffer and the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.free.clear();
    this.held = 0;
  }
}

export const BUFFER_POOL: StateKey<BufferPool> = { name: 'code-cell buffer pool', create: () => new BufferPool(), close: (pool) => pool.close() };
