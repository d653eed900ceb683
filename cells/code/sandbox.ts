/**
 * Runs a code cell's JavaScript off the engine's thread, in a worker with heap limits, terminated
 * when `timeoutMs` passes (an endless loop included) or the run is aborted. Each run gets a fresh
 * context (worker.ts), made while the inputs are still being read. A worker whose run ended
 * normally is kept (one per heap limit, not keeping the process alive) for the next run: starting
 * a Node worker costs more than moving a million rows through it.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../engine/util/package-root.js';
import { buffersOf, type TransferTable } from './columns.js';
import type { CodeErrorInfo, WorkerInput, WorkerInputs, WorkerMessage } from './protocol.js';

export interface SandboxRun {
  cellId: string;
  code: string;
  params: Record<string, unknown>;
  /** The input tables, or a promise of them (its rejection is the run's, as it is). */
  inputs: WorkerInputs['inputs'] | Promise<WorkerInputs['inputs']>;
  timeoutMs: number;
  /** Heap limit of the worker, MB. */
  memoryMb: number;
  signal?: AbortSignal;
}

export type SandboxResult = ({ kind: 'table'; table: TransferTable } | { kind: 'value'; value: unknown }) & { logs: string };

/** Why code failed: what it threw (with the line in the cell's code), a timeout, the heap limit, an abort. */
export class SandboxError extends Error {
  constructor(
    readonly reason: CodeErrorInfo['kind'] | 'timeout' | 'memory' | 'aborted' | 'crashed',
    message: string,
    readonly info: CodeErrorInfo | null = null,
    readonly logs = '',
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** The compiled worker: beside this file in dist/, or dist/ when running from the TypeScript sources. */
function workerPath(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), 'dist', 'cells', 'code', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error(`the code-cell worker is not built (${built}): run \`npm run build\``);
}

/** V8's code cache of the Arquero bundle, made by the first worker: later workers start faster. */
let arqueroCache: Uint8Array | null = null;

/** Workers that finished a run cleanly, by heap limit. */
const idle = new Map<number, Worker>();

function takeWorker(memoryMb: number): Worker {
  const kept = idle.get(memoryMb);
  if (kept) {
    idle.delete(memoryMb);
    kept.ref();
    return kept;
  }
  const worker = new Worker(workerPath(), {
    env: {},
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
  });
  worker.on('error', () => {}); // a run listens for its own; an idle worker's error ends it (exit)
  worker.on('exit', () => {
    if (idle.get(memoryMb) === worker) idle.delete(memoryMb);
  });
  return worker;
}

function keepWorker(worker: Worker, memoryMb: number): void {
  if (idle.has(memoryMb)) void worker.terminate();
  else {
    worker.unref();
    idle.set(memoryMb, worker);
  }
}

export function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const start: WorkerInput = { type: 'start', cellId: run.cellId, code: run.code, paramsJson: JSON.stringify(run.params), arqueroCache };
  const inputs = Promise.resolve(run.inputs);
  inputs.catch(() => {}); // handled below; this keeps a failed read from going unhandled if no worker starts
  return new Promise<SandboxResult>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const worker = takeWorker(run.memoryMb);
    const done = (fn: () => void, reusable = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (reusable) keepWorker(worker, run.memoryMb);
      else void worker.terminate();
      fn();
    };
    const onAbort = () => done(() => reject(new SandboxError('aborted', 'stopped: the run was interrupted')));
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'cache') {
        arqueroCache = m.arqueroCache;
        return;
      }
      if (m.type === 'table') done(() => resolve({ kind: 'table', table: m.table, logs: m.logs }), true);
      else if (m.type === 'value') done(() => resolve({ kind: 'value', value: JSON.parse(m.json), logs: m.logs }), true);
      else done(() => reject(new SandboxError(m.error.kind, m.error.message, m.error, m.logs)), true);
    };
    const onError = (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        done(() => reject(new SandboxError('memory', `ran out of memory (heap limit ${run.memoryMb} MB) and was stopped`)));
      } else done(() => reject(new SandboxError('crashed', `crashed: ${err.message}`)));
    };
    const onExit = (code: number) => done(() => reject(new SandboxError('crashed', `ended without a result (exit code ${code})`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(start);
    inputs.then(
      (tables) => {
        if (settled) return;
        // The time limit is the code's: it starts when the inputs are handed over.
        timer = setTimeout(
          () => done(() => reject(new SandboxError('timeout', `did not finish within timeout_ms (${run.timeoutMs} ms) and was stopped`))),
          run.timeoutMs,
        );
        const message: WorkerInputs = { type: 'inputs', inputs: tables };
        worker.postMessage(message, tables.flatMap((i) => buffersOf(i.table)));
      },
      (err: unknown) => done(() => reject(err)),
    );
  });
}
