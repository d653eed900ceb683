/**
 * Conditional aggregates for metrics computed on a PostgreSQL server: the expression is parsed
 * by PostgreSQL's own parser (libpg-query), every aggregate call outside subqueries gets the
 * variant's condition as a FILTER clause (ANDed with a FILTER it has), and the tree is printed
 * back by pgsql-deparser. Nothing edits SQL text but the condition placeholder.
 */
import { deparseSync } from 'pgsql-deparser';
import { loadParser, parsePostgres } from '../connections/postgres-sql.js';
import { wrapExpr } from './expressions.js';
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

/** Aggregate calls outside subqueries (aggregates don't nest). */
function aggregateCalls(node: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(node)) {
    for (const n of node) aggregateCalls(n, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'SubLink') continue;
    if (key === 'FuncCall' && isAggregate(value as Node)) {
      out.push(value as Node);
      continue;
    }
    aggregateCalls(value, out);
  }
  return out;
}

const condRef = (): Node => ({ ColumnRef: { fields: [{ String: { sval: COND } }] } });

/** The expression with every aggregate restricted by `__quire_cond__` (a FILTER), as PostgreSQL SQL. */
export async function pgConditionalAggregate(expr: string): Promise<string> {
  await loadParser();
  const tree = parsePostgres(`SELECT ${wrapExpr(expr)}`) as { stmts: Array<{ stmt: { SelectStmt: { targetList: Array<{ ResTarget: { val: Node } }> } } }> };
  const root = tree.stmts[0].stmt.SelectStmt.targetList[0].ResTarget.val;
  const calls = aggregateCalls(root);
  if (!calls.length) throw new Error(`no PostgreSQL aggregate found in ${expr}`);
  for (const call of calls) {
    call.agg_filter = call.agg_filter ? { BoolExpr: { boolop: 'AND_EXPR', args: [call.agg_filter, condRef()] } } : condRef();
  }
  const sql = deparseSync(root as never);
  if (sql.split(COND).length - 1 !== calls.length) throw new Error(`rewriting ${expr} lost a condition`);
  return sql;
}

/** The PostgreSQL side of AggregateRewriter (rewrite.ts): no decomposition, conditional aggregates only. */
export class PgAggregateRewriter {
  private static readonly memo = new Map<string, Promise<string>>();

  async decompose(): Promise<null> {
    return null;
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
