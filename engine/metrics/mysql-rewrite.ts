/**
 * Metric scans computed on a MySQL/MariaDB server (the MYSQL dialect of dialect.ts uses these) (a table of a `type: mysql` connection). What
 * differs from PostgreSQL:
 * - no GROUPING SETS: the two levels (period and slice columns; period alone) are two GROUP BYs
 *   under UNION ALL. (`WITH ROLLUP` can't stand in: in a prepared statement MariaDB reads every
 *   expression over a rolled-up column as NULL, so no marker tells its levels apart.)
 * - no FILTER clause: every aggregate call's argument becomes `CASE WHEN <flags> THEN arg END`
 *   (`COUNT(*)`: `THEN 1`), on node-sql-parser's tree of the expression, printed back by it;
 *   on the same tree, division and AVG are made DOUBLE (MySQL's DECIMAL quotients are rounded).
 * - `||` is OR: concatenation is CONCAT(); identifiers are quoted with backticks.
 */
import { wrapExpr } from './expressions.js';
import type { ExprInfo, Grain } from './specs.js';

type Node = Record<string, unknown>;

const COND = '__quire_cond__';

export const mysqlQuoteIdent = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

/** The start (a DATE) of the period of `grain` holding `e`. */
export function mysqlTrunc(grain: Grain, e: string): string {
  switch (grain) {
    case 'weekly':
      // ISO weeks start on Monday (WEEKDAY: Monday = 0), as in DuckDB.
      return `DATE_SUB(CAST(${e} AS DATE), INTERVAL WEEKDAY(${e}) DAY)`;
    case 'monthly':
      return `CAST(DATE_FORMAT(${e}, '%Y-%m-01') AS DATE)`;
    case 'quarterly':
      return `MAKEDATE(YEAR(${e}), 1) + INTERVAL (QUARTER(${e}) - 1) QUARTER`;
    case 'yearly':
      return `MAKEDATE(YEAR(${e}), 1)`;
    default:
      return `CAST(${e} AS DATE)`;
  }
}

type Parser = InstanceType<typeof import('node-sql-parser').Parser>;
let parser: Promise<Parser> | undefined;
const loadParser = (): Promise<Parser> => {
  parser ??= import('node-sql-parser/build/mysql.js').then((m) => new (m as unknown as { default: typeof import('node-sql-parser') }).default.Parser());
  return parser;
};
const OPTIONS = { database: 'MySQL' };

function aggregateCalls(node: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(node)) {
    for (const n of node) aggregateCalls(n, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  const n = node as Node;
  if (n.type === 'aggr_func' && !n.over) {
    out.push(n);
    return out;
  }
  for (const [key, value] of Object.entries(n)) if (key !== 'ast') aggregateCalls(value, out);
  return out;
}

const asDouble = (expr: Node): Node => ({ type: 'cast', keyword: 'cast', expr, symbol: 'as', target: [{ dataType: 'DOUBLE', suffix: [] }] });

/** Division and AVG in DOUBLE, as DuckDB computes them (MySQL's DECIMAL result keeps 4 more digits only). */
function inDouble(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) inDouble(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  for (const value of Object.values(n)) inDouble(value);
  if (n.type === 'binary_expr' && n.operator === '/') {
    n.left = asDouble(n.left as Node);
    n.right = asDouble(n.right as Node);
  }
  const args = n.args as { expr?: Node } | undefined;
  if (n.type === 'aggr_func' && String(n.name).toUpperCase() === 'AVG' && args?.expr && args.expr.type !== 'star') args.expr = asDouble(args.expr);
}

/**
 * The expression as MySQL SQL computing what DuckDB would (see inDouble); with `conditional`,
 * every aggregate's argument under `CASE WHEN __quire_cond__ THEN ... END`.
 */
export async function mysqlAggregate(expr: string, conditional: boolean): Promise<string> {
  const p = await loadParser();
  const ast = p.astify(`SELECT ${wrapExpr(expr)}`, OPTIONS) as unknown as Node;
  const columns = (ast as { columns?: unknown }).columns;
  inDouble(columns);
  const calls = conditional ? aggregateCalls(columns) : [];
  if (conditional && !calls.length) throw new Error(`no MySQL aggregate found in ${expr}`);
  for (const call of calls) {
    const args = call.args as { expr: Node };
    const result = args.expr.type === 'star' ? { type: 'number', value: 1 } : args.expr;
    args.expr = { type: 'case', expr: null, args: [{ type: 'when', cond: { type: 'column_ref', table: null, column: COND }, result }] };
  }
  const sql = p.sqlify(ast as never, OPTIONS).replace(/^SELECT /, '');
  if (sql.split(COND).length - 1 !== calls.length) throw new Error(`rewriting ${expr} lost a condition`);
  return sql;
}

/** The MySQL side of AggregateRewriter (rewrite.ts): no decomposition, conditional aggregates only. */
export class MysqlAggregateRewriter {
  private static readonly memo = new Map<string, Promise<string>>();

  async decompose(): Promise<null> {
    return null;
  }

  async conditional(expr: ExprInfo, flags: string[]): Promise<string> {
    const key = `${flags.length > 0}\u0000${expr.text}`;
    let p = MysqlAggregateRewriter.memo.get(key);
    if (!p) {
      p = mysqlAggregate(expr.text, flags.length > 0);
      MysqlAggregateRewriter.memo.set(key, p);
      p.catch(() => MysqlAggregateRewriter.memo.delete(key));
    }
    const cond = `(${flags.join(' AND ')})`;
    return `(${(await p).replace(new RegExp(`\`?${COND}\`?`, 'g'), () => cond)})`;
  }
}

/** GROUPING SETS ((period, keys), (period)) as two GROUP BYs under UNION ALL (see MetricDialect.bothLevels). */
export function mysqlBothLevels(periods: string[], keys: string[], aggregates: string[], from: string): string {
  const level = (cols: string[], rollup: number, groupBy: string) => `  SELECT ${[...cols, `${rollup} AS __quire_rollup`, ...aggregates].join(',\n    ')}\n  FROM ${from}\n  GROUP BY ${groupBy}`;
  return `${level([...periods, ...keys], 0, [...periods, ...keys].join(', '))}\n  UNION ALL\n${level([...periods, ...keys.map((k) => `NULL AS ${k}`)], 1, periods.join(', '))}`;
}
