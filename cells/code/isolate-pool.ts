/**
 * V8 isolates for code cells (isolated-vm): no Node API inside, a memory limit covering the heap
 * and ArrayBuffers. Each keeps the scripts that set up a run's context (shims, Arquero, bridge)
 * compiled; a run gets a fresh context. An isolate whose run ended normally is kept idle (one per
 * memory limit) for the next run, and disposed after IDLE_MS without use or when the EngineState
 * closes. The pool is an EngineState key, so two states share no isolate.
 */
import ivm from 'isolated-vm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StateKey } from '../../engine/util/state.js';
import { installShims } from './context-shims.js';
import { makeBridge } from './context-bridge.js';
import { makeColumns } from './context-columns.js';
import { makeRunner } from './isolate-runner.js';
import { withLocalGlobals } from './context-globals.js';

const IDLE_MS = 30_000;

export interface CellIsolate {
  isolate: ivm.Isolate;
  memoryMb: number;
  /** Run in order in a new context, they leave the run's entry at globalThis.__quireRun. */
  setup: ivm.Script[];
}

function arqueroSource(): string {
  const pkg = createRequire(import.meta.url).resolve('arquero/package.json');
  return readFileSync(join(dirname(pkg), 'dist', 'arquero.min.js'), 'utf8');
}

const SHIMS = `globalThis.__quireShims = ${withLocalGlobals(installShims.toString())}(globalThis);`;
const GLUE = `(() => {
  const aq = globalThis.aq, shims = globalThis.__quireShims;
  delete globalThis.aq; delete globalThis.__quireShims; delete globalThis.FinalizationRegistry;
  const cols = ${withLocalGlobals(makeColumns.toString())}();
  const bridge = ${withLocalGlobals(makeBridge.toString())}(aq, cols);
  globalThis.__quireRun = ${withLocalGlobals(makeRunner.toString())}(aq, cols, bridge, shims.takeLogs);
})();`;

export class IsolatePool {
  private readonly idle = new Map<number, CellIsolate>();
  private readonly live = new Set<CellIsolate>();
  private timer: NodeJS.Timeout | null = null;
  private arquero: string | null = null;
  /** V8's code cache of the Arquero bundle, made by the first isolate: later ones compile it faster. */
  private arqueroCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

  /** An isolate with `memoryMb` of memory, idle or new. */
  async take(memoryMb: number): Promise<CellIsolate> {
    const kept = this.idle.get(memoryMb);
    if (kept) {
      this.idle.delete(memoryMb);
      if (!kept.isolate.isDisposed) return kept;
    }
    const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
    const cell: CellIsolate = { isolate, memoryMb, setup: [] };
    this.live.add(cell);
    try {
      this.arquero ??= withLocalGlobals(`(function () {\n${arqueroSource()}\n})`, ['TextDecoder', 'TextEncoder']) + '.call(globalThis)';
      const aq = await isolate.compileScript(this.arquero, { filename: 'arquero.min.js', ...(this.arqueroCache ? { cachedData: this.arqueroCache } : { produceCachedData: true }) });
      const made = (aq as ivm.Script & ivm.CachedDataResult).cachedData;
      if (made) this.arqueroCache = made;
      cell.setup = [await isolate.compileScript(SHIMS), aq, await isolate.compileScript(GLUE)];
    } catch (err) {
      this.dispose(cell);
      throw err;
    }
    return cell;
  }

  /** Back after a run that ended normally: kept for the next run with the same limit. */
  give(cell: CellIsolate): void {
    if (cell.isolate.isDisposed || this.idle.has(cell.memoryMb)) return this.dispose(cell);
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
