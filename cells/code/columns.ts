/**
 * The column format that moves tables between DuckDB, the host and a code cell's isolate: one
 * typed buffer per column (never row objects), `valid[i] === 0` marking a NULL, so a table crosses
 * into the isolate as a few buffer copies, never value by value. Text is
 * dictionary-encoded: each distinct value once, rows as codes into it.
 */
export type ColumnKind = 'number' | 'boolean' | 'date' | 'timestamp' | 'string' | 'json';

export interface NumberColumn {
  kind: 'number';
  values: Float64Array;
  /** When known (integer input columns, code's results): every value is an integer, within [min, max]. */
  integral?: boolean;
  min?: number;
  max?: number;
}
export interface BooleanColumn {
  kind: 'boolean';
  /** 1 = true, 0 = false. */
  values: Uint8Array;
}
export interface DateColumn {
  kind: 'date';
  /** Days since 1970-01-01. */
  values: Int32Array;
}
export interface TimestampColumn {
  kind: 'timestamp';
  /** Milliseconds since the epoch (UTC). */
  values: Float64Array;
}
interface TextBuffers {
  /** UTF-8 of the dictionary's entries, back to back. */
  bytes: Uint8Array;
  /** Byte offsets: entry k is bytes[offsets[k], offsets[k + 1]). Length entries + 1. */
  offsets: Int32Array;
  /** Row i holds entry codes[i] (anything on a NULL row); null: row i holds entry i. */
  codes: Int32Array | null;
  /** Whether the entries are distinct values, so that equal codes ⇔ equal values. */
  distinct: boolean;
}
export interface StringColumn extends TextBuffers {
  kind: 'string';
}
/** Each value is a JSON text (nested DuckDB types, objects returned by code). */
export interface JsonColumn extends TextBuffers {
  kind: 'json';
}
export type TextColumn = StringColumn | JsonColumn;

export type ColumnData = NumberColumn | BooleanColumn | DateColumn | TimestampColumn | StringColumn | JsonColumn;

export function isText(c: ColumnData): c is TextColumn {
  return c.kind === 'string' || c.kind === 'json';
}

export type TransferColumn = ColumnData & {
  name: string;
  /** 1 = valid, 0 = NULL; null when the column has no NULL. */
  valid: Uint8Array | null;
  /** The DuckDB type the column had (into code) or should get back when it still fits (out of code). */
  sourceType?: string;
};

export interface TransferTable {
  rowCount: number;
  columns: TransferColumn[];
}

/** How many rows a column's buffers hold. */
export function rowsOf(c: TransferColumn): number {
  if (!isText(c)) return c.values.length;
  return c.codes ? c.codes.length : c.offsets.length - 1;
}

/** The ArrayBuffers of a table (to hand back to the buffer pool). */
export function buffersOf(table: TransferTable): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const c of table.columns) {
    add(c.valid);
    if (isText(c)) {
      add(c.bytes);
      add(c.offsets);
      add(c.codes);
    } else add(c.values);
  }
  return [...out];
}

/** Whether every non-NULL value is an integer, and the range of the values. */
export function numberStats(values: Float64Array, valid: Uint8Array | null): { integral: boolean; min: number; max: number } {
  let integral = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (valid && !valid[i]) continue;
    const x = values[i];
    if (integral && !Number.isInteger(x)) integral = false;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { integral, min, max };
}
