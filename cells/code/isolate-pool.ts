/**
 * V8 isolates for code cells (isolated-vm): no Node API inside, a memory limit covering the heap
 * and ArrayBuffers. Each keeps the script that sets up a run's context (isolate.bundle.js: shims,
 * Arquero, columns, bridge, runner) compiled; a run gets a fresh context. An isolate whose run ended normally is kept idle (one per
 * memory limit) for the next run, and disposed after IDLE_MS without use or when the EngineState
 * closes. The pool is an EngineState key, so two states share no isolate.
 */
import ivm from 'isolated-vm';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../engine/util/package-root.js';
import type { StateKey } from '../../engine/util/state.js';

const IDLE_MS = 30_000;

export interface CellIsolate {
  isolate: ivm.Isolate;
  memoryMb: number;
  /** Run in a new context, it leaves the run's entry at globalThis.__quireRun. */
  setup: ivm.Script;
}

/** The isolate's code (isolate/entry.ts with Arquero), bundled by `npm run build`. */
function bundleSource(): string {
  const file = join(packageRoot(), 'dist', 'cells', 'code', 'isolate.bundle.js');
  if (!existsSync(file)) throw new Error(`the code-cell isolate bundle is not built (${file}): run \`npm run build\``);
  return readFileSync(file, 'utf8');
}

export class IsolatePool {
  private readonly idle = new Map<number, CellIsolate>();
  private readonly live = new Set<CellIsolate>();
  private timer: NodeJS.Timeout | null = null;
  private source: string | null = null;
  /** V8's code cache of the bundle, made by the first isolate: later ones compile it faster. */
  private cache: ivm.ExternalCopy<ArrayBuffer> | undefined;

  /** An isolate with `memoryMb` of memory, idle or new. */
  async take(memoryMb: number): Promise<CellIsolate> {
    const kept = this.idle.get(memoryMb);
    if (kept) {
      this.idle.delete(memoryMb);
      if (!kept.isolate.isDisposed) return kept;
    }
    const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
    this.source ??= bundleSource();
    try {
      const setup = await isolate.compileScript(this.source, { filename: 'quire-isolate.js', ...(this.cache ? { cachedData: this.cache } : { produceCachedData: true }) });
      const made = (setup as ivm.Script & ivm.CachedDataResult).cachedData;
      if (made) this.cache = made;
      const cell: CellIsolate = { isolate, memoryMb, setup };
      this.live.add(cell);
      return cell;
    } catch (err) {
      isolate.dispose();
      throw err;
    }
  }

  /** Back after a run that ended normally: kept for the next run with the same limit. */
  give(cell: CellIsolate): void {
    if (cell.isolate.isDisposed || this.idle.has(cell.memoryMb)) {
      this.dispose(cell);
      return;
    }
    this.idle.set(cell.memoryMb, cell);
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.closeIdle(), IDLE_MS);
      this.timer.unref();
    }
  }

  dispose(cell: CellIsolate): void {
    this.live.delete(cell);
    if (this.idle.get(cell.memoryMb) === cell) this.idle.delete(cell.memoryMb);
    if (!cell.isolate.isDisposed) cell.isolate.dispose();
  }

  /** How many isolates exist (idle or running). */
  get size(): number {
    return this.live.size;
  }

  private closeIdle(): void {
    this.timer = null;
    for (const cell of [...this.idle.values()]) this.dispose(cell);
  }

  /** Disposes every isolate (a run still going fails) and clears the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const cell of [...this.live]) this.dispose(cell);
  }
}

export const CODE_ISOLATES: StateKey<IsolatePool> = {
  name: 'code-cell isolates',
  create: () => new IsolatePool(),
  close: (pool) => pool.close(),
};
