/**
 * Column buffers → an uncompressed Parquet file that DuckDB reads back with read_parquet: that
 * insert runs on all of DuckDB's threads and keeps row order (an appender inserts on one thread).
 * Only what this needs, fast: PLAIN numbers (the buffers themselves when a column has no NULL),
 * dictionary-encoded text, 1-bit definition levels, no statistics. Parquet libraries for JS build
 * a value at a time and take longer than DuckDB's whole insert. Typed arrays are written as they
 * are in memory: Parquet's little-endian, as on every platform DuckDB's Node package ships for.
 */
import { closeSync, existsSync, ftruncateSync, openSync, writevSync } from 'node:fs';
import { isText, type TextColumn, type TransferColumn, type TransferTable } from './columns.js';
import { ThriftWriter, type Field } from './parquet-thrift.js';

/** How a column is stored: DOUBLE, BOOLEAN, INT32 days (DATE), INT64 µs since the epoch, text. */
export type Layout = 'f64' | 'bool' | 'date' | 'ts' | 'text';

const ROW_GROUP = 122_880; // DuckDB's row group size: one read task each
const MAGIC = new TextEncoder().encode('PAR1');
const PHYSICAL = { f64: 5, bool: 0, date: 1, ts: 2, text: 6 } as const;
const PLAIN = 0;
const DICTIONARY = 2; // PLAIN_DICTIONARY: a dictionary page, then codes
const RLE = 3;

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function le32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** The header of a bit-packed run of `groups` groups of 8 values: a varint. */
function runHeader(groups: number): number[] {
  const head: number[] = [];
  for (let h = groups * 2 + 1; ; h = Math.floor(h / 128)) {
    head.push(h >= 128 ? (h % 128) | 128 : h);
    if (h < 128) return head;
  }
}

/** `values` (each < 2^width, width ≤ 24) as one bit-packed run of the RLE/bit-packing hybrid, LSB first. */
function bitPacked(values: ArrayLike<number>, count: number, width: number, withHeader: boolean): Uint8Array {
  const groups = Math.ceil(count / 8);
  const head = withHeader ? runHeader(groups) : [];
  const out = new Uint8Array(head.length + groups * width);
  out.set(head);
  let p = head.length;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < count; i++) {
    acc = (acc | (values[i] << bits)) >>> 0;
    bits += width;
    while (bits >= 8) {
      out[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[p] = acc;
  return out;
}

/** Definition levels (1 = present) of rows [from, from + rows), with their byte length first. */
function levels(valid: Uint8Array, from: number, rows: number): Uint8Array[] {
  const packed = bitPacked(valid.subarray(from, from + rows), rows, 1, true);
  return [le32(packed.length), packed];
}

/** Rows of [from, from + rows) that are not NULL. */
function present(c: TransferColumn, from: number, rows: number): number[] | null {
  if (!c.valid) return null;
  const out: number[] = [];
  for (let i = from; i < from + rows; i++) if (c.valid[i]) out.push(i);
  return out;
}

/** The values of a fixed-width column for rows `at` (all of [from, from + rows) when null). */
function fixedValues(c: TransferColumn, layout: Layout, from: number, rows: number, at: number[] | null): Uint8Array {
  if (isText(c)) throw new Error('internal: text column as fixed width');
  const count = at ? at.length : rows;
  const row = (i: number) => (at ? at[i] : from + i);
  if (layout === 'bool')
    return bitPacked(
      Uint8Array.from({ length: count }, (_, i) => c.values[row(i)]),
      count,
      1,
      false,
    );
  if (layout === 'ts') {
    // Epoch ms (days for a date) → int64 µs as little-endian word pairs, no BigInt per value; exact below 2^53 µs.
    const scale = c.kind === 'date' ? 864e8 : 1000;
    const out = new Uint32Array(count * 2);
    for (let i = 0; i < count; i++) {
      const us = Math.round(c.values[row(i)] * scale);
      const hi = Math.floor(us / 4294967296);
      out[2 * i] = us - hi * 4294967296;
      out[2 * i + 1] = hi;
    }
    return bytesOf(out);
  }
  if (!at) return bytesOf(c.values.subarray(from, from + rows));
  const out = new (c.values.constructor as Float64ArrayConstructor | Int32ArrayConstructor)(count);
  for (let i = 0; i < count; i++) out[i] = c.values[at[i]];
  return bytesOf(out);
}

/**
 * A dictionary page of the entries rows `at` (all of [from, from + rows) when null) use, and their
 * codes in it. `remap` (all -1, one slot per entry of the column's dictionary) is left all -1.
 */
function textPages(c: TextColumn, from: number, rows: number, at: number[] | null, remap: Int32Array): { dict: Uint8Array; size: number; codes: Int32Array } {
  const count = at ? at.length : rows;
  const local = new Int32Array(count);
  const { codes, offsets } = c;
  const entries: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const r = at ? at[i] : from + i;
    const e = codes ? codes[r] : r;
    let k = remap[e];
    if (k < 0) {
      k = remap[e] = entries.push(e) - 1;
      bytes += 4 + offsets[e + 1] - offsets[e];
    }
    local[i] = k;
  }
  const dict = new Uint8Array(bytes);
  const view = new DataView(dict.buffer);
  let p = 0;
  for (const e of entries) {
    const len = c.offsets[e + 1] - c.offsets[e];
    view.setUint32(p, len, true);
    dict.set(c.bytes.subarray(c.offsets[e], c.offsets[e] + len), p + 4);
    p += 4 + len;
    remap[e] = -1;
  }
  return { dict, size: entries.length, codes: local };
}

/** Dictionaries up to this many entries are stored whole in every row group, codes as they are. */
const SHARED_MAX = 4096;

/** A small dictionary's page body (every entry, in order), or null. */
function sharedDictionary(c: TransferColumn): Uint8Array | null {
  if (!isText(c) || !c.codes) return null;
  const entries = c.offsets.length - 1;
  if (entries < 1 || entries > SHARED_MAX) return null;
  const { bytes, offsets } = c;
  const page = new Uint8Array(4 * entries + offsets[entries] - offsets[0]);
  const view = new DataView(page.buffer);
  let p = 0;
  for (let e = 0; e < entries; e++) {
    const len = offsets[e + 1] - offsets[e];
    view.setUint32(p, len, true);
    page.set(bytes.subarray(offsets[e], offsets[e + 1]), p + 4);
    p += 4 + len;
  }
  return page;
}

/**
 * Codes of a shared dictionary (checked to be below its size) as the values of a data page: a
 * bit width of 8 or 16 lets typed-array conversion pack them, with no loop here.
 */
function wideCodes(c: TextColumn, from: number, rows: number, at: number[] | null): Uint8Array[] {
  const entries = c.offsets.length - 1;
  const codes = c.codes!;
  const picked = at ? Int32Array.from(at, (r) => codes[r]) : codes.subarray(from, from + rows);
  const groups = Math.ceil(picked.length / 8);
  const width = entries <= 256 ? 8 : 16;
  const packed = width === 8 ? new Uint8Array(groups * 8) : new Uint16Array(groups * 8);
  packed.set(picked);
  return [Uint8Array.of(width, ...runHeader(groups)), bytesOf(packed)];
}

const size = (parts: Uint8Array[]) => parts.reduce((n, p) => n + p.byteLength, 0);

function pageHeader(type: number, bodySize: number, header: Field): Uint8Array {
  return new ThriftWriter().struct([[1, 'i32', type], [2, 'i32', bodySize], [3, 'i32', bodySize], header]).bytes();
}

/** Writes `table` to the file at `path` (made, or written over); column i is stored as `layouts[i]` and named c{i}. */
export function writeParquet(path: string, table: TransferTable, layouts: readonly Layout[]): void {
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const add = (p: Uint8Array[]) => {
    parts.push(...p);
    offset += size(p);
  };
  const rowGroups: Field[][] = [];
  const shared = table.columns.map(sharedDictionary);
  const remaps = table.columns.map((c, i) => (isText(c) && !shared[i] ? new Int32Array(c.offsets.length - 1).fill(-1) : null));
  for (let from = 0; from < table.rowCount; from += ROW_GROUP) {
    const rows = Math.min(ROW_GROUP, table.rowCount - from);
    const start = offset;
    const chunks = table.columns.map((c, i): Field[] => {
      const at = present(c, from, rows);
      const defs = c.valid ? levels(c.valid, from, rows) : [];
      const first = offset;
      let dictOffset: number | null = null;
      let values: Uint8Array[];
      const dict = shared[i];
      const text = isText(c) && !dict ? textPages(c, from, rows, at, remaps[i]!) : null;
      if (dict && isText(c) && (at ? at.length : rows) > 0) {
        dictOffset = offset;
        add([
          pageHeader(2, dict.length, [
            7,
            'struct',
            [
              [1, 'i32', c.offsets.length - 1],
              [2, 'i32', DICTIONARY],
            ],
          ]),
          dict,
        ]);
        values = wideCodes(c, from, rows, at);
      } else if (text && text.size > 0) {
        const { dict, size: entries, codes } = text;
        dictOffset = offset;
        add([
          pageHeader(2, dict.length, [
            7,
            'struct',
            [
              [1, 'i32', entries],
              [2, 'i32', DICTIONARY],
            ],
          ]),
          dict,
        ]);
        const width = Math.max(1, Math.ceil(Math.log2(Math.max(entries, 2))));
        values = [Uint8Array.of(width), bitPacked(codes, codes.length, width, true)];
      } else values = isText(c) ? [] : [fixedValues(c, layouts[i], from, rows, at)]; // text: every row NULL
      const body = [...defs, ...values];
      const dataOffset = offset;
      add([
        pageHeader(0, size(body), [
          5,
          'struct',
          [
            [1, 'i32', rows],
            [2, 'i32', dictOffset === null ? PLAIN : DICTIONARY],
            [3, 'i32', RLE],
            [4, 'i32', RLE],
          ],
        ]),
        ...body,
      ]);
      const meta: Field[] = [
        [1, 'i32', PHYSICAL[layouts[i]]],
        [2, 'list<i32>', dictOffset === null ? [PLAIN, RLE] : [DICTIONARY, RLE]],
        [3, 'list<string>', [`c${i}`]],
        [4, 'i32', 0],
        [5, 'i64', rows],
        [6, 'i64', offset - first],
        [7, 'i64', offset - first],
        [9, 'i64', dataOffset],
      ];
      if (dictOffset !== null) meta.push([11, 'i64', dictOffset]);
      return [
        [2, 'i64', first],
        [3, 'struct', meta],
      ];
    });
    rowGroups.push([
      [1, 'list<struct>', chunks],
      [2, 'i64', offset - start],
      [3, 'i64', rows],
    ]);
  }
  const schema: Field[][] = [
    [
      [4, 'string', 'schema'],
      [5, 'i32', table.columns.length],
    ],
  ];
  table.columns.forEach((c, i) => {
    const el: Field[] = [
      [1, 'i32', PHYSICAL[layouts[i]]],
      [3, 'i32', c.valid ? 1 : 0],
      [4, 'string', `c${i}`],
    ];
    if (layouts[i] === 'text') el.push([6, 'i32', 0]); // UTF8
    if (layouts[i] === 'date') el.push([6, 'i32', 6]); // DATE
    schema.push(el);
  });
  const footer = new ThriftWriter()
    .struct([
      [1, 'i32', 1],
      [2, 'list<struct>', schema],
      [3, 'i64', table.rowCount],
      [4, 'list<struct>', rowGroups],
    ])
    .bytes();
  add([footer, le32(footer.length), MAGIC]);
  // Over an existing file in place (its memory is already there on tmpfs), then cut to length.
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w');
  try {
    for (let i = 0; i < parts.length; i += 512) writevSync(fd, parts.slice(i, i + 512));
    ftruncateSync(fd, offset);
  } finally {
    closeSync(fd);
  }
}
