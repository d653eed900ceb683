/**
 * A MySQL/MariaDB query cell's SQL: `$name` params become `?` placeholders (found by a scan that
 * skips strings, quoted identifiers and comments, so a `'$x'` stays text), every offset of the
 * rewritten text maps back to the cell's SQL, and node-sql-parser's MySQL grammar (MariaDB's as a
 * second chance) says whether it is one read-only query and which tables it reads.
 */
import type { SqlParamType, SqlParamValue } from '../duck/duck.js';
import type { SqlCheck } from './connection.js';
import { originalOffset, type Replacement } from '../sql/rewrite-offsets.js';

export interface PlaceholderSql {
  /** The SQL with each `$name` replaced by `?` (a list param: one `?` per element). */
  text: string;
  /** Param names in the order of the `$name`s (a name used twice appears twice). */
  names: string[];
  /** The bind values, one per `?` (given values to bind); a list's elements are VARCHAR. */
  values: { value: SqlParamValue | null; type: SqlParamType | undefined }[];
  /** A character offset in `text` → the offset in the cell's SQL. */
  original(offset: number): number;
}

/** Where the code of `sql` is: [start, end) of each string, quoted identifier and comment. */
function skippedRanges(sql: string): [number, number][] {
  const ranges: [number, number][] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < sql.length) {
        if (sql[i] === '\\' && c !== '`') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      ranges.push([start, ++i]);
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= sql.length || /\s/.test(sql[i + 2])))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      ranges.push([start, i]);
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      ranges.push([start, i]);
    } else i++;
  }
  return ranges;
}

/** `sql` with strings, quoted identifiers and comments blanked out (same length). */
export function codeOnly(sql: string): string {
  let out = sql;
  for (const [from, to] of skippedRanges(sql)) out = out.slice(0, from) + ' '.repeat(to - from) + out.slice(to);
  return out;
}

const PARAM = /(?<![A-Za-z0-9_$])\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * `$name` → `?`. With `values`, a list param becomes one `?` per element (an empty list: NULL, so
 * `x IN ($list)` matches nothing) and `values` of the result holds the bind values in order.
 */
export function toPlaceholders(sql: string, params: { values: Readonly<Record<string, SqlParamValue>>; types: Readonly<Record<string, SqlParamType>> } = { values: {}, types: {} }): PlaceholderSql {
  const code = codeOnly(sql);
  const names: string[] = [];
  const values: PlaceholderSql['values'] = [];
  const replacements: Replacement[] = [];
  let out = '';
  let last = 0;
  for (const m of code.matchAll(PARAM)) {
    const name = m[1];
    const from = m.index;
    const value = params.values[name];
    let replacement = '?';
    if (params.types[name] === 'VARCHAR[]' && Array.isArray(value)) {
      replacement = value.length ? value.map(() => '?').join(', ') : 'NULL';
      for (const v of value) values.push({ value: v, type: 'VARCHAR' });
    } else values.push({ value: value ?? null, type: params.types[name] });
    names.push(name);
    out += sql.slice(last, from);
    replacements.push({ from, fromLength: m[0].length, to: out.length, toLength: replacement.length });
    out += replacement;
    last = from + m[0].length;
  }
  out += sql.slice(last);
  const original = originalOffset(replacements);
  return { text: out, names, values, original };
}

type ParserModule = typeof import('node-sql-parser');
interface Grammar {
  parser: InstanceType<ParserModule['Parser']>;
  database: string;
}
let grammars: Promise<Grammar[]> | undefined;
/** The MySQL and MariaDB grammars only (not node-sql-parser's every dialect), loaded on first use. */
function loadGrammars(): Promise<Grammar[]> {
  grammars ??= Promise.all([
    import('node-sql-parser/build/mysql.js').then((m) => ({ parser: new (m as unknown as { default: ParserModule }).default.Parser(), database: 'MySQL' })),
    import('node-sql-parser/build/mariadb.js').then((m) => ({ parser: new (m as unknown as { default: ParserModule }).default.Parser(), database: 'MariaDB' })),
  ]);
  return grammars;
}

/** Functions whose value changes from run to run: a cell calling one is never served from the cache. */
const VOLATILE =
  /\b(now|sysdate|curdate|curtime|current_date|current_time|current_timestamp|localtime|localtimestamp|utc_date|utc_time|utc_timestamp|unix_timestamp|rand|uuid|uuid_short|sleep|connection_id|last_insert_id|nextval|lastval)\b/i;

/** Whether a parse tree holds a write: `INTO` a file or variable, or a locking read. */
function writes(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(writes);
  if (!node || typeof node !== 'object') return false;
  const o = node as Record<string, unknown>;
  if (o.locking_read) return true;
  const into = o.into as { position?: unknown; expr?: unknown } | undefined;
  if (into && (into.position || into.expr)) return true;
  return Object.values(o).some(writes);
}

interface ParseFailure extends Error {
  location?: { start?: { offset?: number } };
}

/** Syntax, params, unqualified tables (CTE names removed) and whether it only reads; runs nothing. */
export async function analyzeMysql(sql: string): Promise<SqlCheck> {
  const placeholders = toPlaceholders(sql);
  const params = [...new Set(placeholders.names)];
  let first: ParseFailure | undefined;
  for (const { parser, database } of await loadGrammars()) {
    let ast: unknown;
    let tableList: string[];
    try {
      // One parse gives both (astify and tableList would parse twice).
      ({ ast, tableList } = parser.parse(placeholders.text, { database }) as unknown as { ast: unknown; tableList: string[] });
    } catch (err) {
      first ??= err as ParseFailure;
      continue;
    }
    const stmts = (Array.isArray(ast) ? ast : [ast]) as { type?: string; with?: { name?: { value?: string } }[] | null }[];
    const ctes = new Set(stmts.flatMap((s) => (s.with ?? []).map((w) => String(w.name?.value ?? '').toLowerCase())));
    const tables = new Set<string>();
    for (const entry of tableList) {
      const [, db, table] = entry.split('::');
      if (db === 'null' && !ctes.has(table.toLowerCase())) tables.add(table);
    }
    const isQuery = stmts.length === 1 && stmts[0].type === 'select' && !writes(stmts[0]);
    return { tables: [...tables], params, isQuery, readOnly: isQuery, volatile: VOLATILE.test(codeOnly(sql)), statements: stmts.length };
  }
  const at = first?.location?.start?.offset;
  const message = (first?.message ?? 'cannot parse').replace(/^Expected .* but (.*) found\.$/, (_m, found: string) => `syntax error at ${found === 'end of input' ? 'the end' : found}`);
  return { tables: [], params, isQuery: false, readOnly: false, syntaxError: { message, offset: at === undefined ? undefined : placeholders.original(at) } };
}
