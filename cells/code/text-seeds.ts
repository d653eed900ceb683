/**
 * Low-cardinality text (regions, statuses) coded by DuckDB itself: the values of a table's first
 * rows become the column's first dictionary entries, and the scan computes each row's entry with a
 * CASE over them (values bound as parameters, compared byte for byte whatever the column's
 * collation), so most rows arrive as a number and only the others are looked up here.
 */
import duckdb from '@duckdb/node-bindings';
import { quoteIdent } from '../../engine/duck/duck.js';
import { TextDictionary } from './text-dict.js';

/** Columns whose statistics estimate at most this many distinct values are seeded... */
export const SEED_MAX_UNIQUE = 64;
/** ...with the distinct values of the first SEED_ROWS rows, when there are at most this many (the CASE grows with them). */
export const SEED_MAX = 16;
export const SEED_ROWS = 2048;
/** Tables with fewer rows are not worth the extra query. */
export const SEED_MIN_ROWS = 65_536;

/** Row r's bytes, for a value of more than 12 bytes: `structs` holds a string vector's string_t (a length, a prefix, a pointer). */
export function longValues(structs: Uint8Array): (r: number) => Uint8Array {
  return (r) => duckdb.get_data_from_pointer(structs.buffer as ArrayBuffer, structs.byteOffset + r * 16 + 8, new DataView(structs.buffer, structs.byteOffset + r * 16, 4).getUint32(0, true));
}

/** A row's entry when its value is not a seed, or is NULL: checked for without reading the vector's validity. */
const UNCODED = -1;

/** The SQL giving column `name`'s entry among `values` (UNCODED when not one of them), and its parameters. */
export function seedCode(name: string, values: string[]): { sql: string; params: string[] } {
  const whens = values.map((_, k) => ` WHEN ? THEN ${k}`).join('');
  return { sql: `CASE ${quoteIdent(name)} COLLATE "binary"${whens} ELSE ${UNCODED} END`, params: values };
}

/** A dictionary whose entries 0..n-1 are `values` (distinct). */
export function seededDictionary(values: string[]): TextDictionary {
  const dict = new TextDictionary();
  const enc = new TextEncoder();
  const code = new Int32Array(1);
  values.forEach((value, k) => {
    const bytes = enc.encode(value);
    const words = new Int32Array(4);
    words[0] = bytes.length;
    new Uint8Array(words.buffer, 4, 12).set(bytes.subarray(0, Math.min(bytes.length, 12)));
    dict.codeVector(words, 1, code, 0, null, () => bytes);
    if (code[0] !== k) throw new Error('internal: seed values repeat');
  });
  return dict;
}

/**
 * Rows [at, at + rows) of a seeded text column: the entries DuckDB computed (`coded`, INTEGER,
 * UNCODED where the value isn't a seed or is NULL), the others looked up in `dict` from the text
 * vector (`validity`: the text's validity bits, null when none is NULL). `bytes` views `codes`.
 */
export function readSeeded(dict: TextDictionary, codes: Int32Array, bytes: Uint8Array, coded: duckdb.Vector, text: duckdb.Vector, rows: number, at: number, validity: Uint32Array | null): void {
  bytes.set(duckdb.vector_get_data(coded, rows * 4), at * 4);
  let r = codes.subarray(at, at + rows).indexOf(UNCODED);
  if (r < 0) return;
  // Rows to look up: a value (valid text) that got no entry.
  const lookup = new Uint32Array(Math.ceil(rows / 32));
  for (; r < rows; r++) if (codes[at + r] === UNCODED && (!validity || (validity[r >>> 5] >>> (r & 31)) & 1)) lookup[r >>> 5] |= 1 << (r & 31);
  const structs = duckdb.vector_get_data(text, rows * 16);
  dict.codeVector(new Int32Array(structs.buffer, structs.byteOffset, rows * 4), rows, codes, at, lookup, longValues(structs));
}
