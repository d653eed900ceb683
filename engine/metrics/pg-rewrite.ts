/**
 * Rewrites of aggregate expressions for metrics computed on a PostgreSQL server, the two of
 * rewrite.ts done on PostgreSQL's own parse tree (libpg-query) and printed back by
 * pgsql-deparser: decompose (sum / count / min / max / avg into partials for the cube, which
 * PostgreSQL aggregates in parallel) and conditional (every aggregate call outside subqueries gets
 * the variant's condition as a FILTER clause, ANDed with a FILTER it has). Nothing edits SQL text
 * but the placeholders.
 */
import { loadParser, parsePostgres } from '../connections/postgres-sql.js';
import { wrapExpr } from './expressions.js';
import { partPlaceholder, type Combine, type Decomposed } from './rewrite.js';
import type { ExprInfo } from './specs.js';

type Node = Record<string, unknown>;

const COND = '__quire_cond__';

/**
 * PostgreSQL's built-in aggregates (`SELECT proname FROM pg_proc WHERE prokind = 'a'`, v15-17).
 * A call with DISTINCT, `*`, ORDER BY or WITHIN GROUP is an aggregate whatever its name.
 */
const PG_AGGREGATES = new Set([
  'any_value',
  'array_agg',
  'avg',
  'bit_and',
  'bit_or',
  'bit_xor',
  'bool_and',
  'bool_or',
  'corr',
  'count',
  'covar_pop',
  'covar_samp',
  'cume_dist',
  'dense_rank',
  'every',
  'json_agg',
  'json_object_agg',
  'jsonb_agg',
  'jsonb_object_agg',
  'max',
  'min',
  'mode',
  'percent_rank',
  'percentile_cont',
  'percentile_disc',
  'range_agg',
  'range_intersect_agg',
  'rank',
  'regr_avgx',
  'regr_avgy',
  'regr_count',
  'regr_intercept',
  'regr_r2',
  'regr_slope',
  'regr_sxx',
  'regr_sxy',
  'regr_syy',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'string_agg',
  'sum',
  'var_pop',
  'var_samp',
  'variance',
  'xmlagg',
]);

function isAggregate(call: Node): boolean {
  if (call.over) return false;
  if (call.agg_star || call.agg_distinct || call.agg_within_group || (call.agg_order as unknown[] | undefined)?.length) return true;
  const names = (call.funcname as Array<{ String?: { sval?: string } }>) ?? [];
  const last = names[names.length - 1]?.String?.sval?.toLowerCase() ?? '';
  const schema = names.length > 1 ? names[0]?.String?.sval : 'pg_catalog';
  return schema === 'pg_catalog' && PG_AGGREGATES.has(last);
}

/** Aggregate calls outside subqueries (aggregates don't nest): the nodes `{ FuncCall: ... }`. */
function aggregateCalls(node: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(node)) {
    for (const n of node) aggregateCalls(n, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  const o = node as Node;
  if (o.FuncCall && isAggregate(o.FuncCall as Node)) {
    out.push(o);
    return out;
  }
  for (const [key, value] of Object.entries(o)) if (key !== 'SubLink') aggregateCalls(value, out);
  return out;
}

const ref = (name: string): Node => ({ ColumnRef: { fields: [{ String: { sval: name } }] } });

type Deparse = typeof import('pgsql-deparser').deparseSync;
let deparseSync: Deparse | undefined;

/** The expression's tree (`SELECT (<expr>)`'s one target), by PostgreSQL's parser; the deparser loaded too (first use only). */
async function exprTree(expr: string): Promise<{ root: Node; calls: Node[] }> {
  await loadParser();
  if (!deparseSync) {
    const m = (await import('pgsql-deparser')) as { deparseSync?: Deparse; default?: { deparseSync: Deparse } };
    deparseSync = m.deparseSync ?? m.default!.deparseSync; // the CLI bundle puts the CommonJS exports on default
  }
  const tree = parsePostgres(`SELECT ${wrapExpr(expr)}`) as { stmts: Array<{ stmt: { SelectStmt: { targetList: Array<{ ResTarget: { val: Node } }> } } }> };
  const root = tree.stmts[0].stmt.SelectStmt.targetList[0].ResTarget.val;
  const calls = aggregateCalls(root);
  if (!calls.length) throw new Error(`no PostgreSQL aggregate found in ${expr}`);
  return { root, calls };
}

const deparse = (node: Node): string => deparseSync!(node as never);
const count = (text: string, word: string) => text.split(word).length - 1;

/** The expression with every aggregate restricted by `__quire_cond__` (a FILTER), as PostgreSQL SQL. */
export async function pgConditionalAggregate(expr: string): Promise<string> {
  const { root, calls } = await exprTree(expr);
  for (const { FuncCall: call } of calls as Array<{ FuncCall: Node }>) {
    call.agg_filter = call.agg_filter ? { BoolExpr: { boolop: 'AND_EXPR', args: [call.agg_filter, ref(COND)] } } : ref(COND);
  }
  const sql = deparse(root);
  if (count(sql, COND) !== calls.length) throw new Error(`rewriting ${expr} lost a condition`);
  return sql;
}

const DECOMPOSABLE: Record<string, Exclude<Combine, 'distinct'>> = { sum: 'sum', count: 'count', min: 'min', max: 'max', avg: 'avg' };

/**
 * As rewrite.ts's decompose, on PostgreSQL's tree: sum / count / min / max / avg split into
 * partials the cube groups by flags; null when some aggregate can't be (DISTINCT, FILTER, ORDER
 * BY, another function): COUNT(DISTINCT) then goes through conditional aggregates.
 */
export async function pgDecompose(expr: string): Promise<Decomposed | null> {
  const { root, calls } = await exprTree(expr);
  const parts: Decomposed['parts'] = [];
  for (const node of calls) {
    const call = node.FuncCall as Node;
    const names = call.funcname as Array<{ String?: { sval?: string } }>;
    const combine = DECOMPOSABLE[names[names.length - 1]?.String?.sval?.toLowerCase() ?? ''];
    const args = (call.args as unknown[] | undefined) ?? [];
    if (!combine || call.agg_filter || call.agg_distinct || call.agg_within_group || (call.agg_order as unknown[] | undefined)?.length || args.length > 1) return null;
    const named = (fn: string): Node => ({ FuncCall: { ...structuredClone(call), funcname: [{ String: { sval: fn } }] } });
    parts.push({ combine, partials: combine === 'avg' ? [deparse(named('sum')), deparse(named('count'))] : [deparse(structuredClone(node))] });
  }
  calls.forEach((node, j) => {
    delete node.FuncCall;
    Object.assign(node, ref(partPlaceholder(j)));
  });
  const template = deparse(root);
  for (let j = 0; j < calls.length; j++) if (count(template, partPlaceholder(j)) !== 1) throw new Error(`decomposing ${expr} lost part ${j}`);
  return { template, parts };
}

/** The PostgreSQL side of AggregateRewriter (rewrite.ts), memoized per text for the process. */
export class PgAggregateRewriter {
  private static readonly memo = new Map<string, Promise<string>>();
  private static readonly decomposed = new Map<string, Promise<Decomposed | null>>();

  decompose(expr: ExprInfo): Promise<Decomposed | null> {
    let p = PgAggregateRewriter.decomposed.get(expr.text);
    if (!p) {
      p = pgDecompose(expr.text);
      PgAggregateRewriter.decomposed.set(expr.text, p);
      p.catch(() => PgAggregateRewriter.decomposed.delete(expr.text));
    }
    return p;
  }

  async conditional(expr: ExprInfo, flags: string[]): Promise<string> {
    if (!flags.length) return wrapExpr(expr.text);
    let p = PgAggregateRewriter.memo.get(expr.text);
    if (!p) {
      p = pgConditionalAggregate(expr.text);
      PgAggregateRewriter.memo.set(expr.text, p);
      p.catch(() => PgAggregateRewriter.memo.delete(expr.text));
    }
    const cond = `(${flags.join(' AND ')})`;
    return `(${(await p).replace(new RegExp(`"?${COND}"?`, 'g'), () => cond)})`;
  }
}
