/**
 * What reading a table needs to know before its scan, in one query: its row count and highest
 * rowid, what its statistics say of each column (DuckDB's stats() text, kept by the table: no
 * scan), and the distinct values of the first rows of each text column (seeds, text-seeds.ts).
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { quoteIdent } from '../../engine/duck/duck.js';
import { SEED_MAX, SEED_ROWS } from './text-seeds.js';

export interface ColumnStats {
  /** Bounds of an integer column: writing it back needn't look at its values. */
  range: { min: number; max: number } | null;
  /** Whether the column has no NULL (its vectors' validity needn't be read). */
  noNull: boolean;
  /** Estimated distinct values. */
  unique: number;
}

export interface TableFacts {
  count: number;
  /** Null when the relation has no rowid (a view). */
  maxRowid: number | null;
  /** Per column; none known for a view. */
  stats: (ColumnStats | null)[];
  /** Per column: the distinct values of a text column's first rows, when they are few. */
  firstValues: (string[] | null)[];
}

const STATS_RANGE = /^\[Min: (-?\d+), Max: (-?\d+)\]/;
const STATS_UNIQUE = /\[Approx Unique: (\d+)\]$/;
// The column's own validity comes last (after a list's or struct's children).
const STATS_NULLS = /\[Has Null: (true|false), Has No Null: (?:true|false)\]/g;

/** e.g. "[Min: 0, Max: 99][Has Null: false, Has No Null: true][Approx Unique: 97]"; another format gives nothing. */
function parseStats(text: string, integer: boolean): ColumnStats {
  const m = integer ? STATS_RANGE.exec(text) : null;
  const nulls = [...text.matchAll(STATS_NULLS)].pop();
  return { range: m ? { min: Number(m[1]), max: Number(m[2]) } : null, noNull: nulls?.[1] === 'false', unique: Number(STATS_UNIQUE.exec(text)?.[1] ?? Infinity) };
}

/** The facts of `source` (trusted SQL: a quoted name) with columns `names` of `types`; `integer`: which have an integer type. */
export async function tableFacts(conn: DuckDBConnection, source: string, names: string[], types: DuckDBType[], integer: boolean[]): Promise<TableFacts> {
  const q = names.map(quoteIdent);
  const text = names.flatMap((_, i) => (types[i].typeId === DuckDBTypeId.VARCHAR ? [i] : []));
  const parts = ['count(*)::DOUBLE', 'max(rowid)::DOUBLE'];
  if (names.length) parts.push(`(SELECT [${q.map((c) => `stats(${c})`).join(', ')}] FROM ${source} LIMIT 1)`);
  if (text.length) {
    // One more than SEED_MAX tells that there are too many; a NULL is dropped here.
    const firsts = text.map((i) => `list(DISTINCT ${q[i]})[1:${SEED_MAX + 2}]`);
    parts.push(`(SELECT [${firsts.join(', ')}] FROM ${source} WHERE rowid < ${SEED_ROWS})`);
  }
  const row = await conn
    .runAndReadAll(`SELECT ${parts.join(', ')} FROM ${source}`)
    .then((r) => r.getRowsJS()[0])
    .catch(() => null);
  if (!row) {
    // No rowid: a view, whose count is all there is.
    const count = Number((await conn.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${source}`)).getRowsJS()[0][0]);
    return { count, maxRowid: null, stats: names.map(() => null), firstValues: names.map(() => null) };
  }
  const stats = (row[2] ?? []) as (string | null)[];
  const firsts = (row[3] ?? []) as (string[] | null)[];
  const firstValues: (string[] | null)[] = names.map(() => null);
  text.forEach((col, k) => {
    const values = Array.isArray(firsts[k]) ? firsts[k]!.filter((v) => v !== null) : [];
    // Distinct by the column's collation, which may equate different bytes: those are looked up.
    if (values.length > 0 && values.length <= SEED_MAX && values.every((v) => typeof v === 'string')) firstValues[col] = values;
  });
  return {
    count: Number(row[0]),
    maxRowid: row[1] === null ? -1 : Number(row[1]),
    stats: names.map((_, i) => (typeof stats[i] === 'string' ? parseStats(stats[i]!, integer[i]) : null)),
    firstValues,
  };
}
