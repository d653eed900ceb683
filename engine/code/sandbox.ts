/**
 * Runs a code cell's JavaScript off the engine's thread: one worker per run of a cell, with heap
 * limits, terminated when `timeoutMs` passes (an endless loop included) or the run is aborted.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../package-root.js';
import { buffersOf, type TransferTable } from './columns.js';
import type { CodeErrorInfo, WorkerInput, WorkerMessage } from './protocol.js';

export interface SandboxRun {
  cellId: string;
  code: string;
  params: Record<string, unknown>;
  inputs: { name: string; table: TransferTable }[];
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
  const built = join(packageRoot(), 'dist', 'engine', 'code', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error(`the code-cell worker is not built (${built}): run \`npm run build\``);
}

/** V8's code cache of the Arquero bundle, made by the first worker: later workers start faster. */
let arqueroCache: Uint8Array | null = null;

export function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const input: WorkerInput = {
    cellId: run.cellId,
    code: run.code,
    inputs: run.inputs,
    paramsJson: JSON.stringify(run.params),
    arqueroCache,
  };
  const transfer = run.inputs.flatMap((i) => buffersOf(i.table));
  return new Promise<SandboxResult>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(workerPath(), {
      workerData: input,
      transferList: transfer,
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: run.memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new SandboxError('timeout', `did not finish within timeout_ms (${run.timeoutMs} ms) and was stopped`))),
      run.timeoutMs,
    );
    const onAbort = () => done(() => reject(new SandboxError('aborted', 'stopped: the run was interrupted')));
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'cache') {
        arqueroCache = m.arqueroCache;
        return;
      }
      if (m.type === 'table') done(() => resolve({ kind: 'table', table: m.table, logs: m.logs }));
      else if (m.type === 'value') done(() => resolve({ kind: 'value', value: JSON.parse(m.json), logs: m.logs }));
      else done(() => reject(new SandboxError(m.error.kind, m.error.message, m.error, m.logs)));
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        done(() => reject(new SandboxError('memory', `ran out of memory (heap limit ${run.memoryMb} MB) and was stopped`)));
      } else done(() => reject(new SandboxError('crashed', `crashed: ${err.message}`)));
    });
    worker.on('exit', (code) => done(() => reject(new SandboxError('crashed', `ended without a result (exit code ${code})`))));
  });
}
