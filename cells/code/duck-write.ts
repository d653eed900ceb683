/**
 * Column buffers → a DuckDB table: written to a scratch Parquet file (parquet-write.ts) that
 * DuckDB inserts from on all its threads, converting to the table's types on the way (DOUBLE →
 * an input's integer type, µs → TIMESTAMP, text → JSON). Column names come from code and are
 * quoted identifiers; every buffer was checked (checkTable) before it is read.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, sqlString } from '../../engine/duck/duck.js';
import { isText, numberStats, type TransferColumn, type TransferTable } from './columns.js';
import { writeParquet, type Layout } from './parquet-write.js';
import { SCRATCH_DIRS, type ScratchFiles } from './scratch-files.js';

const INTEGERS: Record<string, { min: number; max: number }> = {
  TINYINT: { min: -128, max: 127 },
  SMALLINT: { min: -32768, max: 32767 },
  INTEGER: { min: -2147483648, max: 2147483647 },
  BIGINT: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  UTINYINT: { min: 0, max: 255 },
  USMALLINT: { min: 0, max: 65535 },
  UINTEGER: { min: 0, max: 4294967295 },
  UBIGINT: { min: 0, max: Number.MAX_SAFE_INTEGER },
};

/**
 * The DuckDB type a returned column gets: the type its input column of the same name had when the
 * values still fit it (integers stay integers, timestamps stay timestamps), else the natural one.
 */
export function columnType(c: TransferColumn, hint: string | undefined): { sql: string; writer: Layout } {
  switch (c.kind) {
    case 'number': {
      const int = hint ? INTEGERS[hint] : undefined;
      const stats = int && c.integral === undefined ? numberStats(c.values, c.valid) : c;
      if (int && stats.integral && (stats.min ?? 0) >= int.min && (stats.max ?? 0) <= int.max) return { sql: hint!, writer: 'f64' };
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

function checkText(c: TransferColumn & { bytes: Uint8Array; offsets: Int32Array; codes: Int32Array | null }, n: number): void {
  const { offsets, codes } = c;
  if (!(c.bytes instanceof Uint8Array) || !(offsets instanceof Int32Array)) throw new Error(`column ${c.name}: bad text buffers`);
  const entries = offsets.length - 1;
  if (entries < 0 || offsets[0] < 0 || offsets[entries] > c.bytes.length) throw new Error(`column ${c.name}: bad offsets`);
  for (let i = 0; i < entries; i++) if (offsets[i] > offsets[i + 1]) throw new Error(`column ${c.name}: bad offsets`);
  if (codes === null ? entries !== n : !(codes instanceof Int32Array) || codes.length !== n) throw new Error(`column ${c.name}: bad codes`);
  // Branch-free: a code below 0 or past the last entry sets the sign bit.
  const last = Math.max(entries, 1) - 1;
  let bad = 0;
  if (codes) for (let i = 0; i < n; i++) bad |= codes[i] | (last - codes[i]);
  if (bad < 0) throw new Error(`column ${c.name}: bad codes`);
}

/** Throws unless every buffer has the length its row count says and every code has its entry. */
export function checkTable(t: TransferTable): void {
  const n = t.rowCount;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('bad row count');
  for (const c of t.columns) {
    if (c.valid && (!(c.valid instanceof Uint8Array) || c.valid.length !== n)) throw new Error(`column ${c.name}: bad validity`);
    if (isText(c)) checkText(c, n);
    else {
      const ok = c.kind === 'number' || c.kind === 'timestamp' ? c.values instanceof Float64Array : c.kind === 'date' ? c.values instanceof Int32Array : c.values instanceof Uint8Array;
      if (!ok || c.values.length !== n) throw new Error(`column ${c.name}: bad values`);
    }
  }
}

/** The SELECT expression that turns Parquet column `col` (as `writer` stored it) into type `sql`. */
function fromParquet(col: string, sql: string, writer: Layout): string {
  if (writer === 'ts') {
    // µs since the epoch, as an instant: no time zone setting takes part.
    return sql === 'TIMESTAMP' ? `make_timestamp(${col})` : `TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(${col})`;
  }
  return (writer === 'f64' && sql !== 'DOUBLE') || sql === 'JSON' ? `CAST(${col} AS ${sql})` : col;
}

/** Writes the table to a scratch file; the first directory that takes it. */
function writeScratch(scratch: ScratchFiles, table: TransferTable, layouts: Layout[]): { dir: string; file: string } {
  for (let i = 0; ; i++) {
    const dir = SCRATCH_DIRS[i];
    const file = scratch.take(dir);
    try {
      writeParquet(file, table, layouts);
      return { dir, file };
    } catch (err) {
      scratch.release(dir, file, true);
      if (i + 1 === SCRATCH_DIRS.length) throw err;
    }
  }
}

/**
 * Creates (or replaces) `catalog.main."name"` holding the table. A column's DuckDB type follows
 * its `sourceType`, else `hints` (column name → the DuckDB type of the code cell's inputs).
 * Column names must have been checked by the caller.
 */
export async function writeColumns(conn: DuckDBConnection, catalog: string, name: string, table: TransferTable, hints: ReadonlyMap<string, string>, scratch: ScratchFiles): Promise<void> {
  checkTable(table);
  const types = table.columns.map((c) => columnType(c, c.sourceType ?? hints.get(c.name)));
  const target = `${quoteIdent(catalog)}.main.${quoteIdent(name)}`;
  if (table.rowCount === 0) {
    await conn.run(`CREATE OR REPLACE TABLE ${target} (${table.columns.map((c, i) => `${quoteIdent(c.name)} ${types[i].sql}`).join(', ')})`);
    return;
  }
  const { dir, file } = writeScratch(
    scratch,
    table,
    types.map((t) => t.writer),
  );
  let failed = true;
  try {
    const select = table.columns.map((c, i) => `${fromParquet(`c${i}`, types[i].sql, types[i].writer)} AS ${quoteIdent(c.name)}`).join(', ');
    await conn.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${select} FROM read_parquet(${sqlString(file)})`);
    failed = false;
  } finally {
    scratch.release(dir, file, failed);
  }
}
