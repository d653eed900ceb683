/**
 * A Postgres query cell's SQL seen by PostgreSQL's own parser (libpg-query, compiled to wasm):
 * `$name` params become positional `$1..$n` with an explicit type, and every offset in the
 * rewritten text maps back to the cell's SQL so errors land on the notebook's line:col.
 */
import type { SqlParamType } from '../duck/duck.js';
import type { SqlCheck } from './connection.js';
import { originalOffset, type Replacement } from '../sql/rewrite-offsets.js';

type Parser = typeof import('libpg-query');
let parser: Parser | undefined;
let loading: Promise<void> | undefined;
/** The parser and its wasm, loaded once per process and only by a notebook that uses Postgres. */
export function loadParser(): Promise<void> {
  loading ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    parser = m;
  });
  return loading;
}

function loaded(): Parser {
  if (!parser) throw new Error('the PostgreSQL parser is not loaded: await loadParser() first');
  return parser;
}

/** PostgreSQL's parse tree of `sql` (plain JSON); throws its syntax error. Call loadParser() first. */
export function parsePostgres(sql: string): unknown {
  return loaded().parseSync(sql);
}

export interface PositionalSql {
  /** The SQL with `$name` replaced by `($n::type)`. */
  text: string;
  /** Param names by position (`$1` is names[0]). */
  names: string[];
  /** A character offset in `text` → the offset in the cell's SQL. */
  original(offset: number): number;
}

/**
 * `$n` as a value set for the transaction (`set_config('quire.p<n>', $n, true)`): COPY takes no
 * bind parameters, so a query copied out reads its params from there, never from its text.
 */
export const settingPlaceholder = (n: number, pgType: string): string => `(current_setting('quire.p${n}')::${pgType})`;

/** Postgres types the param kinds bind as, so `$p = 1` or `= ANY($list)` need no cast. */
const PG_PARAM_TYPES: Record<SqlParamType, string> = { VARCHAR: 'text', DOUBLE: 'float8', BIGINT: 'int8', BOOLEAN: 'bool', DATE: 'date', 'VARCHAR[]': 'text[]' };

/** The scanner counts bytes; JS strings count UTF-16 units. */
function charOffset(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/**
 * Finds `$name` by the scanner's tokens (a `$` right before an identifier), so a `$x` inside a
 * string or comment stays as it is. Without `types` (validation) each param is typed text.
 */
export function toPositional(sql: string, types: Readonly<Record<string, SqlParamType>> = {}, placeholder: (n: number, pgType: string) => string = (n, t) => `($${n}::${t})`): PositionalSql {
  const tokens = loaded().scanSync(sql).tokens;
  const names: string[] = [];
  const replacements: Replacement[] = [];
  let out = '';
  let last = 0;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const dollar = tokens[i];
    const ident = tokens[i + 1];
    if (dollar.text !== '$' || ident.start !== dollar.end || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ident.text)) continue;
    const from = charOffset(sql, dollar.start);
    const end = charOffset(sql, ident.end);
    const name = ident.text;
    let n = names.indexOf(name);
    if (n < 0) n = names.push(name) - 1;
    const replacement = placeholder(n + 1, PG_PARAM_TYPES[types[name] ?? 'VARCHAR']);
    out += sql.slice(last, from);
    replacements.push({ from, fromLength: end - from, to: out.length, toLength: replacement.length });
    out += replacement;
    last = end;
    i++;
  }
  out += sql.slice(last);
  const original = originalOffset(replacements);
  return { text: out, names, original };
}

const WRITES = /"(InsertStmt|UpdateStmt|DeleteStmt|MergeStmt|IntoClause|intoClause|lockingClause)"/;
const VOLATILE = new Set([
  'now',
  'random',
  'clock_timestamp',
  'statement_timestamp',
  'transaction_timestamp',
  'timeofday',
  'gen_random_uuid',
  'nextval',
  'setval',
  'current_date',
  'current_timestamp',
  'localtimestamp',
]);

/** Walks the parse tree (plain JSON) calling `visit` with each node's type name and body. */
function walk(node: unknown, visit: (type: string, body: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && /^[A-Z]/.test(key)) visit(key, value as Record<string, unknown>);
    walk(value, visit);
  }
}

/** Syntax, params, unqualified tables (CTE names removed) and whether it only reads; runs nothing. */
export async function analyzePostgres(sql: string): Promise<SqlCheck> {
  await loadParser();
  let positional: PositionalSql | undefined;
  let tree: { stmts?: unknown[] };
  try {
    positional = toPositional(sql);
    tree = loaded().parseSync(positional.text) as { stmts?: unknown[] };
  } catch (err) {
    const e = err as Error & { sqlDetails?: { cursorPosition?: number } };
    const at = e.sqlDetails?.cursorPosition;
    const offset = at === undefined ? undefined : positional ? positional.original(charOffset(positional.text, at)) : charOffset(sql, at);
    return { tables: [], params: [], isQuery: false, readOnly: false, syntaxError: { message: e.message, offset } };
  }
  const stmts = tree.stmts ?? [];
  const tables = new Set<string>();
  const ctes = new Set<string>();
  let volatile = false;
  walk(stmts, (type, body) => {
    if (type === 'RangeVar' && body.schemaname === undefined && body.catalogname === undefined) tables.add(String(body.relname));
    if (type === 'CommonTableExpr') ctes.add(String(body.ctename));
    if (type === 'SQLValueFunction') volatile = true;
    if (type === 'FuncCall') {
      const names = (body.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
      if (names.some((n) => VOLATILE.has(n.String?.sval ?? ''))) volatile = true;
    }
  });
  const json = JSON.stringify(stmts);
  const isQuery = stmts.length === 1 && JSON.stringify(stmts[0]).startsWith('{"stmt":{"SelectStmt"') && !WRITES.test(json);
  return { tables: [...tables].filter((t) => !ctes.has(t)), params: positional.names, isQuery, readOnly: isQuery, volatile, statements: stmts.length };
}
