/**
 * On the host: transfer columns → the data copied into a code cell's isolate (made into lazy
 * columns there by makeColumns), and the isolate's export → transfer columns again. An input column returned unchanged goes back as the
 * buffers it came in (its rows picked when the table was filtered or ordered).
 */
import { rowsOf, type TransferColumn, type TransferTable } from './columns.js';
import { poolableArray } from './buffer-pool.js';
import { ARRAY_FIELDS, type IsolateColumn, type IsolateResult } from './protocol.js';

/** UTF-16 offsets of values whose UTF-8 byte offsets are `offsets` in `bytes` (decoded as `text`). */
function utf16Offsets(bytes: Uint8Array, offsets: Int32Array, text: string): Int32Array {
  if (text.length === bytes.length) return offsets; // ASCII: bytes and UTF-16 units line up
  const out = new Int32Array(offsets.length);
  let unit = 0;
  let byte = 0;
  for (let i = 1; i < offsets.length; i++) {
    const end = offsets[i];
    while (byte < end) {
      const b = bytes[byte];
      const len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      unit += len === 4 ? 2 : 1;
      byte += len;
    }
    out[i] = unit;
  }
  return out;
}

/** UTF-8 bytes and byte offsets of text exported with UTF-16 offsets. */
function encodeText(text: string, offsets16: Int32Array): { bytes: Uint8Array; offsets: Int32Array } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === text.length) return { bytes, offsets: offsets16 };
  const offsets = new Int32Array(offsets16.length);
  let unit = 0;
  let byte = 0;
  for (let i = 1; i < offsets16.length; i++) {
    const end = offsets16[i];
    while (unit < end) {
      const c = text.charCodeAt(unit);
      if (c < 0x80) byte += 1;
      else if (c < 0x800) byte += 2;
      else if (c >= 0xd800 && c < 0xdc00 && unit + 1 < text.length) {
        byte += 4;
        unit++;
      } else byte += 3;
      unit++;
    }
    offsets[i] = byte;
  }
  return { bytes, offsets };
}

/** Input column `c` (the run's `id`th) as it is copied into the isolate. */
export function toIsolateColumn(id: number, c: TransferColumn): IsolateColumn {
  const base = { name: c.name, id, valid: c.valid };
  switch (c.kind) {
    case 'number':
    case 'boolean':
    case 'date':
    case 'timestamp':
      return { ...base, kind: c.kind, values: c.values };
    case 'string': {
      const text = new TextDecoder().decode(c.bytes);
      return { ...base, kind: 'string', text, offsets: utf16Offsets(c.bytes, c.offsets, text), keys: c.distinct ? c.codes : null, codes: c.codes };
    }
    case 'json': {
      // Parsed per row in the isolate, so rows never share an object.
      const dec = new TextDecoder();
      const entries: string[] = [];
      for (let k = 0; k + 1 < c.offsets.length; k++) entries.push(dec.decode(c.bytes.subarray(c.offsets[k], c.offsets[k + 1])) || 'null');
      const n = c.codes ? c.codes.length : entries.length;
      const parts: string[] = new Array(n);
      for (let i = 0; i < n; i++) parts[i] = c.valid && !c.valid[i] ? 'null' : entries[c.codes ? c.codes[i] : i];
      return { ...base, kind: 'json', text: `[${parts.join(',')}]` };
    }
  }
}

/** `columns` with each typed array replaced by its index in `arrays` (an array used twice is there once). */
export function packColumns(columns: IsolateColumn[], arrays: ArrayBufferView[]): Record<string, unknown>[] {
  return columns.map((c) => {
    const packed: Record<string, unknown> = { ...c };
    for (const field of ARRAY_FIELDS) {
      const a = c[field];
      if (!a) continue;
      let k = arrays.indexOf(a);
      if (k < 0) k = arrays.push(a) - 1;
      packed[field] = k;
    }
    return packed;
  });
}

/** The `rows` of `a`, in a buffer the host can reuse once the result is written (buffer-pool.ts). */
function pick<T extends Float64Array | Int32Array | Uint8Array>(a: T, rows: Uint32Array): T {
  const out = poolableArray(a.constructor as Parameters<typeof poolableArray<T>>[0], rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]];
  return out;
}

/** Input column `c` as a result column: the same buffers, or its `rows` of them. */
function fromSource(name: string, c: TransferColumn, rows: Uint32Array | null): TransferColumn {
  const valid = c.valid && rows ? pick(c.valid, rows) : c.valid;
  const base = { name, valid, sourceType: c.sourceType };
  switch (c.kind) {
    case 'string':
    case 'json': {
      const codes = rows ? (c.codes ? pick(c.codes, rows) : new Int32Array(rows)) : c.codes;
      return { ...base, kind: c.kind, bytes: c.bytes, offsets: c.offsets, codes, distinct: c.distinct };
    }
    case 'number':
      // The input's range still bounds its rows (unknown: the engine works it out when it writes).
      return { ...base, kind: 'number', values: rows ? pick(c.values, rows) : c.values, integral: c.integral, min: c.min, max: c.max };
    case 'boolean':
      return { ...base, kind: 'boolean', values: rows ? pick(c.values, rows) : c.values };
    case 'date':
      return { ...base, kind: 'date', values: rows ? pick(c.values, rows) : c.values };
    case 'timestamp':
      return { ...base, kind: 'timestamp', values: rows ? pick(c.values, rows) : c.values };
  }
}

/** `v` as a `type` array: itself when it is one (it is a copy already), else converted. */
function asArray<T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(type: { new (v: ArrayLike<number>): T }, v: unknown): T {
  // Shared memory is copied: the isolate must not be able to change a result after it was checked.
  if (v instanceof (type as unknown as typeof Float64Array) && !(v.buffer instanceof SharedArrayBuffer)) return v as T;
  if (!ArrayBuffer.isView(v) || v instanceof DataView || v instanceof BigInt64Array || v instanceof BigUint64Array) throw new Error('bad export');
  return new type(v as unknown as ArrayLike<number>);
}

/** Reads the isolate's export (copied data) into transfer columns, checking every field's type. */
export function fromExport(exp: Extract<IsolateResult, { type: 'table' }>, sources: readonly TransferColumn[]): TransferTable {
  const rowCount = Number(exp.rowCount);
  // Typed-array constructors copy another typed array's memory directly (no iteration, no context code).
  const rows = exp.indices ? asArray(Uint32Array, exp.indices) : null;
  const maxRow = rows ? rows.reduce((a, b) => Math.max(a, b), -1) : -1;
  const src = exp.columns ?? [];
  const columns: TransferColumn[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const name = String(c.name);
    const valid = c.valid ? asArray(Uint8Array, c.valid) : null;
    const kind = String(c.kind);
    if (kind === 'source') {
      const from = sources[Number(c.source)];
      if (!from) throw new Error(`column ${name}: bad export`);
      if (rows && maxRow >= rowsOf(from)) throw new Error(`column ${name}: bad rows`);
      columns.push(fromSource(name, from, rows));
    } else if (kind === 'string' || kind === 'json') {
      if (typeof c.text !== 'string') throw new Error(`column ${name}: bad export`);
      const { bytes, offsets } = encodeText(c.text, asArray(Int32Array, c.offsets));
      // The bridge's dictionaries hold distinct strings; a column of text per row may repeat them.
      columns.push({ name, kind, bytes, offsets, codes: c.codes ? asArray(Int32Array, c.codes) : null, distinct: !!c.codes, valid });
    } else if (kind === 'number') {
      columns.push({ name, kind, values: asArray(Float64Array, c.values), valid, integral: c.integral === true, min: Number(c.min), max: Number(c.max) });
    } else if (kind === 'boolean') {
      columns.push({ name, kind, values: asArray(Uint8Array, c.values), valid });
    } else if (kind === 'date') {
      columns.push({ name, kind, values: asArray(Int32Array, c.values), valid });
    } else if (kind === 'timestamp') {
      columns.push({ name, kind, values: asArray(Float64Array, c.values), valid });
    } else throw new Error(`column ${name}: unknown kind ${kind}`);
  }
  return { rowCount, columns };
}
