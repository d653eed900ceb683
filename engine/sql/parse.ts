import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../duck.js';

export interface SqlAnalysis {
  /** Table names referenced without a catalog/schema (candidates for cell ids), CTE names removed. */
  tables: string[];
  /** A syntax error by DuckDB's parser, with the character offset when it gives one. */
  syntaxError?: { message: string; offset?: number };
  /** `$name` parameters the SQL uses. */
  params: string[];
  /** False when the statement is not a plain query (INSERT, CREATE, dynamic PIVOT...). */
  isQuery: boolean;
}

/**
 * Parses SQL with DuckDB's own parser (`json_serialize_sql`), without binding: upstream tables
 * need not exist.
 */
export async function analyzeSql(conn: DuckDBConnection, sql: string): Promise<SqlAnalysis> {
  // json_serialize_sql takes only a constant, so the text goes in as a quoted literal: it is
  // parsed, never executed.
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)}) AS j`);
  const json = JSON.parse(String(reader.getRows()[0][0])) as Record<string, unknown>;
  if (json.error) {
    if (json.error_type === 'parser') {
      const offset = json.position === undefined ? undefined : Number(json.position);
      return { tables: [], params: [], isQuery: false, syntaxError: { message: String(json.error_message), offset } };
    }
    // Not a SELECT: DuckDB only serializes queries. Tell a non-query apart from a parse error.
    const syntaxError = await extractError(conn, sql);
    return { tables: [], params: [], isQuery: false, syntaxError };
  }
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const params = new Set<string>();
  walk(json.statements, { tables, ctes, params });
  return { tables: [...tables].filter((t) => !ctes.has(t)), params: [...params], isQuery: true };
}

async function extractError(conn: DuckDBConnection, sql: string): Promise<SqlAnalysis['syntaxError']> {
  try {
    await conn.extractStatements(sql);
    return undefined;
  } catch (err) {
    const message = (err as Error).message.replace(/^Failed to extract statements: /, '').split('\n')[0];
    return { message };
  }
}

interface Found {
  tables: Set<string>;
  ctes: Set<string>;
  params: Set<string>;
}

function walk(node: unknown, found: Found): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, found);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'BASE_TABLE' && typeof obj.table_name === 'string' && !obj.catalog_name && !obj.schema_name) {
    found.tables.add(obj.table_name);
  }
  if (obj.class === 'PARAMETER' && typeof obj.identifier === 'string') found.params.add(obj.identifier);
  const cteMap = obj.cte_map as { map?: { key: string }[] } | undefined;
  for (const entry of cteMap?.map ?? []) found.ctes.add(entry.key);
  for (const value of Object.values(obj)) if (value && typeof value === 'object') walk(value, found);
}

/** DuckDB error messages carry "LINE n: ..." and a caret; the first line is the message. */
export function firstLine(message: string): string {
  return message.split('\n')[0];
}
