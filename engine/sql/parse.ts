import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sqlString } from '../duck/duck.js';

export interface SqlAnalysis {
  /** Table names referenced without a catalog/schema (candidates for cell ids), CTE names removed. */
  tables: string[];
  /** A syntax error by DuckDB's parser, with the character offset when it gives one. */
  syntaxError?: { message: string; offset?: number };
  /** `$name` parameters the SQL uses. */
  params: string[];
  /** False when the statement is not a plain query (INSERT, CREATE, dynamic PIVOT...). */
  isQuery: boolean;
  /** Paths the SQL reads through table functions (read_parquet('x')) or replacement scans (FROM 'x.csv'). */
  files?: string[];
  /** True when the result can change with nothing else changing: now(), random(), current_date... */
  volatile?: boolean;
  /** Statements in the text (a query cell holds one). */
  statements?: number;
}

/** Analyses by SQL text: the parse depends on nothing else, and a run parses each cell's SQL twice (validate, then run). */
const analyses = new Map<string, SqlAnalysis>();
const MAX_ANALYSES = 2000;

/** Functions whose value changes between runs on the same data. */
const VOLATILE = new Set([
  'now',
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'today',
  'get_current_time',
  'get_current_timestamp',
  'transaction_timestamp',
  'random',
  'uuid',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'setseed',
  'nextval',
  'currval',
]);

/**
 * Parses SQL with DuckDB's own parser (`json_serialize_sql`), without binding: upstream tables
 * need not exist.
 */
export async function analyzeSql(conn: DuckDBConnection, sql: string): Promise<SqlAnalysis> {
  const known = analyses.get(sql);
  if (known) return known;
  const analysis = await parseSql(conn, sql);
  remember(sql, analysis);
  return analysis;
}

function remember(sql: string, analysis: SqlAnalysis): void {
  if (analyses.size >= MAX_ANALYSES) analyses.delete(analyses.keys().next().value!);
  analyses.set(sql, analysis);
}

/**
 * Parses many SQL texts in one query (a notebook's, before its cells are analysed one by one):
 * the parses that succeed are remembered for `analyzeSql`; the others are left to it.
 */
export async function parseSqlBatch(conn: DuckDBConnection, sqls: readonly string[]): Promise<void> {
  const unparsed = [...new Set(sqls)].filter((sql) => !analyses.has(sql));
  if (unparsed.length < 2) return;
  // json_serialize_sql takes only constants, so each text goes in as a quoted literal: parsed, never executed.
  let row: DuckDBValue[];
  try {
    row = (await conn.runAndReadAll(`SELECT ${unparsed.map((sql, i) => `json_serialize_sql(${sqlString(sql)}) AS j${i}`).join(', ')}`)).getRows()[0];
  } catch {
    return; // each is parsed on its own then, with its own error
  }
  unparsed.forEach((sql, i) => {
    const json = JSON.parse(String(row[i])) as Record<string, unknown>;
    if (!json.error) remember(sql, fromTree(json));
  });
}

async function parseSql(conn: DuckDBConnection, sql: string): Promise<SqlAnalysis> {
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
  return fromTree(json);
}

/** What a parse tree of json_serialize_sql says of the SQL. */
function fromTree(json: Record<string, unknown>): SqlAnalysis {
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const params = new Set<string>();
  const found: Found = { tables, ctes, params, files: new Set(), volatile: false };
  walk(json.statements, found);
  const statements = Array.isArray(json.statements) ? json.statements.length : 1;
  return { tables: [...tables].filter((t) => !ctes.has(t)), params: [...params], isQuery: true, files: [...found.files], volatile: found.volatile, statements };
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
  files: Set<string>;
  volatile: boolean;
}

/** String constants under a node (the arguments of a table function). */
function constants(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) constants(n, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const value = obj.value as { type?: { id?: string }; value?: unknown } | undefined;
  if (obj.class === 'CONSTANT' && value?.type?.id === 'VARCHAR' && typeof value.value === 'string') out.add(value.value);
  for (const v of Object.values(obj)) if (v && typeof v === 'object') constants(v, out);
}

const looksLikePath = (s: string) => /[./]/.test(s);

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
  if (obj.type === 'BASE_TABLE' && typeof obj.table_name === 'string' && looksLikePath(obj.table_name)) found.files.add(obj.table_name);
  if (obj.type === 'TABLE_FUNCTION') {
    const args = new Set<string>();
    constants(obj.function, args);
    for (const a of args) if (looksLikePath(a)) found.files.add(a);
  }
  if (obj.class === 'FUNCTION' && typeof obj.function_name === 'string' && VOLATILE.has(obj.function_name.toLowerCase())) found.volatile = true;
  if (obj.class === 'COLUMN_REF' && Array.isArray(obj.column_names) && obj.column_names.length === 1 && VOLATILE.has(String(obj.column_names[0]).toLowerCase())) found.volatile = true;
  const cteMap = obj.cte_map as { map?: { key: string }[] } | undefined;
  for (const entry of cteMap?.map ?? []) found.ctes.add(entry.key);
  for (const value of Object.values(obj)) if (value && typeof value === 'object') walk(value, found);
}

/** DuckDB error messages carry "LINE n: ..." and a caret; the first line is the message. */
export function firstLine(message: string): string {
  return message.split('\n')[0];
}
