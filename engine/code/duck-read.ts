/**
 * DuckDB table → column buffers, a vector at a time: numbers, dates and booleans are copied out
 * of DuckDB's vectors with one memcpy per 2,048 rows; strings as raw UTF-8 bytes (decoded once,
 * in the worker). No row objects are built.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { quoteIdent } from '../duck.js';
import type { ColumnKind, TransferColumn, TransferTable } from './columns.js';

const NUMERIC = new Set([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL,
]);
const TIMESTAMPS = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ]);
const NESTED = new Set([DuckDBTypeId.LIST, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.ARRAY, DuckDBTypeId.UNION]);

/** How a DuckDB column travels, and the SQL expression that reads it that way. */
function plan(name: string, type: DuckDBType): { kind: ColumnKind; sql: string } {
  const col = quoteIdent(name);
  const id = type.typeId;
  if (id === DuckDBTypeId.DOUBLE) return { kind: 'number', sql: col };
  if (NUMERIC.has(id)) return { kind: 'number', sql: `CAST(${col} AS DOUBLE)` };
  if (id === DuckDBTypeId.BOOLEAN) return { kind: 'boolean', sql: col };
  if (id === DuckDBTypeId.DATE) return { kind: 'date', sql: col };
  if (TIMESTAMPS.has(id)) return { kind: 'timestamp', sql: `CAST(epoch_ms(${col}) AS DOUBLE)` };
  if (id === DuckDBTypeId.VARCHAR) return { kind: 'string', sql: col };
  if (NESTED.has(id)) return { kind: 'json', sql: `CAST(to_json(${col}) AS VARCHAR)` };
  return { kind: 'string', sql: `CAST(${col} AS VARCHAR)` };
}

/** A growable byte buffer for string columns. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  len = 0;
  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

interface Sink {
  col: TransferColumn;
  bytes?: Bytes;
}

function newSink(name: string, kind: ColumnKind, sourceType: string, n: number): Sink {
  switch (kind) {
    case 'number':
    case 'timestamp':
      return { col: { name, kind, values: new Float64Array(n), valid: null, sourceType } };
    case 'boolean':
      return { col: { name, kind, values: new Uint8Array(n), valid: null, sourceType } };
    case 'date':
      return { col: { name, kind, values: new Int32Array(n), valid: null, sourceType } };
    default:
      return { col: { name, kind, bytes: new Uint8Array(0), offsets: new Int32Array(n + 1), valid: null, sourceType }, bytes: new Bytes() };
  }
}

/** Validity bits of a vector as 32-bit words (null: all valid). */
function validityWords(vector: duckdb.Vector, rows: number): Uint32Array | null {
  const bytes = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  if (!bytes || bytes.byteLength === 0) return null;
  return new Uint32Array(bytes.buffer, bytes.byteOffset, Math.ceil(rows / 32));
}

function readVector(sink: Sink, vector: duckdb.Vector, rows: number, at: number, total: number): void {
  const col = sink.col;
  const words = validityWords(vector, rows);
  if (words) {
    const valid = (col.valid ??= new Uint8Array(total).fill(1));
    for (let r = 0; r < rows; r++) valid[at + r] = (words[r >>> 5] >>> (r & 31)) & 1;
  }
  const isValid = (r: number) => !words || ((words[r >>> 5] >>> (r & 31)) & 1) === 1;
  switch (col.kind) {
    case 'number':
    case 'timestamp': {
      const data = duckdb.vector_get_data(vector, rows * 8);
      col.values.set(new Float64Array(data.buffer, data.byteOffset, rows), at);
      return;
    }
    case 'date': {
      const data = duckdb.vector_get_data(vector, rows * 4);
      col.values.set(new Int32Array(data.buffer, data.byteOffset, rows), at);
      return;
    }
    case 'boolean': {
      const data = duckdb.vector_get_data(vector, rows);
      col.values.set(data.subarray(0, rows), at);
      return;
    }
    default: {
      // duckdb_string_t: 4-byte length, then 12 inline bytes or a 4-byte prefix and a pointer.
      const data = duckdb.vector_get_data(vector, rows * 16);
      const lens = new Uint32Array(data.buffer, data.byteOffset, rows * 4);
      const out = sink.bytes!;
      const offsets = col.offsets;
      for (let r = 0; r < rows; r++) {
        if (isValid(r)) {
          const len = lens[r * 4];
          out.reserve(len);
          if (len <= 12) {
            const p = r * 16 + 4;
            const buf = out.buf;
            for (let b = 0; b < len; b++) buf[out.len + b] = data[p + b];
          } else {
            out.buf.set(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + r * 16 + 8, len), out.len);
          }
          out.len += len;
        }
        offsets[at + r + 1] = out.len;
      }
    }
  }
}

/** Reads a whole table (or any relation SQL) into column buffers. `source` is trusted SQL: a quoted table name. */
export async function readColumns(conn: DuckDBConnection, source: string): Promise<TransferTable> {
  const head = await conn.run(`SELECT * FROM ${source} LIMIT 0`);
  const names = head.columnNames();
  const types = head.columnTypes();
  const plans = names.map((n, i) => plan(n, types[i]));
  const count = await conn.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${source}`);
  const total = Number(count.getRows()[0][0]);
  const sinks = names.map((n, i) => newSink(n, plans[i].kind, String(types[i]), total));
  const select = plans.length ? plans.map((p) => p.sql).join(', ') : '*';
  const result = await conn.stream(`SELECT ${select} FROM ${source}`);
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = Math.min(chunk.rowCount, total - at);
    for (let i = 0; i < sinks.length; i++) readVector(sinks[i], duckdb.data_chunk_get_vector(chunk.chunk, i), rows, at, total);
    at += rows;
  }
  for (const s of sinks) if (s.bytes && (s.col.kind === 'string' || s.col.kind === 'json')) s.col.bytes = s.bytes.buf.slice(0, s.bytes.len);
  return { rowCount: at, columns: sinks.map((s) => s.col) };
}
