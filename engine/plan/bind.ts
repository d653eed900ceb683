/**
 * Schema-aware validation: each DuckDB query cell is bound (prepared, never run) against the
 * project database's catalog, with every upstream cell present as an empty table of its result
 * columns. Only name-resolution failures are reported (unknown table, column, schema): a type
 * guessed for an unbound `$param` column must never turn into a false alarm.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { bindParams, quoteIdent, RESULTS_CATALOG, type BoundParams } from '../duck/duck.js';
import { DEFAULT_CONNECTION } from '../connections/connection.js';
import { locateDuckError, withoutSqlQuote } from '../sql/errors.js';
import { UserError, type QuireError } from '../util/errors.js';
import type { Notebook } from '../notebook/load.js';
import type { Dag } from './graph.js';
import type { YamlPath } from '../source/source.js';
import { analyzeSql } from '../sql/parse.js';

const NAME_ERROR = /^(Catalog Error: (Table|Schema|Catalog) with name .* does not exist|Binder Error: (Referenced column|Referenced table|Table ".*" does not have a column))/;

export function bindHint(message: string): string {
  if (/^Catalog Error/.test(message))
    return 'check the table name: tables come from the project database (quire.yaml `database:`), `sources:` (files, in quire.yaml or the notebook) or are cells named by id';
  return 'check the column names against the tables this query reads';
}

export type Columns = { name: string; type: string }[];

/** What a statement's columns depend on besides its own text. */
export interface BindInputs {
  sql: string;
  /** The param values it is described with (null: described without). */
  params: BoundParams | null;
  /** Columns of the cells it reads, by id. */
  upstream: Record<string, Columns>;
  /** Files the SQL names (table functions, `FROM 'file'`). */
  files: readonly string[];
}

/** What the binder found, remembered between validations (engine/cache/bind-memo.ts). */
export interface BindMemo {
  get(inputs: BindInputs): Columns | undefined;
  set(inputs: BindInputs, columns: Columns): void;
}

type Described = { columns: { name: string; type: string }[] } | { error: string };

/** Result columns of a statement, from the binder; a statement with `$params` is described with their default values bound. */
async function describe(conn: DuckDBConnection, sql: string, params: BoundParams | null): Promise<Described> {
  let stmt: DuckDBPreparedStatement;
  try {
    stmt = await conn.prepare(sql);
  } catch (err) {
    return { error: (err as Error).message ?? String(err) };
  }
  try {
    const columns = [];
    for (let i = 0; i < stmt.columnCount; i++) columns.push({ name: stmt.columnName(i), type: stmt.columnType(i).toString() });
    return { columns };
  } catch {
    // Types that depend on unbound $params are only known once values are bound.
  } finally {
    stmt.destroySync();
  }
  if (!params) return { columns: [] };
  try {
    const described = await conn.prepare(`DESCRIBE ${sql}`);
    bindParams(described, params);
    const rows = (await described.runAndReadAll()).getRowObjects();
    return { columns: rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })) };
  } catch {
    return { columns: [] };
  }
}

async function createEmpty(conn: DuckDBConnection, id: string, columns: { name: string; type: string }[]): Promise<boolean> {
  if (!columns.length) return false;
  try {
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await conn.run(`CREATE OR REPLACE TABLE ${RESULTS_CATALOG}.main.${quoteIdent(id)} (${defs})`);
    return true;
  } catch {
    return false;
  }
}

/** A DuckDB query cell the binder can check: one statement on the project database, reading nothing it can't see. */
type Bindable = { id: string; path: YamlPath; sql: string };

export interface Bound {
  errors: QuireError[];
  /** Result columns of each cell the binder described, as a run makes them. */
  columns: Map<string, string[]>;
}

/**
 * Located errors for unknown tables and columns in the notebook's DuckDB query cells, and the
 * result columns of those it could describe. `connect` opens connections on a session that sees
 * the project database; `params` are the notebook's default values (null when some param has
 * none). The cells of one DAG level are bound at once, each on its own connection: binding a query
 * over a large CSV is mostly DuckDB sniffing it.
 */
export async function bindNotebook(nb: Notebook, dag: Dag, connect: () => Promise<DuckDBConnection>, params: BoundParams | null, memo?: BindMemo): Promise<Bound> {
  const byId = new Map(nb.cells.map((c) => [c.spec.id, c]));
  const read = new Set([...dag.upstream.values()].flat());
  // The cells described, each an empty table of its result columns on the session.
  const known = new Map<string, Columns>();
  const failed: (Bindable & { message: string })[] = [];
  const conns: DuckDBConnection[] = [];
  const bindable = (id: string): Bindable | null => {
    const cell = byId.get(id);
    if (!cell) return null;
    const sqls = cell.cellType.sqlOf?.(cell.spec) ?? [];
    const connection = cell.cellType.connectionOf?.(cell.spec) ?? DEFAULT_CONNECTION;
    const [sql] = sqls;
    if (sql === undefined || sqls.length !== 1 || connection !== DEFAULT_CONNECTION || cell.cellType.writes?.(cell.spec)) return null;
    // An upstream cell whose columns are unknown (code, metric, another connection...) leaves nothing to check against.
    if (!(dag.upstream.get(id) ?? []).every((u) => known.has(u))) return null;
    // A source's columns are known once its file is read, at run time.
    if (dag.sources?.[id]?.length) return null;
    return { id, path: cell.path, sql };
  };
  try {
    for (const level of dag.levels) {
      const cells = level.map(bindable).filter((c): c is Bindable => c !== null);
      while (conns.length < cells.length) conns.push(await connect());
      await Promise.all(
        cells.map(async (cell, i) => {
          const conn = conns[i]!;
          // Only a cell another cell reads needs the types its $params decide: the rest is bound for its errors alone.
          const withParams = read.has(cell.id) ? params : null;
          const inputs: BindInputs | null = memo
            ? {
                sql: cell.sql,
                params: withParams,
                upstream: Object.fromEntries((dag.upstream.get(cell.id) ?? []).map((u) => [u, known.get(u)!])),
                files: (await analyzeSql(conn, cell.sql)).files ?? [],
              }
            : null;
          const kept = inputs ? memo?.get(inputs) : undefined;
          const result = kept ? { columns: kept } : await describe(conn, cell.sql, withParams);
          if ('error' in result) {
            if (NAME_ERROR.test(result.error)) failed.push({ ...cell, message: result.error });
            return;
          }
          if (inputs && !kept) memo?.set(inputs, result.columns);
          if (await createEmpty(conn, cell.id, result.columns)) known.set(cell.id, result.columns);
        }),
      );
    }
    const errors: QuireError[] = [];
    for (const f of failed.sort((a, b) => dag.ids.indexOf(a.id) - dag.ids.indexOf(b.id))) {
      // Bound again once every cell's table exists, so DuckDB's "Did you mean" can name a later cell.
      const again = /^Catalog Error/.test(f.message) ? await describe(conns[0]!, f.sql, params) : null;
      const message = again && 'error' in again && NAME_ERROR.test(again.error) ? again.error : f.message;
      errors.push(
        new UserError('E_SQL_BIND', `cell ${f.id}: ${withoutSqlQuote(message)}`, {
          location: locateDuckError(message, f.sql, nb.source, [...f.path, 'sql'], 0),
          hint: bindHint(message),
        }),
      );
    }
    return { errors, columns: new Map([...known].map(([id, cols]) => [id, cols.map((c) => c.name)])) };
  } finally {
    for (const conn of conns) conn.closeSync();
  }
}
