/**
 * The SQL dialect a source's scan is written in (scan.ts): DuckDB for tables, files and cells
 * of the run's session; PostgreSQL for a table of a `type: postgres` connection, whose scan runs
 * on the server so that only the aggregated long rows come back. One object per dialect; what
 * follows the scans (grid, derived metrics, compare) is always DuckDB.
 *
 * Params: the scan names its bound values `$quire_start`...; the connection running it binds
 * them its own way (DuckDB by name; Postgres as `($n::date)`, found by its scanner).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, sqlString } from '../duck/duck.js';
import { truncSql } from './periods.js';
import { PgAggregateRewriter } from './pg-rewrite.js';
import { AggregateRewriter, filterClause, type Decomposed, type FilteredAggregate } from './rewrite.js';
import { MysqlAggregateRewriter, mysqlBothLevels, mysqlQuoteIdent, mysqlTrunc } from './mysql-rewrite.js';
import type { ExprInfo, Grain } from './specs.js';

/** How a scan's aggregates are computed for many variants (see rewrite.ts). */
export interface ScanRewriter {
  /** The expression split into partials, or null: use conditional aggregates. */
  decompose(expr: ExprInfo): Promise<Decomposed | null>;
  /** The aggregate over the rows where every flag holds. */
  conditional(expr: ExprInfo, flags: string[]): Promise<string>;
}

export interface MetricDialect {
  readonly name: 'duckdb' | 'postgres' | 'mysql';
  quoteIdent(name: string): string;
  /** The source's columns (`*`) go first in a select list (MySQL refuses `x, *`). */
  starFirst?: boolean;
  /**
   * Without GROUPING SETS: the body of the aggregation over (period, keys) and over the period
   * alone, selecting `period`, `keys`, `__quire_rollup` (0 on the first level, 1 on the second,
   * whose keys are NULL) and `aggregates`. Unset: `groupBy` and `grouping` are used.
   */
  bothLevels?(periods: string[], keys: string[], aggregates: string[], from: string): string;
  /** A string literal. */
  str(value: string): string;
  /** An interval literal of `n` days, months or years. */
  interval(n: number, unit: 'day' | 'month' | 'year'): string;
  /** The start (a DATE) of the period of `grain` holding a date/timestamp value. */
  trunc(grain: Grain, expr: string): string;
  double(expr: string): string;
  text(expr: string): string;
  /** String concatenation of SQL expressions. */
  concat(parts: string[]): string;
  /** GROUP BY of a scan's aggregation: one row per (period keys, slice columns) and per period keys. */
  groupBy(periods: string[], keys: string[]): string;
  /** Nonzero on the per-period rows of `groupBy`. */
  grouping(keys: string[]): string;
  /** An aggregate of the cube's partials over the rows where the flags hold (`FILTER (WHERE ...)`). */
  filtered: FilteredAggregate;
  /** Put between `name AS` and a CTE's body that must be computed once. */
  materialized: string;
  /**
   * Whether COUNT(DISTINCT x) may go through the cube's lists and bit masks (distinct.ts, DuckDB
   * SQL). Without it a scan with a distinct count uses conditional aggregates over the rows.
   */
  distinctLists: boolean;
  rewriter(conn: DuckDBConnection): ScanRewriter;
}

const groupingSets = (periods: string[], keys: string[]) => `GROUPING SETS ((${[...periods, ...keys].join(', ')}), (${periods.join(', ')}))`;

export const DUCKDB: MetricDialect = {
  name: 'duckdb',
  str: sqlString,
  interval: (n, unit) => `INTERVAL '${n} ${unit}${n === 1 ? '' : 's'}'`,
  quoteIdent,
  trunc: truncSql,
  double: (e) => `CAST(${e} AS DOUBLE)`,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  concat: (parts) => parts.join(' || '),
  groupBy: groupingSets,
  grouping: (keys) => `GROUPING(${keys.join(', ')})`,
  filtered: filterClause,
  materialized: 'MATERIALIZED ',
  distinctLists: true,
  rewriter: (conn) => new AggregateRewriter(conn),
};

const PG_PART: Partial<Record<Grain, string>> = { weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year' };

export const POSTGRES: MetricDialect = {
  name: 'postgres',
  str: sqlString,
  interval: (n, unit) => `INTERVAL '${n} ${unit}${n === 1 ? '' : 's'}'`,
  quoteIdent,
  // The session runs in UTC (connections/postgres.ts); ISO weeks start on Monday, as in DuckDB.
  trunc: (grain, e) => (grain === 'daily' ? `CAST(${e} AS date)` : `CAST(date_trunc('${PG_PART[grain]}', ${e}) AS date)`),
  double: (e) => `CAST(${e} AS double precision)`,
  text: (e) => `CAST(${e} AS text)`,
  concat: (parts) => parts.join(' || '),
  groupBy: groupingSets,
  grouping: (keys) => `GROUPING(${keys.join(', ')})`,
  filtered: filterClause,
  materialized: 'MATERIALIZED ',
  distinctLists: false,
  rewriter: () => new PgAggregateRewriter(),
};

/** MySQL and MariaDB (mysql-rewrite.ts says why each differs). */
export const MYSQL: MetricDialect = {
  name: 'mysql',
  // Backslash escapes in MySQL's string literals (unless NO_BACKSLASH_ESCAPES): doubled.
  str: (v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
  interval: (n, unit) => `INTERVAL ${n} ${unit.toUpperCase()}`,
  quoteIdent: mysqlQuoteIdent,
  starFirst: true,
  trunc: mysqlTrunc,
  double: (e) => `CAST(${e} AS DOUBLE)`,
  text: (e) => `CAST(${e} AS CHAR)`,
  concat: (parts) => `CONCAT(${parts.join(', ')})`,
  // Not used (bothLevels stands in): no GROUPING SETS on MySQL/MariaDB.
  groupBy: groupingSets,
  grouping: (keys) => `GROUPING(${keys.join(', ')})`,
  bothLevels: mysqlBothLevels,
  // No FILTER clause on MySQL (the cube is not used there: its rewriter doesn't decompose).
  filtered: (fn, arg, flags) => (flags.length ? `${fn}(CASE WHEN ${flags.join(' AND ')} THEN ${arg} END)` : `${fn}(${arg})`),
  materialized: '',
  distinctLists: false,
  rewriter: () => new MysqlAggregateRewriter(),
};

/** The dialect of a connection type whose server computes metric scans; undefined: none does. */
export function serverDialect(type: string): MetricDialect | undefined {
  return type === 'postgres' ? POSTGRES : type === 'mysql' ? MYSQL : undefined;
}
