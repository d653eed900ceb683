/**
 * Rewrites of a metric's aggregate expression, done on DuckDB's parse tree (never by editing
 * text) and printed back by DuckDB (`json_deserialize_sql`). Two ways to compute one
 * aggregate for many (segment × slice value × filter) variants in a single scan:
 *
 * - decompose: every aggregate is sum / count / min / max / avg or COUNT(DISTINCT x), so it can
 *   be computed once per row into partials grouped by the variant flags, then combined per
 *   variant from that small table (`sum` of sums and counts, `min` of mins...). Each row updates
 *   each partial once, however many variants there are. COUNT(DISTINCT x) keeps `list(x)` per
 *   group, deduplicated once for every variant (distinct.ts).
 * - conditional: any other aggregate (quantiles, FILTER clauses...) is computed per variant,
 *   its input restricted to the variant's rows: `agg(CASE WHEN cond THEN x END)` for aggregates
 *   that ignore NULLs (much faster in DuckDB than FILTER), else `agg(x) FILTER (WHERE cond)`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { aggregateFunctions, exprStatement, serialize, singleExpression, wrapExpr, type Json } from './expressions.js';
import type { ExprInfo } from './specs.js';

/** Column name standing for the variant's condition in a conditional aggregate. */
export const COND = '__quire_cond__';
/** Column name standing for the combined value of decomposed aggregate `j`. */
export const partPlaceholder = (j: number) => `__quire_x${j}__`;

const ref = (name: string): Json => ({ class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', query_location: 0, column_names: [name] });
const NULL_CONST: Json = { class: 'CONSTANT', type: 'VALUE_CONSTANT', alias: '', query_location: 0, value: { type: { id: 'NULL', type_info: null }, is_null: true } };
const ONE: Json = { class: 'CONSTANT', type: 'VALUE_CONSTANT', alias: '', query_location: 0, value: { type: { id: 'INTEGER', type_info: null }, is_null: false, value: 1 } };

/** Single-argument aggregates that skip NULL inputs: a CASE without ELSE restricts their rows. */
const NULL_IGNORING = new Set([
  'sum',
  'avg',
  'mean',
  'min',
  'max',
  'count',
  'median',
  'fsum',
  'sumkahan',
  'kahan_sum',
  'product',
  'stddev',
  'stddev_samp',
  'stddev_pop',
  'variance',
  'var_samp',
  'var_pop',
  'approx_count_distinct',
  'bool_and',
  'bool_or',
  'entropy',
]);

function dropBadLocations(n: unknown): void {
  if (Array.isArray(n)) {
    for (const x of n) dropBadLocations(x);
    return;
  }
  if (!n || typeof n !== 'object') return;
  const o = n as Json;
  if (typeof o.query_location === 'number' && !Number.isSafeInteger(o.query_location)) delete o.query_location;
  for (const v of Object.values(o)) dropBadLocations(v);
}

/** The parse tree of an expression, held so that even its root can be replaced. */
async function treeOf(conn: DuckDBConnection, expr: string): Promise<{ json: Json; holder: { root: Json } }> {
  const json = await serialize(conn, exprStatement(expr));
  const tree = singleExpression(json);
  if (!tree) throw new Error(`not a single expression: ${expr}`);
  return { json, holder: { root: tree } };
}

/** DuckDB's SQL text of one expression node (using `json` as the statement around it). */
async function deparse(conn: DuckDBConnection, json: Json, node: Json): Promise<string> {
  const copy = structuredClone(json);
  const stmt = (copy.statements as Json[])[0].node as Json;
  stmt.select_list = [{ ...structuredClone(node), alias: '' }];
  dropBadLocations(copy);
  const prepared = await conn.prepare('SELECT json_deserialize_sql(CAST($1 AS JSON))');
  prepared.bindVarchar(1, JSON.stringify(copy));
  const text = String((await prepared.runAndReadAll()).getRows()[0][0]);
  prepared.destroySync();
  return text.replace(/^SELECT\s+/, '');
}

/** Aggregate calls outside subqueries, with a setter to replace each in the tree. */
function aggregateCalls(holder: { root: Json }, aggs: Set<string>): Array<{ node: Json; replace: (n: Json) => void }> {
  const out: Array<{ node: Json; replace: (n: Json) => void }> = [];
  const walk = (n: unknown, replace: (x: Json) => void): void => {
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        walk(n[i], (y) => {
          n[i] = y;
        });
      }
      return;
    }
    if (!n || typeof n !== 'object') return;
    const o = n as Json;
    if (o.class === 'SUBQUERY') return;
    if (o.class === 'FUNCTION' && !o.is_operator && aggs.has(String(o.function_name).toLowerCase())) {
      out.push({ node: o, replace });
      return; // aggregates don't nest
    }
    for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object') walk(v, (y) => (o[k] = y));
  };
  walk(holder.root, (y) => (holder.root = y));
  return out;
}

const count = (text: string, word: string) => text.split(word).length - 1;

/**
 * `agg(...)` restricted to the rows where `__quire_cond__` holds, as SQL text; callers put
 * each variant's condition in place of the placeholder.
 */
export async function conditionalAggregate(conn: DuckDBConnection, expr: string): Promise<string> {
  const { json, holder } = await treeOf(conn, expr);
  const calls = aggregateCalls(holder, await aggregateFunctions(conn));
  for (const { node } of calls) {
    const name = String(node.function_name).toLowerCase();
    const children = node.children as Json[];
    if (name === 'count_star' && !node.filter) {
      node.function_name = 'count';
      node.children = [{ class: 'CASE', type: 'CASE_EXPR', alias: '', query_location: 0, case_checks: [{ when_expr: ref(COND), then_expr: ONE }], else_expr: NULL_CONST }];
    } else if (NULL_IGNORING.has(name) && children.length === 1 && !node.filter) {
      node.children = [{ class: 'CASE', type: 'CASE_EXPR', alias: '', query_location: 0, case_checks: [{ when_expr: ref(COND), then_expr: children[0] }], else_expr: NULL_CONST }];
    } else {
      node.filter = node.filter ? { class: 'CONJUNCTION', type: 'CONJUNCTION_AND', alias: '', query_location: 0, children: [node.filter, ref(COND)] } : ref(COND);
    }
  }
  const sql = await deparse(conn, json, holder.root);
  if (count(sql, COND) !== calls.length) throw new Error(`rewriting ${expr} lost a condition`);
  return sql;
}

export type Combine = 'sum' | 'count' | 'min' | 'max' | 'avg' | 'distinct';

export interface Decomposed {
  /** The expression with each aggregate call replaced by `__quire_x<j>__`. */
  template: string;
  /** Per call j: how its partials combine, and the partial aggregates (SQL) over source rows. */
  parts: Array<{ combine: Combine; partials: string[] /** COUNT(DISTINCT x): x */; arg?: string }>;
}

const DECOMPOSABLE: Record<string, Combine> = { sum: 'sum', count: 'count', count_star: 'count', min: 'min', max: 'max', avg: 'avg', mean: 'avg' };

/**
 * The expression split into partial aggregates (computed per row group) and a template that
 * recombines them; null when some aggregate can't be split (FILTER, ORDER BY, DISTINCT other
 * than COUNT(DISTINCT x), or a function other than sum/count/min/max/avg).
 */
export async function decompose(conn: DuckDBConnection, expr: string): Promise<Decomposed | null> {
  const { json, holder } = await treeOf(conn, expr);
  const calls = aggregateCalls(holder, await aggregateFunctions(conn));
  const parts: Decomposed['parts'] = [];
  for (const { node } of calls) {
    const combine = DECOMPOSABLE[String(node.function_name).toLowerCase()];
    const children = node.children as Json[];
    const orders = (node.order_bys as { orders?: unknown[] } | undefined)?.orders ?? [];
    if (!combine || node.filter || orders.length || children.length > 1 || node.export_state) return null;
    if (node.distinct) {
      if (combine !== 'count' || children.length !== 1) return null;
      const list = await deparse(conn, json, { ...node, function_name: 'list', distinct: false });
      parts.push({ combine: 'distinct', partials: [list], arg: await deparse(conn, json, children[0]) });
    } else if (combine === 'avg') {
      const sum = await deparse(conn, json, { ...node, function_name: 'sum' });
      const n = await deparse(conn, json, { ...node, function_name: 'count' });
      parts.push({ combine, partials: [sum, n] });
    } else parts.push({ combine, partials: [await deparse(conn, json, node)] });
  }
  calls.forEach(({ replace }, j) => {
    replace(ref(partPlaceholder(j)));
  });
  const template = await deparse(conn, json, holder.root);
  for (let j = 0; j < calls.length; j++) if (count(template, partPlaceholder(j)) !== 1) throw new Error(`decomposing ${expr} lost part ${j}`);
  return { template, parts };
}

/** `fn(arg)` over the rows where every flag holds (a dialect may write it without FILTER). */
export type FilteredAggregate = (fn: string, arg: string, flags: string[]) => string;

export const filterClause: FilteredAggregate = (fn, arg, flags) => `${fn}(${arg})${flags.length ? ` FILTER (WHERE ${flags.join(' AND ')})` : ''}`;

/** A combined partial over the cube rows where `flags` hold. */
export function combineSql(combine: Exclude<Combine, 'distinct'>, cols: string[], flags: string[], filtered: FilteredAggregate = filterClause): string {
  switch (combine) {
    case 'sum':
      return filtered('sum', cols[0], flags);
    case 'count':
      return `coalesce(${filtered('sum', cols[0], flags)}, 0)`;
    case 'min':
    case 'max':
      return filtered(combine, cols[0], flags);
    case 'avg':
      return `(${filtered('sum', cols[0], flags)} / NULLIF(${filtered('sum', cols[1], flags)}, 0))`;
  }
}

/**
 * Rewrites of aggregate expressions (DuckDB's parser does the work, ~1 ms a round trip), memoized
 * per text for the process: they depend only on the text and the DuckDB version.
 */
export class AggregateRewriter {
  private static readonly conditionals = new Map<string, Promise<string>>();
  private static readonly decomposed = new Map<string, Promise<Decomposed | null>>();
  constructor(private readonly conn: DuckDBConnection) {}

  private static memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let p = cache.get(key);
    if (!p) {
      p = make();
      cache.set(key, p);
      p.catch(() => cache.delete(key)); // a failure (closed connection...) is not remembered
    }
    return p;
  }

  decompose(expr: ExprInfo): Promise<Decomposed | null> {
    return AggregateRewriter.memo(AggregateRewriter.decomposed, expr.text, () => decompose(this.conn, expr.text));
  }

  /** The aggregate over the rows where every flag holds (the plain aggregate without flags). */
  async conditional(expr: ExprInfo, flags: string[]): Promise<string> {
    if (!flags.length) return wrapExpr(expr.text);
    const p = AggregateRewriter.memo(AggregateRewriter.conditionals, expr.text, () => conditionalAggregate(this.conn, expr.text));
    const cond = `(${flags.join(' AND ')})`;
    return `(${(await p).replace(new RegExp(`"?${COND}"?`, 'g'), () => cond)})`;
  }
}
