import { z } from 'zod';
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { cellSchema, type CellType, type AnalyzeContext, type RunContext } from '../engine/cell-type.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { analyzeSql } from '../engine/sql/parse.js';
import { sqlRuntimeError } from '../engine/sql/errors.js';
import { bindParams, quoteIdent, RESULTS_CATALOG, type BoundParams } from '../engine/duck/duck.js';
import { didYouMean } from '../engine/util/suggest.js';

const schema = cellSchema('query', {
  sql: z.string().min(1).describe('SQL run on DuckDB; params are bound as $name'),
  connection: z.string().optional().describe('Named connection from quire.yaml (default: the embedded DuckDB)'),
  mode: z.enum(['read', 'write']).optional().describe('write allows statements that change the database'),
});
export type QuerySpec = z.infer<typeof schema>;

const READ_ONLY_HINT = 'query cells only read (SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, PIVOT); set `mode: write` if this cell must change the database';

function cleanSql(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

export const queryCell: CellType<QuerySpec> = {
  type: 'query',
  description: 'SQL on DuckDB; the result is a table named after the cell',
  schema,
  outputKind: 'table',
  writes: (spec) => spec.mode === 'write',
  sqlOf: (spec) => [cleanSql(spec.sql)],

  async analyze(spec, ctx) {
    const errors: QuireError[] = [];
    const sqlPath = [...ctx.path, 'sql'];
    if (spec.connection !== undefined) {
      const conn = ctx.project.config.connections[spec.connection];
      if (!conn) {
        const names = Object.keys(ctx.project.config.connections);
        const dym = didYouMean(spec.connection, names);
        errors.push(new UserError('E_CONNECTION_UNKNOWN', `unknown connection '${spec.connection}' in cell ${spec.id}${dym ? ` — ${dym}` : ''}`, {
          location: ctx.source.locate([...ctx.path, 'connection']),
          hint: names.length ? `connections in quire.yaml: ${names.join(', ')}` : 'declare it under `connections:` in quire.yaml',
        }));
      } else if (conn.type !== 'duckdb') {
        errors.push(new UserError('E_CONNECTION_UNSUPPORTED', `connection '${spec.connection}' is of type ${conn.type}, which this version of quire cannot run queries on yet`, {
          location: ctx.source.locate([...ctx.path, 'connection']),
          hint: 'use the embedded DuckDB or a `type: duckdb` connection',
        }));
      }
    }
    const sql = cleanSql(spec.sql);
    const parsed = await analyzeSql(ctx.parser, sql);
    if (parsed.syntaxError) {
      errors.push(new UserError('E_SQL_SYNTAX', `SQL syntax error in cell ${spec.id}: ${parsed.syntaxError.message}`, {
        location: parsed.syntaxError.offset === undefined ? ctx.source.locate(sqlPath) : ctx.source.locateInString(sqlPath, parsed.syntaxError.offset),
        hint: 'fix the SQL; DuckDB\'s parser rejected it',
      }));
    } else if (!parsed.isQuery && spec.mode !== 'write' && !(await parsesAsSubquery(ctx.parser, sql))) {
      errors.push(new UserError('E_SQL_WRITE', `cell ${spec.id} is not a read-only query`, { location: ctx.source.locate(sqlPath), hint: READ_ONLY_HINT }));
    }
    for (const name of parsed.params) {
      if (ctx.paramNames.includes(name)) continue;
      const dym = didYouMean(name, ctx.paramNames);
      errors.push(new UserError('E_SQL_PARAM_UNKNOWN', `cell ${spec.id} uses $${name}, which is not a param${dym ? ` — ${dym.replace("'", "'$")}` : ''}`, {
        location: ctx.source.locate(sqlPath),
        hint: ctx.paramNames.length ? `params available: ${ctx.paramNames.map((p) => '$' + p).join(', ')}` : 'declare it under `params:`',
      }));
    }
    const reads = { params: parsed.params, files: parsed.files ?? [], volatile: spec.mode === 'write' || parsed.volatile === true };
    return { references: parsed.tables, errors, reads };
  },

  async run(spec, ctx) {
    const sql = cleanSql(spec.sql);
    const fail = (err: unknown, lineOffset: number) => sqlRuntimeError(err, spec.id, sql, ctx.source, [...ctx.path, 'sql'], lineOffset);
    const target = `${RESULTS_CATALOG}.main.${quoteIdent(spec.id)}`;
    if (spec.mode === 'write') {
      try {
        await runWrite(ctx, sql, target);
      } catch (err) {
        throw fail(err, 0);
      }
      return ctx.readTable(spec.id, 100);
    }
    let ctas: CreateTable;
    try {
      ctas = await createTableSql(ctx.conn, target, sql, spec.id);
    } catch (err) {
      throw fail(err, 0);
    }
    let rows: number;
    try {
      rows = await createTable(ctx.conn, ctas, ctx.params, ctx.signal);
    } catch (err) {
      throw fail(err, 1);
    }
    return ctx.readTable(spec.id, 100, rows);
  },
};

/**
 * `CREATE TABLE t AS <sql>` for one plain query; else over a subquery (DESCRIBE, SUMMARIZE,
 * PIVOT, which CTAS won't take directly). Anything else is refused by its statement types
 * before it runs (see assertReadOnly).
 */
interface CreateTable {
  sql: string;
  /** Over a subquery: may expand into several statements (a PIVOT collecting its columns). */
  subquery: boolean;
  /** Whether it binds params (else it runs without a prepare step). */
  bindsParams: boolean;
}

async function createTableSql(conn: DuckDBConnection, target: string, sql: string, id: string): Promise<CreateTable> {
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

async function parsesAsSubquery(conn: DuckDBConnection, sql: string): Promise<boolean> {
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
async function assertReadOnly(conn: DuckDBConnection, sql: string, id: string, isQuery: boolean): Promise<void> {
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
 * expands into several statements (its column values first), run in order.
 */
async function createTable(conn: DuckDBConnection, ctas: CreateTable, params: BoundParams, signal?: AbortSignal): Promise<number> {
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
      if (i === ex.count - 1) rows = Number(result.getRows()[0]?.[0] ?? 0);
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
async function runWrite(ctx: RunContext, sql: string, target: string): Promise<void> {
  const ex = await ctx.conn.extractStatements(sql);
  let changed = 0;
  for (let i = 0; i < ex.count; i++) {
    const stmt = await ex.prepare(i);
    bindParams(stmt, ctx.params);
    const res = await stmt.run();
    changed += Number(res.rowsChanged ?? 0);
  }
  await ctx.conn.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${Math.trunc(changed)}::BIGINT AS rows_changed`);
}
