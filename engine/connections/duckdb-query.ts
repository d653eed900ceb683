/**
 * Running a query cell's SQL on the run's DuckDB session: `CREATE TABLE <cell id> AS <sql>` with
 * the params bound, after the statement types were checked by DuckDB's parser.
 */
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { bindParams, type BoundParams } from '../duck/duck.js';
import { analyzeSql } from '../sql/parse.js';
import { UserError } from '../util/errors.js';
import { READ_ONLY_HINT } from './connection.js';

/**
 * `CREATE TABLE t AS <sql>` for one plain query; else over a subquery (DESCRIBE, SUMMARIZE,
 * PIVOT, which CTAS won't take directly). Anything else is refused by its statement types
 * before it runs (see assertReadOnly).
 */
export interface CreateTable {
  sql: string;
  /** Over a subquery: may expand into several statements (a PIVOT collecting its columns). */
  subquery: boolean;
  /** Whether it binds params (else it runs without a prepare step). */
  bindsParams: boolean;
}

export async function createTableSql(conn: DuckDBConnection, target: string, sql: string, id: string): Promise<CreateTable> {
  const analysis = await analyzeSql(conn, sql);
  if (analysis.isQuery && analysis.statements === 1 && (PLAIN_QUERY_START.test(sql) || (await parses(conn, `CREATE TABLE t AS\n${sql}\n`)))) {
    return { sql: `CREATE OR REPLACE TABLE ${target} AS\n${sql}\n`, subquery: false, bindsParams: analysis.params.length > 0 };
  }
  await assertReadOnly(conn, sql, id, analysis.isQuery);
  return { sql: `CREATE OR REPLACE TABLE ${target} AS SELECT * FROM (\n${sql}\n)`, subquery: true, bindsParams: true };
}

/** Queries CTAS takes as they are; others that DuckDB parses as queries (SUMMARIZE, DESCRIBE, SHOW) are checked. */
const PLAIN_QUERY_START = /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*(SELECT|WITH|FROM|VALUES|TABLE)\b/i;

async function parses(conn: DuckDBConnection, sql: string): Promise<boolean> {
  try {
    await conn.extractStatements(sql);
    return true;
  } catch {
    return false;
  }
}

export async function parsesAsSubquery(conn: DuckDBConnection, sql: string): Promise<boolean> {
  try {
    await conn.extractStatements(`SELECT * FROM (\n${sql}\n)`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decided by DuckDB's parser before anything runs: a statement it can serialize is a query;
 * otherwise it must still parse as a subquery (e.g. a PIVOT that first collects its column
 * values), else its statement types are named in the error.
 */
export async function assertReadOnly(conn: DuckDBConnection, sql: string, id: string, isQuery: boolean): Promise<void> {
  if (isQuery || (await parsesAsSubquery(conn, sql))) return;
  const ex = await conn.extractStatements(sql);
  const types: string[] = [];
  for (let i = 0; i < ex.count; i++) {
    try {
      const stmt = await ex.prepare(i);
      types.push(StatementType[stmt.statementType]);
      stmt.destroySync();
    } catch {
      types.push('unknown');
    }
  }
  const what = ex.count === 1 ? `a ${types[0]} statement` : `${ex.count} statements (${types.join(', ')}); a read-only query cell holds one query`;
  throw new UserError('E_SQL_WRITE', `cell ${id} is not a read-only query: it is ${what}`, { hint: READ_ONLY_HINT });
}

/**
 * Runs the CREATE TABLE AS with the params bound; returns the rows it wrote. A PIVOT inside
 * expands into several statements (settings, its column values, the CREATE, a reset), run in order.
 */
export async function createTable(conn: DuckDBConnection, ctas: CreateTable, params: BoundParams, signal?: AbortSignal): Promise<number> {
  const { sql } = ctas;
  signal?.throwIfAborted();
  if (!ctas.subquery && !ctas.bindsParams) return Number((await conn.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
  if (!ctas.subquery) {
    const stmt = await conn.prepare(sql);
    try {
      bindParams(stmt, params);
      return Number((await stmt.runAndReadAll()).getRows()[0]?.[0] ?? 0);
    } finally {
      stmt.destroySync();
    }
  }
  const ex = await conn.extractStatements(sql);
  let rows = 0;
  for (let i = 0; i < ex.count; i++) {
    signal?.throwIfAborted();
    const stmt = await ex.prepare(i);
    try {
      bindParams(stmt, params);
      const result = await stmt.runAndReadAll();
      // The CREATE TABLE AS answers its row count; a PIVOT's expansion ends with other statements (a RESET).
      const count = result.columnNames()[0] === 'Count' ? result.getRows()[0]?.[0] : undefined;
      if (count !== undefined) rows = Number(count);
    } finally {
      stmt.destroySync();
    }
  }
  return rows;
}

/**
 * `mode: write`: run every statement in order; the cell's table is one row, `rows_changed`.
 * Read what was written with a later query cell that depends on this one.
 */
export async function runWrite(conn: DuckDBConnection, sql: string, target: string, params: BoundParams, signal?: AbortSignal): Promise<void> {
  const ex = await conn.extractStatements(sql);
  let changed = 0;
  for (let i = 0; i < ex.count; i++) {
    signal?.throwIfAborted();
    const stmt = await ex.prepare(i);
    try {
      bindParams(stmt, params);
      const res = await stmt.run();
      changed += Number(res.rowsChanged ?? 0);
    } finally {
      stmt.destroySync();
    }
  }
  await conn.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${Math.trunc(changed)}::BIGINT AS rows_changed`);
}
