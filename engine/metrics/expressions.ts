/**
 * SQL expressions of specs, seen through DuckDB's own parser (`json_serialize_sql`): syntax
 * errors with their position, a check that the text is exactly one expression (so it can be
 * embedded in generated SQL without changing its shape), and what it reads.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../duck/duck.js';

/** Text before the expression in the statement we parse (offsets in errors are shifted back). */
const PREFIX = 'SELECT (';

/** How an expression is embedded everywhere: in parentheses; a newline ends a trailing `--` comment. */
export function wrapExpr(expr: string): string {
  return expr.includes('--') ? `(${expr}\n)` : `(${expr})`;
}

export interface ParsedExpr {
  ok: true;
  /** DuckDB's parse tree of the expression. */
  tree: Record<string, unknown>;
  tables: string[];
  columns: string[];
  /** Aggregate function calls outside subqueries. */
  aggregates: number;
  params: string[];
}

export interface ExprError {
  ok: false;
  message: string;
  /** Character offset in the expression, when the parser gives one. */
  offset?: number;
}

export type Json = Record<string, unknown>;

let aggregateNames: Promise<Set<string>> | undefined;

/** DuckDB's aggregate function names (fixed per DuckDB version, asked once per process). */
export function aggregateFunctions(conn: DuckDBConnection): Promise<Set<string>> {
  aggregateNames ??= conn
    .runAndReadAll("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'")
    .then((r) => new Set(r.getRows().map((row) => String(row[0]).toLowerCase())))
    .catch((err) => {
      aggregateNames = undefined;
      throw err;
    });
  return aggregateNames;
}

export async function serialize(conn: DuckDBConnection, sql: string): Promise<Json> {
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`);
  return JSON.parse(String(reader.getRows()[0][0])) as Json;
}

/** The one statement must be `SELECT (<expr>)` and nothing else. */
export function singleExpression(json: Json): Json | null {
  const statements = json.statements as Json[] | undefined;
  if (statements?.length !== 1) return null;
  const node = statements[0].node as Json;
  const empty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0);
  if (node.type !== 'SELECT_NODE') return null;
  const list = node.select_list as Json[];
  if (list.length !== 1) return null;
  if ((node.from_table as Json | undefined)?.type !== 'EMPTY') return null;
  for (const key of ['where_clause', 'group_expressions', 'group_sets', 'having', 'sample', 'qualify', 'modifiers']) {
    if (!empty(node[key])) return null;
  }
  if (!empty((node.cte_map as Json | undefined)?.map)) return null;
  return list[0];
}

/** The statement an expression is parsed as: `SELECT (<expr>)`. */
export function exprStatement(expr: string): string {
  return PREFIX + wrapExpr(expr).slice(1);
}

/** Parses one SQL expression; never executes anything. */
export async function parseExpr(conn: DuckDBConnection, expr: string): Promise<ParsedExpr | ExprError> {
  const json = await serialize(conn, exprStatement(expr));
  if (json.error) {
    const position = json.position === undefined ? undefined : Number(json.position) - PREFIX.length;
    const message = String(json.error_message ?? 'syntax error').split('\n')[0];
    return { ok: false, message, offset: position !== undefined && position >= 0 && position <= expr.length ? position : undefined };
  }
  const tree = singleExpression(json);
  if (!tree) return { ok: false, message: 'not a single SQL expression (check the parentheses)' };
  const aggs = await aggregateFunctions(conn);
  const tables = new Set<string>();
  const columns = new Set<string>();
  const params = new Set<string>();
  let aggregates = 0;
  const walk = (n: unknown, inSubquery: boolean): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x, inSubquery);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const o = n as Json;
    if (o.type === 'BASE_TABLE' && typeof o.table_name === 'string' && !o.catalog_name && !o.schema_name) tables.add(o.table_name);
    if (o.class === 'PARAMETER' && typeof o.identifier === 'string') params.add(o.identifier);
    if (!inSubquery && o.class === 'COLUMN_REF') {
      const names = o.column_names as string[];
      if (names.length === 1) columns.add(names[0]);
    }
    if (!inSubquery && o.class === 'FUNCTION' && !o.is_operator && aggs.has(String(o.function_name).toLowerCase())) aggregates++;
    const sub = inSubquery || o.class === 'SUBQUERY';
    for (const v of Object.values(o)) if (v && typeof v === 'object') walk(v, sub);
  };
  walk(tree, false);
  return { ok: true, tree, tables: [...tables], columns: [...columns], aggregates, params: [...params] };
}
