/** Messages between the host (sandbox.ts) and a code cell's worker (worker.ts). */
import type { TransferTable } from './columns.js';

export interface WorkerInput {
  cellId: string;
  code: string;
  /** Names in scope, in order, after aq, op, params: the inputs. */
  inputs: { name: string; table: TransferTable }[];
  paramsJson: string;
  /** V8 code cache of the Arquero bundle from an earlier worker, if any. */
  arqueroCache?: Uint8Array | null;
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
