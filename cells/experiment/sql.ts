// The one DuckDB query of an experiment: rows → one row per unit (the unit's variant and each
// metric's per-unit value), then per variant the sufficient statistics: counts, means, sample
// variances and covariances (DuckDB's are numerically stable, unlike sums of squares). Only these
// few numbers per variant reach JavaScript. Identifiers come from the validated spec, quoted.
import { quoteIdent } from '../../engine/duck/duck.js';
import { methodOf, type ExperimentMetric, type ExperimentSpec } from './spec.js';

/** One metric's statistics in one variant, as read from the query. */
export interface MetricStats {
  /** Units with a value (pairs with both values for a ratio or CUPED). */
  n: number;
  sum: number;
  meanY: number;
  varY: number;
  meanX: number;
  varX: number;
  covXY: number;
  /** Proportions: units whose value is neither 0 nor 1. */
  invalid: number;
}

export interface VariantStats {
  /** The variant's value as text; null for units seen with several variants or none. */
  variant: string | null;
  units: number;
  metrics: MetricStats[];
}

const Q = quoteIdent;
const num = (col: string) => `CAST(${Q(col)} AS DOUBLE)`;

/** The per-unit value of a metric (y) and its partner (x: the ratio's denominator or the covariate). */
function unitExprs(m: ExperimentMetric): { y: string; x: string | null } {
  if (m.kind === 'ratio') return { y: `sum(${num(m.numerator!)})`, x: `sum(${num(m.denominator!)})` };
  const y = m.kind === 'proportion' ? `max(${num(m.column!)})` : `sum(${num(m.column!)})`;
  return { y, x: methodOf(m) === 'cuped' ? `max(${num(m.covariate!)})` : null };
}

/**
 * The query over `from` (a FROM item, quoted), one row per variant. `unitIsKey`: the unit column is
 * the table's primary key (or unique), so each row is a unit and the per-unit GROUP BY is skipped
 * (the aggregates of one row are its values: the same result, one hash table fewer).
 */
export function experimentSql(spec: ExperimentSpec, from: string, opts: { unitIsKey?: boolean } = {}): string {
  const unitCols = new Map<string, string>();
  const alias = (expr: string) => {
    if (!unitCols.has(expr)) unitCols.set(expr, `u${unitCols.size}`);
    return unitCols.get(expr)!;
  };
  const pairs: string[] = [];
  const perMetric = spec.metrics.map((m, i) => {
    const e = unitExprs(m);
    let y = alias(e.y);
    let x = e.x ? alias(e.x) : null;
    if (x) {
      // Units with both values only: paired copies made once per unit (cheaper than FILTER on each aggregate).
      const [yp, xp] = [`p${i}_y`, `p${i}_x`];
      pairs.push(`CASE WHEN ${x} IS NOT NULL THEN ${y} END AS ${yp}`, `CASE WHEN ${y} IS NOT NULL THEN ${x} END AS ${xp}`);
      [y, x] = [yp, xp];
    }
    const cols = [
      `count(${y}) AS n_${i}`,
      m.kind === 'proportion' ? `sum(${y}) AS sum_${i}` : `NULL AS sum_${i}`,
      m.kind === 'proportion' ? `NULL AS mean_y_${i}` : `avg(${y}) AS mean_y_${i}`,
      m.kind === 'proportion' ? `NULL AS var_y_${i}` : `var_samp(${y}) AS var_y_${i}`,
      x ? `avg(${x}) AS mean_x_${i}` : `NULL AS mean_x_${i}`,
      x ? `var_samp(${x}) AS var_x_${i}` : `NULL AS var_x_${i}`,
      x ? `covar_samp(${y}, ${x}) AS cov_${i}` : `NULL AS cov_${i}`,
      m.kind === 'proportion' ? `count_if(${y} NOT IN (0, 1)) AS invalid_${i}` : `0 AS invalid_${i}`,
    ];
    return cols.join(',\n    ');
  });
  const variant = `CAST(${Q(spec.variant)} AS VARCHAR)`;
  const perRow = (expr: string) => expr.replace(/^(max|sum)\((.*)\)$/s, '$2');
  const units = opts.unitIsKey
    ? `SELECT ${variant} AS v${[...unitCols].map(([expr, a]) => `,\n    ${perRow(expr)} AS ${a}`).join('')}
  FROM ${from}
  WHERE ${Q(spec.unit)} IS NOT NULL`
    : `SELECT CASE WHEN min(${variant}) = max(${variant}) THEN min(${variant}) END AS v${[...unitCols].map(([expr, a]) => `,\n    ${expr} AS ${a}`).join('')}
  FROM ${from}
  WHERE ${Q(spec.unit)} IS NOT NULL
  GROUP BY ${Q(spec.unit)}`;
  return `WITH units AS (
  ${units}
)
SELECT v AS variant,
    count(*) AS units,
    ${perMetric.join(',\n    ')}
FROM ${pairs.length ? `(SELECT *, ${pairs.join(', ')} FROM units)` : 'units'}
GROUP BY 1
ORDER BY 1`;
}

/** The query's rows (getRowsJson) as statistics per variant. */
export function readStats(spec: ExperimentSpec, rows: unknown[][]): VariantStats[] {
  const n = (v: unknown) => (v === null || v === undefined ? Number.NaN : Number(v));
  return rows.map((r) => ({
    variant: r[0] === null ? null : String(r[0]),
    units: n(r[1]),
    metrics: spec.metrics.map((_, i) => {
      const at = 2 + i * 8;
      const [count, sum, meanY, varY, meanX, varX, covXY, invalid] = r.slice(at, at + 8).map(n);
      // a proportion's mean is its successes over its units (exact counts; one aggregate fewer)
      return { n: count, sum, meanY: spec.metrics[i].kind === 'proportion' ? sum / count : meanY, varY, meanX, varX, covXY, invalid };
    }),
  }));
}
