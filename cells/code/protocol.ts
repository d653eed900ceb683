/** Messages between the host (sandbox.ts) and a code cell's worker (worker.ts). */
import type { TransferTable } from './columns.js';

/** A run starts with this message (the worker makes a fresh context); the inputs follow once they are read. */
export interface WorkerInput {
  type: 'start';
  cellId: string;
  code: string;
  paramsJson: string;
  /** V8 code cache of the Arquero bundle from an earlier worker, if any. */
  arqueroCache?: Uint8Array | null;
}

/** The message with the input tables; their buffers are transferred, not copied. */
export interface WorkerInputs {
  type: 'inputs';
  /** Names in scope, in order, after aq, op, params: the inputs. */
  inputs: { name: string; table: TransferTable }[];
}

/** What the context's bridge (context-bridge.ts) makes of what code returned, read by the worker. */
export interface BridgeExport {
  kind: 'table' | 'value' | 'error';
  message?: string;
  json?: string;
  rowCount?: number;
  /** Rows of the input columns (kind 'source') in the result, when it is filtered or ordered. */
  indices?: Uint32Array | null;
  columns?: {
    name: string;
    /** 'source': input column `source` unchanged (its rows picked by `indices`). */
    kind: string;
    source?: number;
    values?: ArrayBufferView;
    valid?: Uint8Array | null;
    /** Text columns: the dictionary's entries back to back, UTF-16 `offsets`, a code per row or null. */
    text?: string;
    offsets?: Int32Array;
    codes?: Int32Array | null;
    integral?: boolean;
    min?: number;
    max?: number;
  }[];
}

/** Where a thrown error points in the cell's code (1-based), when known. */
export interface CodeErrorInfo {
  /** thrown: the code threw; syntax: it does not compile; return: it returned something unusable. */
  kind: 'thrown' | 'syntax' | 'return';
  name: string;
  message: string;
  line: number | null;
  column: number | null;
}

export type WorkerMessage =
  | { type: 'cache'; arqueroCache: Uint8Array }
  | { type: 'table'; table: TransferTable; logs: string }
  | { type: 'value'; json: string; logs: string }
  | { type: 'error'; error: CodeErrorInfo; logs: string };

/** The file name user code compiles under: stack frames and syntax errors name it. */
export function codeFileName(cellId: string): string {
  return `quire-cell-${cellId}.js`;
}

/** Line and column (1-based) of the first stack frame in the cell's code. */
export function lineInCode(stack: string, cellId: string): { line: number; column: number | null } | null {
  const file = codeFileName(cellId).replace(/[.]/g, '\\.');
  const m = new RegExp(`${file}:(\\d+)(?::(\\d+))?`).exec(stack);
  if (!m) return null;
  return { line: Number(m[1]), column: m[2] === undefined ? null : Number(m[2]) };
}
