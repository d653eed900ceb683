/**
 * Column buffers → a DuckDB table, 2,048 rows at a time through an appender: numbers, dates and
 * booleans are one memcpy per vector, strings go in as UTF-8 bytes. Column names come from code
 * and are quoted identifiers; every buffer was checked (checkTable) before any native copy.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck.js';
import { isText, type TransferColumn, type TransferTable } from './columns.js';

const CHUNK = 2048;

type Writer = 'f64' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'bool' | 'date' | 'ts' | 'text';

const INTEGERS: Record<string, { writer: Writer; min: number; max: number }> = {
  TINYINT: { writer: 'i8', min: -128, max: 127 },
  SMALLINT: { writer: 'i16', min: -32768, max: 32767 },
  INTEGER: { writer: 'i32', min: -2147483648, max: 2147483647 },
  BIGINT: { writer: 'i64', min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  UTINYINT: { writer: 'u8', min: 0, max: 255 },
  USMALLINT: { writer: 'u16', min: 0, max: 65535 },
  UINTEGER: { writer: 'u32', min: 0, max: 4294967295 },
  UBIGINT: { writer: 'u64', min: 0, max: Number.MAX_SAFE_INTEGER },
};

/**
 * The DuckDB type a returned column gets: the type its input column of the same name had when the
 * values still fit it (integers stay integers, timestamps stay timestamps), else the natural one.
 */
export function columnType(c: TransferColumn, hint: string | undefined): { sql: string; writer: Writer } {
  switch (c.kind) {
    case 'number': {
      const int = hint ? INTEGERS[hint] : undefined;
      if (int && c.integral && (c.min ?? 0) >= int.min && (c.max ?? 0) <= int.max) return { sql: hint!, writer: int.writer };
      return { sql: 'DOUBLE', writer: 'f64' };
    }
    case 'boolean':
      return { sql: 'BOOLEAN', writer: 'bool' };
    case 'date':
      if (hint && /^TIMESTAMP/.test(hint)) return { sql: hint === 'TIMESTAMP WITH TIME ZONE' ? hint : 'TIMESTAMP', writer: 'ts' };
      return { sql: 'DATE', writer: 'date' };
    case 'timestamp':
      return { sql: hint === 'TIMESTAMP WITH TIME ZONE' ? hint : 'TIMESTAMP', writer: 'ts' };
    case 'json':
      return { sql: 'JSON', writer: 'text' };
    default:
      return { sql: 'VARCHAR', writer: 'text' };
  }
}

/** Throws unless every buffer has the length its row count says (native copies trust them). */
export function checkTable(t: TransferTable): void {
  const n = t.rowCount;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('bad row count');
  for (const c of t.columns) {
    if (c.valid && (!(c.valid instanceof Uint8Array) || c.valid.length !== n)) throw new Error(`column ${c.name}: bad validity`);
    if (isText(c)) {
      if (!(c.bytes instanceof Uint8Array) || !(c.offsets instanceof Int32Array) || c.offsets.length !== n + 1) throw new Error(`column ${c.name}: bad text buffers`);
      for (let i = 0; i < n; i++) if (c.offsets[i] > c.offsets[i + 1]) throw new Error(`column ${c.name}: bad offsets`);
      if (c.offsets[0] < 0 || c.offsets[n] > c.bytes.length) throw new Error(`column ${c.name}: bad offsets`);
    } else {
      const ok =
        (c.kind === 'number' || c.kind === 'timestamp') ? c.values instanceof Float64Array
        : c.kind === 'date' ? c.values instanceof Int32Array
        : c.values instanceof Uint8Array;
      if (!ok || c.values.length !== n) throw new Error(`column ${c.name}: bad values`);
    }
  }
}

const ARRAYS = {
  i8: Int8Array, i16: Int16Array, i32: Int32Array, u8: Uint8Array, u16: Uint16Array, u32: Uint32Array,
} as const;

/** The bytes of rows [from, from + rows) of a fixed-width column as DuckDB stores them. */
function fixedWidth(c: TransferColumn, writer: Writer, from: number, rows: number): ArrayBufferView {
  const to = from + rows;
  if (isText(c)) throw new Error('internal: text column in fixedWidth');
  switch (writer) {
    case 'f64':
    case 'bool':
      return c.values.subarray(from, to);
    case 'date':
      return c.kind === 'date' ? c.values.subarray(from, to) : Int32Array.from(c.values.subarray(from, to) as Float64Array, (ms: number) => Math.floor(ms / 864e5));
    case 'i64':
    case 'u64': {
      const out = writer === 'i64' ? new BigInt64Array(rows) : new BigUint64Array(rows);
      for (let i = 0; i < rows; i++) out[i] = BigInt(Math.trunc(c.values[from + i]));
      return out;
    }
    case 'ts': {
      const out = new BigInt64Array(rows);
      const day = c.kind === 'date' ? 864e5 : 1;
      for (let i = 0; i < rows; i++) out[i] = BigInt(Math.round(c.values[from + i] * day * 1000));
      return out;
    }
    default: {
      const out = new ARRAYS[writer as keyof typeof ARRAYS](rows);
      out.set(c.values.subarray(from, to));
      return out;
    }
  }
}

/** Validity words (bit set = valid) of rows [from, from + rows). */
function validityBits(valid: Uint8Array, from: number, rows: number): BigUint64Array {
  const words = new Uint32Array(Math.ceil(rows / 64) * 2);
  for (let r = 0; r < rows; r++) if (valid[from + r]) words[r >>> 5] |= 1 << (r & 31);
  return new BigUint64Array(words.buffer);
}

/**
 * Creates (or replaces) `catalog.main."name"` holding the table. `hints` maps column names to
 * the DuckDB types of the code cell's inputs. Column names must have been checked by the caller.
 */
export async function writeColumns(conn: DuckDBConnection, catalog: string, name: string, table: TransferTable, hints: ReadonlyMap<string, string>): Promise<void> {
  checkTable(table);
  const types = table.columns.map((c) => columnType(c, hints.get(c.name)));
  const defs = table.columns.map((c, i) => `${quoteIdent(c.name)} ${types[i].sql}`).join(', ');
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(catalog)}.main.${quoteIdent(name)} (${defs})`);
  if (table.rowCount === 0) return;
  const appender = await conn.createAppender(name, 'main', catalog);
  try {
    const chunkTypes = table.columns.map((_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(chunkTypes);
    for (let from = 0; from < table.rowCount; from += CHUNK) {
      const rows = Math.min(CHUNK, table.rowCount - from);
      chunk.reset();
      chunk.rowCount = rows;
      table.columns.forEach((c, i) => {
        const vector = duckdb.data_chunk_get_vector(chunk.chunk, i);
        if (c.valid) {
          duckdb.vector_ensure_validity_writable(vector);
          const bits = validityBits(c.valid, from, rows);
          duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer as ArrayBuffer, bits.byteOffset, bits.byteLength);
        }
        if (isText(c)) {
          for (let r = 0; r < rows; r++) {
            if (c.valid && !c.valid[from + r]) continue;
            duckdb.vector_assign_string_element_len(vector, r, c.bytes.subarray(c.offsets[from + r], c.offsets[from + r + 1]));
          }
        } else {
          const data = fixedWidth(c, types[i].writer, from, rows);
          duckdb.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
        }
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
