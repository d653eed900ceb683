/**
 * DuckDB table → column buffers, a vector at a time, as DuckDB's scan pushes them (duck-push.ts)
 * or, for what has no usable rowid, as a result is fetched: numbers, dates and booleans are one
 * memcpy per 2,048 rows; text becomes a dictionary of raw UTF-8 values (decoded once, on the
 * host) and a code per row. No row objects are built.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { quoteIdent } from '../../engine/duck/duck.js';
import { buffersOf, isText, type ColumnKind, type TextColumn, type TransferColumn, type TransferTable } from './columns.js';
import type { BufferPool } from './buffer-pool.js';
import { TextDictionary } from './text-dict.js';
import { FIRST_COLUMN, NotConsecutive, pushChunks } from './duck-push.js';
import { longValues, readSeeded, SEED_MAX_UNIQUE, SEED_MIN_ROWS, seedCode, seededDictionary } from './text-seeds.js';
import { tableFacts } from './table-facts.js';

const INTEGER = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
]);
const NUMERIC = new Set([...INTEGER, DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL]);
const TIMESTAMPS = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ]);
const NESTED = new Set([DuckDBTypeId.LIST, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.ARRAY, DuckDBTypeId.UNION]);

/** How a DuckDB column travels, and the SQL expression that reads it that way. */
function plan(name: string, type: DuckDBType): { kind: ColumnKind; sql: string; integer?: boolean } {
  const col = quoteIdent(name);
  const id = type.typeId;
  if (id === DuckDBTypeId.DOUBLE) return { kind: 'number', sql: col };
  if (NUMERIC.has(id)) return { kind: 'number', sql: `CAST(${col} AS DOUBLE)`, integer: INTEGER.has(id) };
  if (id === DuckDBTypeId.BOOLEAN) return { kind: 'boolean', sql: col };
  if (id === DuckDBTypeId.DATE) return { kind: 'date', sql: col };
  if (TIMESTAMPS.has(id)) return { kind: 'timestamp', sql: `CAST(epoch_ms(${col}) AS DOUBLE)` };
  if (id === DuckDBTypeId.VARCHAR) return { kind: 'string', sql: col };
  if (NESTED.has(id)) return { kind: 'json', sql: `CAST(to_json(${col}) AS VARCHAR)` };
  return { kind: 'string', sql: `CAST(${col} AS VARCHAR)` };
}

interface Sink {
  col: TransferColumn;
  pool: BufferPool;
  dict?: TextDictionary;
  noNull?: boolean;
  /** The column's values as bytes. */
  bytes?: Uint8Array;
  /** Seeded text (text-seeds.ts): the pushed expression k past the columns gives most rows' entries. */
  coded?: number;
}

/** A column's buffers; `overwritten`: every row will be written (the push path), so reused memory needn't be cleared. */
function newSink(pool: BufferPool, name: string, kind: ColumnKind, sourceType: string, n: number, overwritten: boolean): Sink {
  switch (kind) {
    case 'number':
    case 'timestamp':
      return { pool, col: { name, kind, values: pool.takeArray(Float64Array, n, overwritten), valid: null, sourceType } };
    case 'boolean':
      return { pool, col: { name, kind, values: pool.takeArray(Uint8Array, n, overwritten), valid: null, sourceType } };
    case 'date':
      return { pool, col: { name, kind, values: pool.takeArray(Int32Array, n, overwritten), valid: null, sourceType } };
    default:
      return {
        pool,
        col: { name, kind, bytes: new Uint8Array(0), offsets: new Int32Array(1), codes: pool.takeArray(Int32Array, n, overwritten), distinct: true, valid: null, sourceType },
        dict: new TextDictionary(),
      };
  }
}

/** Validity bits of a vector as 32-bit words (null: all valid). */
function validityWords(vector: duckdb.Vector, rows: number): Uint32Array | null {
  const bytes = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  if (!bytes || bytes.byteLength === 0) return null;
  return new Uint32Array(bytes.buffer, bytes.byteOffset, Math.ceil(rows / 32));
}

/** Rows [at, at + rows) of a column from its vector; `chunk` (pushed chunks) has the seeded text's entries. */
function readVector(sink: Sink, vector: duckdb.Vector, rows: number, at: number, total: number, chunk: duckdb.DataChunk | null): void {
  const col = sink.col;
  const words = sink.noNull ? null : validityWords(vector, rows);
  if (words) {
    col.valid ??= sink.pool.takeArray(Uint8Array, total, true).fill(1);
    const valid = col.valid;
    for (let r = 0; r < rows; r++) valid[at + r] = (words[r >>> 5] >>> (r & 31)) & 1;
  }
  if (sink.coded !== undefined && chunk) {
    const coded = duckdb.data_chunk_get_vector(chunk, FIRST_COLUMN + sink.coded);
    const codes = (col as TextColumn).codes!;
    sink.bytes ??= new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
    readSeeded(sink.dict!, codes, sink.bytes, coded, vector, rows, at, words);
  } else readValues(sink, vector, rows, at, words);
  // What DuckDB left on NULL rows (and a reused buffer held) is cleared.
  if (words) {
    const values = isText(col) ? col.codes! : col.values;
    for (let r = 0; r < rows; r++) if (((words[r >>> 5] >>> (r & 31)) & 1) === 0) values[at + r] = 0;
  }
}

function readValues(sink: Sink, vector: duckdb.Vector, rows: number, at: number, words: Uint32Array | null): void {
  const col = sink.col;
  switch (col.kind) {
    case 'number':
    case 'timestamp':
    case 'date': {
      // Byte to byte, into a byte view of the column made once: no view per vector.
      const size = col.values.BYTES_PER_ELEMENT;
      sink.bytes ??= new Uint8Array(col.values.buffer, col.values.byteOffset, col.values.byteLength);
      const bytes = sink.bytes;
      bytes.set(duckdb.vector_get_data(vector, rows * size), at * size);
      return;
    }
    case 'boolean': {
      const data = duckdb.vector_get_data(vector, rows);
      col.values.set(data.subarray(0, rows), at);
      return;
    }
    default: {
      const data = duckdb.vector_get_data(vector, rows * 16);
      sink.dict!.codeVector(new Int32Array(data.buffer, data.byteOffset, rows * 4), rows, (col as { codes: Int32Array }).codes, at, words, longValues(data));
    }
  }
}

const PUSHED_AS: Record<ColumnKind, duckdb.Type> = {
  number: duckdb.Type.DOUBLE,
  timestamp: duckdb.Type.DOUBLE,
  boolean: duckdb.Type.BOOLEAN,
  date: duckdb.Type.DATE,
  string: duckdb.Type.VARCHAR,
  json: duckdb.Type.VARCHAR,
};

type Plan = ReturnType<typeof plan>;

/**
 * Has DuckDB push the chunks of a table with rowids 0..count-1; false when they did not line up.
 * `seeds`: the entries of seeded text columns, pushed after the columns.
 */
async function readPushed(conn: DuckDBConnection, source: string, plans: Plan[], sinks: Sink[], count: number, seeds: { sql: string; params: string[] }[]): Promise<boolean> {
  const exprs = [...plans.map((p) => p.sql), ...seeds.map((s) => s.sql)];
  const types = [...plans.map((p) => PUSHED_AS[p.kind]), ...seeds.map(() => duckdb.Type.INTEGER)];
  try {
    await pushChunks(
      conn,
      source,
      count,
      exprs,
      types,
      seeds.flatMap((s) => s.params),
      (input, rows, at) => {
        for (let i = 0; i < sinks.length; i++) readVector(sinks[i], duckdb.data_chunk_get_vector(input, FIRST_COLUMN + i), rows, at, count, input);
      },
    );
    return true;
  } catch (err) {
    if (err instanceof NotConsecutive) return false;
    throw err;
  }
}

/** Fetches the result chunk by chunk; returns the row count. */
async function readFetched(conn: DuckDBConnection, source: string, plans: Plan[], sinks: Sink[], total: number): Promise<number> {
  const select = plans.length ? plans.map((p) => p.sql).join(', ') : '*';
  const result = await conn.stream(`SELECT ${select} FROM ${source}`);
  let at = 0;
  // Fetch chunk k + 1 (DuckDB's threads) while chunk k is copied here: each chunk is ours once fetched.
  let next = result.fetchChunk();
  for (;;) {
    const chunk = await next;
    if (!chunk || chunk.rowCount === 0) break;
    next = result.fetchChunk();
    const rows = Math.min(chunk.rowCount, total - at);
    for (let i = 0; i < sinks.length; i++) readVector(sinks[i], duckdb.data_chunk_get_vector(chunk.chunk, i), rows, at, total, null);
    at += rows;
  }
  return at;
}

/** Reads a whole table (or any relation SQL) into column buffers. `source` is trusted SQL: a quoted table name. */
export async function readColumns(conn: DuckDBConnection, source: string, pool: BufferPool): Promise<TransferTable> {
  const head = await conn.run(`SELECT * FROM ${source} LIMIT 0`);
  const names = head.columnNames();
  const types = head.columnTypes();
  const plans = names.map((n, i) => plan(n, types[i]));
  const { count, maxRowid, stats, firstValues } = await tableFacts(
    conn,
    source,
    names,
    types,
    plans.map((p) => !!p.integer),
  );
  const newSinks = (overwritten: boolean) =>
    names.map((n, i) => {
      const sink = newSink(pool, n, plans[i].kind, String(types[i]), count, overwritten);
      if (stats[i]?.range) Object.assign(sink.col, { integral: true, ...stats[i].range });
      sink.noNull = stats[i]?.noNull ?? false;
      return sink;
    });
  const finish = (sinks: Sink[], rowCount: number): TransferTable => {
    for (const s of sinks) if (s.dict && (s.col.kind === 'string' || s.col.kind === 'json')) Object.assign(s.col, s.dict.finish());
    return { rowCount, columns: sinks.map((s) => s.col) };
  };
  // rowid is 0..n-1 when no row was ever deleted; a column named rowid hides it.
  const hidden = names.some((n) => n.toLowerCase() === 'rowid');
  if (maxRowid !== null && !hidden && plans.length && maxRowid === count - 1) {
    const sinks = newSinks(true);
    // Big tables' text of few values gets seeds.
    const seeds: { sql: string; params: string[] }[] = [];
    names.forEach((name, col) => {
      const values = firstValues[col];
      if (!values || count < SEED_MIN_ROWS || (stats[col]?.unique ?? Infinity) > SEED_MAX_UNIQUE) return;
      sinks[col].dict = seededDictionary(values);
      sinks[col].coded = names.length + seeds.length;
      seeds.push(seedCode(name, values));
    });
    if (await readPushed(conn, source, plans, sinks, count, seeds)) return finish(sinks, count);
    pool.giveBack(buffersOf(finish(sinks, count)));
  }
  const sinks = newSinks(false);
  return finish(sinks, await readFetched(conn, source, plans, sinks, count));
}
