/** What crosses between the host (sandbox.ts) and a code cell's isolate: copied data only. */

/** An input column as it is copied into a cell's isolate (kind 'json': `text` is a JSON array of the rows). */
export interface IsolateColumn {
  name: string;
  kind: 'number' | 'boolean' | 'date' | 'timestamp' | 'string' | 'json';
  /** Its index among the run's input columns: a column returned unchanged is named by it. */
  id: number;
  values?: Float64Array | Int32Array | Uint8Array;
  valid: Uint8Array | null;
  text?: string;
  /** string: UTF-16 offsets of the dictionary's entries in `text`. */
  offsets?: Int32Array;
  /** string: the codes again when the entries are distinct values (groupby uses them). */
  keys?: Int32Array | null;
  codes?: Int32Array | null;
}

/**
 * The typed-array fields of an IsolateColumn. They cross as buffers of their own (isolated-vm
 * moves those into the isolate without a second copy); in the column, each is replaced by its index.
 */
export const ARRAY_FIELDS = ['values', 'valid', 'offsets', 'keys', 'codes'] as const;

/** What a run inside the isolate gives back (isolate/runner.ts): plain data only, copied out. */
export type IsolateResult =
  | { type: 'value'; json: string; logs: string }
  | { type: 'table'; rowCount: number; indices: Uint32Array | null; columns: NonNullable<BridgeExport['columns']>; logs: string }
  | { type: 'error'; kind: 'thrown' | 'return'; name: string; message: string; stack: string; logs: string };

/** What the isolate's bridge (isolate/bridge.ts) makes of what code returned, read by the host. */
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
