/**
 * Runs a code cell's JavaScript in a V8 isolate of its own (isolated-vm, isolate-pool.ts): no
 * require, import, process, file system, network or timers inside, a memory limit that covers
 * ArrayBuffers, stopped when `timeoutMs` passes or the run is aborted. Only copied data crosses:
 * the input columns go in, plain strings, numbers and typed arrays come out (isolate/runner.ts);
 * no host function or object is ever handed to the cell, and nothing from it runs on the host.
 * The isolate runs on isolated-vm's threads, so the engine's thread is free meanwhile.
 */
import ivm from 'isolated-vm';
import type { EngineState } from '../../engine/util/state.js';
import type { TransferTable } from './columns.js';
import { fromExport, packColumns, toIsolateColumn } from './host-columns.js';
import { CODE_ISOLATES, type CellIsolate } from './isolate-pool.js';
import { wrapCode } from './analyze.js';
import { codeFileName, lineInCode, type CodeErrorInfo, type IsolateResult } from './protocol.js';
import type { TransferColumn } from './columns.js';

export interface SandboxRun {
  cellId: string;
  code: string;
  params: Record<string, unknown>;
  /** The input tables, or a promise of them (its rejection is the run's, as it is). */
  inputs: { name: string; table: TransferTable }[] | Promise<{ name: string; table: TransferTable }[]>;
  timeoutMs: number;
  /** Memory limit of the isolate (heap and ArrayBuffers), MB. */
  memoryMb: number;
  signal?: AbortSignal;
  /** Where the isolates are kept between runs. */
  state: EngineState;
}

export type SandboxResult = ({ kind: 'table'; table: TransferTable } | { kind: 'value'; value: unknown }) & { logs: string };

/** Why code failed: what it threw (with the line in the cell's code), a timeout, the memory limit, an abort. */
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

/** The RangeError V8 throws inside the isolate when an ArrayBuffer would pass the memory limit. */
const BUFFER_REFUSED = /^Array buffer allocation failed/;

/** The message of an error isolated-vm threw on the host (its own Error, holding copied strings). */
function messageOf(err: unknown): string {
  return err instanceof Error ? String(err.message) : 'unknown failure';
}

function memoryError(memoryMb: number): SandboxError {
  return new SandboxError('memory', `ran out of memory (limit ${memoryMb} MB) and was stopped`);
}

function resultOf(out: IsolateResult, cellId: string, sources: readonly TransferColumn[], memoryMb: number): SandboxResult {
  if (out.type === 'error') {
    if (out.kind === 'thrown' && out.name === 'RangeError' && BUFFER_REFUSED.test(out.message)) throw memoryError(memoryMb);
    const where = lineInCode(out.stack, cellId);
    const info: CodeErrorInfo = { kind: out.kind, name: out.name, message: out.message, line: where?.line ?? null, column: where?.column ?? null };
    throw new SandboxError(out.kind, out.message, info, out.logs);
  }
  if (out.type === 'value') {
    try {
      return { kind: 'value', value: JSON.parse(out.json), logs: out.logs };
    } catch {
      // JSON.stringify replaced inside the isolate, say: the text is not JSON.
      throw new SandboxError('return', 'returned a value that did not come out as JSON (is JSON.stringify replaced?)', null, out.logs);
    }
  }
  if (out.type !== 'table') throw new SandboxError('crashed', 'gave back something unexpected');
  try {
    return { kind: 'table', table: fromExport(out, sources), logs: out.logs };
  } catch (err) {
    throw new SandboxError('return', `returned a table that could not be read: ${messageOf(err)}`, null, out.logs);
  }
}

export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const inputs = Promise.resolve(run.inputs);
  inputs.catch(() => {}); // handled below; this keeps a failed read from going unhandled if the isolate fails first
  const pool = run.state.get(CODE_ISOLATES);
  if (run.signal?.aborted) throw new SandboxError('aborted', 'stopped: the run was interrupted');
  let cell: CellIsolate | null = null;
  let stopped = null as 'aborted' | null;
  const onAbort = () => {
    stopped = 'aborted';
    if (cell) pool.dispose(cell);
  };
  run.signal?.addEventListener('abort', onAbort, { once: true });
  let reusable = false;
  let readError = null as { err: unknown } | null; // set in a callback: TypeScript can't see it change
  let context: ivm.Context | null = null;
  try {
    // The context is made while the inputs are still being read.
    cell = await pool.take(run.memoryMb);
    if (readError) throw readError.err; // the read failed: the run's error, as it is
    if (stopped) throw new SandboxError('aborted', 'stopped: the run was interrupted');
    context = await cell.isolate.createContext();
    await cell.setup.run(context);
    const tables = await inputs.catch((err: unknown) => {
      readError = { err };
      throw err;
    });
    const sources: TransferColumn[] = [];
    const arrays: ArrayBufferView[] = [];
    const packed = tables.map(({ name, table }) => ({
      name,
      columns: packColumns(
        table.columns.map((c) => toIsolateColumn(sources.push(c) - 1, c)),
        arrays,
      ),
    }));
    const names = tables.map((t) => t.name);
    let script: ivm.Script;
    try {
      script = await cell.isolate.compileScript(`globalThis.__quireCell = ${wrapCode(run.code, names)}`, { filename: codeFileName(run.cellId), lineOffset: -1 });
    } catch (err) {
      const message = messageOf(err).replace(/ \[[^\]]*\]$/, '');
      const where = lineInCode(messageOf(err), run.cellId);
      throw new SandboxError('syntax', message, { kind: 'syntax', name: 'SyntaxError', message, line: where?.line ?? null, column: where?.column ?? null });
    }
    // The time limit is the code's: it starts when the inputs are handed over.
    const started = performance.now();
    await script.run(context, { timeout: run.timeoutMs });
    const left = Math.max(1, Math.floor(run.timeoutMs - (performance.now() - started)));
    const out = (await context.evalClosure(
      'const run = globalThis.__quireRun, fn = globalThis.__quireCell; delete globalThis.__quireRun; delete globalThis.__quireCell; return run(fn, $0.inputs, $0.paramsJson, Array.prototype.slice.call(arguments, 1));',
      [
        new ivm.ExternalCopy({ inputs: packed, paramsJson: JSON.stringify(run.params) }).copyInto({ release: true }),
        // Copied once here, then moved into the isolate as they are.
        ...arrays.map((a) => new ivm.ExternalCopy(a).copyInto({ transferIn: true })),
      ],
      { result: { copy: true }, timeout: left },
    )) as IsolateResult;
    const result = resultOf(out, run.cellId, sources, run.memoryMb);
    reusable = true;
    return result;
  } catch (err) {
    if (err instanceof SandboxError) {
      reusable = err.reason === 'thrown' || err.reason === 'return' || err.reason === 'syntax';
      throw err;
    }
    if (readError) throw readError.err; // the read failed: the run's error, as it is
    if (stopped) throw new SandboxError('aborted', 'stopped: the run was interrupted');
    const message = messageOf(err);
    // isolated-vm ends the call when code asks for a module: there is no module loader inside.
    if (message === 'Not supported')
      throw new SandboxError('thrown', 'import() is not available: code cells have no modules (aq, op, params and the inputs are in scope)', {
        kind: 'thrown',
        name: 'Error',
        message: 'import() is not available',
        line: null,
        column: null,
      });
    if (/timed out/i.test(message)) throw new SandboxError('timeout', `did not finish within timeout_ms (${run.timeoutMs} ms) and was stopped`);
    if (cell?.isolate.isDisposed || /memory limit/i.test(message)) throw memoryError(run.memoryMb);
    throw new SandboxError('crashed', `failed: ${message}`);
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
    if (context && cell && !cell.isolate.isDisposed) context.release();
    if (cell) {
      if (reusable && !stopped) pool.give(cell);
      else pool.dispose(cell);
    }
  }
}
