/**
 * One scan per source: the CTEs that read a source once and compute every requested metric of
 * it for every slice value and segment.
 *
 *   __quire_src_i   the source rows in the scanned window, with the period, the slice columns and
 *                   one boolean flag per distinct metric filter, segment and `where` slice value
 *   __quire_cube_i  (when every aggregate decomposes, see rewrite.ts) partial aggregates per
 *                   (period, slice columns, flags): each row updates each partial once
 *   __quire_dist_i_j  COUNT(DISTINCT x) of every variant, from lists of x in the cube
 *                   (distinct.ts), joined to the cube rows in __quire_agg_i
 *   __quire_agg_i   GROUP BY GROUPING SETS ((period, slice columns), (period)): one value per
 *                   metric × segment × `where` value (values may overlap), combined from the cube
 *                   with FILTER on the flags, or computed from the rows as conditional aggregates
 *   __quire_long_i  one row per (period, slice value, segment), one column per metric
 */
import { sqlString } from '../duck/duck.js';
import type { MetricDialect, ScanRewriter } from './dialect.js';
import { wrapExpr } from './expressions.js';
import { distinctPipeline, MAX_DISTINCT_VARIANTS, type DistinctPipeline } from './distinct.js';
import { combineSql, partPlaceholder, type Decomposed } from './rewrite.js';
import type { ResolvedSource } from './sources.js';
import { slicePart } from './slice-values.js';
import { zeroWhenEmpty, type ExprInfo, type MetricSpec, type SegmentSpec, type SliceSpec } from './specs.js';

export interface SourceGroup {
  index: number;
  source: ResolvedSource;
  timeColumn: string | null;
  metrics: MetricSpec[];
}

/** The slices of a request, split into group keys (column slices) and flags (where slices). */
export interface SlicePlan {
  slices: SliceSpec[];
  /** `region|device`; '' without slices. */
  sliceType: string;
  /** Every combination of `where` values: [slice index, value index][]; [[]] when there are none. */
  whereCombos: Array<Array<[number, number]>>;
  columnSlices: number[];
}

export function slicePlan(slices: SliceSpec[]): SlicePlan {
  let combos: Array<Array<[number, number]>> = [[]];
  slices.forEach((s, si) => {
    if (!s.values) return;
    combos = combos.flatMap((c) => s.values!.map((_, vi) => [...c, [si, vi] as [number, number]]));
  });
  return {
    slices,
    sliceType: slices.map((s) => s.name).join('|'),
    whereCombos: combos,
    columnSlices: slices.flatMap((s, si) => (s.column ? [si] : [])),
  };
}

/** SQL text of a spec label (names are validated; value labels are quoted). */
export const lit = (s: string) => sqlString(s);

/** A cross-product part in SQL (slice-values.ts): escaped, NULL as `\N`. */
const slicePartSql = (d: MetricDialect, sql: string) => `coalesce(replace(replace(${sql}, ${d.str('\\')}, ${d.str('\\\\')}), '|', ${d.str('\\|')}), ${d.str('\\N')})`;

/** Beyond this many flags (filters + segments + where values) the conditional plan is used. */
const MAX_CUBE_FLAGS = 16;
const DISTINCT_BUCKETS = 8;

interface Variant {
  segment: number; // -1: all
  combo: Array<[number, number]> | null; // null: no where slice (overall, or column slices only)
}

export interface ScanSql {
  ctes: string[];
  /** Name of the long CTE (columns: __quire_p, slice_type, slice_value, segment_name, one per metric). */
  long: string;
  strategy: 'cube' | 'conditional';
}

/** The two roles a source row can be read in with a cut window and `compare` (compile.ts). */
// A derived table every dialect reads (MariaDB has no column list on a VALUES alias).
export const ROLES_SQL = '(SELECT false AS __quire_cmp UNION ALL SELECT true) AS __quire_roles';

/**
 * The CTEs of one source group. `periodExpr(col)` and `scanFilter(col)` come from the time plan;
 * `periodKeys` are `__quire_p`, and `__quire_cmp` when rows are read in two roles.
 */
export async function scanCtes(
  group: SourceGroup,
  plan: SlicePlan,
  segments: SegmentSpec[],
  time: { periodExpr: (col: string | null) => string; scanFilter: (col: string) => string | null },
  periodKeys: string[],
  rewriter: ScanRewriter,
  d: MetricDialect,
): Promise<ScanSql> {
  const i = group.index;
  const src = `__quire_src_${i}`;
  const cube = `__quire_cube_${i}`;
  const agg = `__quire_agg_${i}`;
  const long = `__quire_long_${i}`;
  const tcol = group.timeColumn ? d.quoteIdent(group.timeColumn) : null;

  // Flags: one per distinct metric filter set, segment and where-slice value.
  const filterFlags = new Map<string, string>();
  const flagCols: string[] = [];
  const roles = periodKeys.includes('__quire_cmp');
  const selects: string[] = [`${time.periodExpr(tcol)} AS __quire_p`, ...(roles ? ['__quire_roles.__quire_cmp'] : [])];
  const keys = plan.columnSlices.map((si) => `__quire_k${si}`);
  for (const si of plan.columnSlices) selects.push(`${d.quoteIdent(plan.slices[si].column!)} AS __quire_k${si}`);
  const flag = (sql: string, name: string) => {
    selects.push(`${sql} AS ${name}`);
    flagCols.push(name);
  };
  const flagsOfMetric = group.metrics.map((m) => {
    if (!m.filterExprs.length) return null;
    const cond = m.filterExprs.map((f) => wrapExpr(f.text)).join(' AND ');
    if (!filterFlags.has(cond)) {
      filterFlags.set(cond, `__quire_f${filterFlags.size}`);
      flag(cond, filterFlags.get(cond)!);
    }
    return filterFlags.get(cond)!;
  });
  segments.forEach((g, gi) => {
    flag(wrapExpr(g.where), `__quire_g${gi}`);
  });
  plan.slices.forEach((s, si) => {
    s.values?.forEach((v, vi) => {
      flag(wrapExpr(v.where), `__quire_w${si}_${vi}`);
    });
  });
  // With two roles the source is named, so its own columns are `__quire_t.*` beside the role column (in every dialect).
  if (roles) selects.push('__quire_t.*');
  else if (d.starFirst) selects.unshift('*');
  else selects.push('*');
  const where = tcol ? time.scanFilter(tcol) : null;
  const from = roles ? `${group.source.sql} AS __quire_t CROSS JOIN ${ROLES_SQL}` : group.source.sql;
  const ctes = [`${src} AS (\n  SELECT ${selects.join(',\n    ')}\n  FROM ${from}${where ? `\n  WHERE ${where}` : ''}\n)`];

  // Variants: metric × (all + segments) × (overall + where combos).
  const hasWhere = plan.whereCombos[0].length > 0;
  const combos: Array<Array<[number, number]> | null> = hasWhere ? [null, ...plan.whereCombos] : [null];
  const variants: Variant[] = [];
  for (let segment = -1; segment < segments.length; segment++) for (const combo of combos) variants.push({ segment, combo });
  const vkey = (v: Variant) => `${v.segment + 1}_${v.combo ? v.combo.map(([s, x]) => `${s}x${x}`).join('y') : 'o'}`;
  const variantFlags = (mi: number, v: Variant) =>
    [flagsOfMetric[mi], v.segment >= 0 ? `__quire_g${v.segment}` : null, ...(v.combo ?? []).map(([s, x]) => `__quire_w${s}_${x}`)].filter((f): f is string => f !== null);

  // Cube when every aggregate decomposes; else conditional aggregates over the rows.
  const exprs = group.metrics.flatMap((m) => [m.num!, ...(m.den ? [m.den] : [])]);
  const decomposed = new Map<string, Decomposed | null>();
  for (const e of exprs) decomposed.set(e.text, await rewriter.decompose(e));
  // Flags are cube keys: with very many, their combinations approach one cube row per source row.
  // Distinct counts go through the cube when several counts share one deduplication (distinct.ts);
  // a single one (one variant, no slice columns) is faster as DuckDB's own COUNT(DISTINCT).
  const hasColumns = keys.length > 0;
  const hasDistinct = [...decomposed.values()].some((d) => d?.parts.some((p) => p.combine === 'distinct'));
  const distinctFits = !hasDistinct || (d.distinctLists && (variants.length > 1 || hasColumns) && variants.length <= MAX_DISTINCT_VARIANTS);
  const useCube = flagCols.length <= MAX_CUBE_FLAGS && [...decomposed.values()].every((d) => d !== null) && distinctFits;
  const partials = new Map<string, string>(); // partial SQL → cube column
  if (useCube) {
    for (const d of decomposed.values()) for (const p of d!.parts) for (const sql of p.partials) if (!partials.has(sql)) partials.set(sql, `__quire_q${partials.size}`);
    const cols = [...periodKeys, ...keys, ...flagCols];
    const selected = [...cols, ...[...partials].map(([sql, col]) => `${sql} AS ${col}`)];
    const groupBy = [...cols];
    // Distinct counts number the slice-column combinations (see distinct.ts). Without slice
    // columns the cube may have a handful of rows: their lists are split by a hash of the value
    // so that the deduplication has rows for every thread.
    if (hasDistinct && hasColumns) selected.push(`dense_rank() OVER (ORDER BY ${keys.join(', ')}) AS __quire_slice`);
    if (hasDistinct && !hasColumns) {
      const arg = [...decomposed.values()].flatMap((d) => d!.parts).find((p) => p.arg)!.arg!;
      groupBy.push(`hash(${arg}) % ${DISTINCT_BUCKETS}`);
    }
    ctes.push(`${cube} AS ${d.materialized}(\n  SELECT ${selected.join(',\n    ')}\n  FROM ${src}\n  GROUP BY ${groupBy.join(', ')}\n)`);
  }
  const rollup = hasColumns ? d.grouping(keys) : null;
  const pipelines = new Map<string, DistinctPipeline>(); // list column + metric filter → its distinct counts
  const pipeline = (list: string, mi: number): DistinctPipeline => {
    const key = `${list}|${flagsOfMetric[mi] ?? ''}`;
    let p = pipelines.get(key);
    if (!p) {
      p = distinctPipeline(
        `__quire_dist_${i}_${pipelines.size}`,
        cube,
        list,
        variants.map((v) => variantFlags(mi, v)),
        hasColumns,
        periodKeys,
      );
      pipelines.set(key, p);
      ctes.push(...p.ctes);
    }
    return p;
  };
  const aggregateSql = async (e: ExprInfo, mi: number, vi: number): Promise<string> => {
    const flags = variantFlags(mi, variants[vi]);
    if (!useCube) return rewriter.conditional(e, flags);
    const dec = decomposed.get(e.text)!;
    let sql = dec.template;
    dec.parts.forEach((p, j) => {
      const cols = p.partials.map((x) => partials.get(x)!);
      const combined = p.combine === 'distinct' ? pipeline(cols[0], mi).value(vi, rollup) : combineSql(p.combine, cols, flags, d.filtered);
      sql = sql.replace(new RegExp(`"?${partPlaceholder(j)}"?`), () => combined);
    });
    return `(${sql})`;
  };

  const aggSelects = [...periodKeys, ...keys];
  if (rollup) aggSelects.push(`${rollup} AS __quire_rollup`);
  for (const [mi, m] of group.metrics.entries()) {
    for (const [vi, v] of variants.entries()) {
      aggSelects.push(`${await aggregateSql(m.num!, mi, vi)} AS __quire_a${mi}_${vkey(v)}_n`);
      if (m.den) aggSelects.push(`${await aggregateSql(m.den, mi, vi)} AS __quire_a${mi}_${vkey(v)}_d`);
    }
  }
  const aggFrom = useCube ? [cube, ...[...pipelines.values()].flatMap((p) => p.joins)].join('\n  ') : src;
  if (hasColumns && d.bothLevels) {
    ctes.push(`${agg} AS ${d.materialized}(\n${d.bothLevels(periodKeys, keys, aggSelects.slice(periodKeys.length + keys.length + 1), aggFrom)}\n)`);
  } else {
    const groupBy = hasColumns ? d.groupBy(periodKeys, keys) : periodKeys.join(', ');
    ctes.push(`${agg} AS ${d.materialized}(\n  SELECT ${aggSelects.join(',\n    ')}\n  FROM ${aggFrom}\n  GROUP BY ${groupBy}\n)`);
  }

  // Long: one SELECT per (overall | slice combination) × segment.
  const variantValue = (mi: number, v: Variant): string => {
    const m = group.metrics[mi];
    const n = `__quire_a${mi}_${vkey(v)}_n`;
    if (m.den) return `${d.double(n)} / NULLIF(${d.double(`__quire_a${mi}_${vkey(v)}_d`)}, 0)`;
    return zeroWhenEmpty(m.aggregation) ? `coalesce(${d.double(n)}, 0)` : d.double(n);
  };
  const branches: string[] = [];
  const branch = (sliceType: string, sliceValue: string, rows: string | null, segment: number, combo: Array<[number, number]> | null) => {
    const v = { segment, combo };
    const cols = [
      ...periodKeys,
      `${sliceType} AS slice_type`,
      `${sliceValue} AS slice_value`,
      `${lit(segment < 0 ? 'all' : segments[segment].name)} AS segment_name`,
      ...group.metrics.map((m, mi) => `${variantValue(mi, v)} AS ${d.quoteIdent(m.name)}`),
    ];
    branches.push(`  SELECT ${cols.join(', ')}\n  FROM ${agg}${rows ? ` WHERE ${rows}` : ''}`);
  };
  const sliceValueSql = (combo: Array<[number, number]>): string => {
    const single = plan.slices.length === 1;
    const parts = plan.slices.map((s, si) => {
      if (s.column) return single ? d.text(`__quire_k${si}`) : slicePartSql(d, d.text(`__quire_k${si}`));
      const name = s.values![combo.find(([x]) => x === si)![1]].name;
      return d.str(single ? name : slicePart(name));
    });
    return parts.length === 1 ? parts[0]! : d.concat(parts.flatMap((p, k) => (k ? [lit('|'), p] : [p])));
  };
  for (let segment = -1; segment < segments.length; segment++) {
    branch(lit('none'), lit('all'), hasColumns ? '__quire_rollup <> 0' : null, segment, null);
    if (!plan.slices.length) continue;
    for (const combo of plan.whereCombos) {
      branch(lit(plan.sliceType), sliceValueSql(combo), hasColumns ? '__quire_rollup = 0' : null, segment, hasWhere ? combo : null);
    }
  }
  ctes.push(`${long} AS ${d.materialized}(\n${branches.join('\n  UNION ALL\n')}\n)`);
  return { ctes, long, strategy: useCube ? 'cube' : 'conditional' };
}
