/**
 * The column format that moves tables between DuckDB, the host and a code cell's worker: one
 * typed buffer per column (never row objects), `valid[i] === 0` marking a NULL. Every buffer is
 * transferable, so a table crosses threads without being copied value by value.
 */
export type ColumnKind = 'number' | 'boolean' | 'date' | 'timestamp' | 'string' | 'json';

export interface NumberColumn {
  kind: 'number';
  values: Float64Array;
  /** Set on the way back from code: every value is an integer, within [min, max]. */
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
  /** UTF-8 of every value, back to back. */
  bytes: Uint8Array;
  /** Byte offsets: value i is bytes[offsets[i], offsets[i + 1]). Length rowCount + 1. */
  offsets: Int32Array;
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

/** The ArrayBuffers of a table, for a postMessage transfer list. */
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
    } else add(c.values);
  }
  return [...out];
}
