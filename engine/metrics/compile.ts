/**
 * Compiles a resolved metric request into ONE SQL query whose result is the long table of
 * metrics-format.md, in its column order. Metrics sharing a source (and time column) are
 * computed in one scan of it (see scan.ts); then:
 *
 *   __quire_periods  every period of the window (generate_series via range), empty ones too
 *   __quire_grid     periods × slice values seen (plus the overall row) × segments (+ all)
 *   __quire_wide     the grid LEFT JOIN each source's long CTE: one column per metric;
 *                    sum/count/count_distinct are 0 where nothing was counted
 *   __quire_d_k      derived metrics, each a projection over the metrics it names
 *   __quire_values   one row per metric; Infinity/NaN become NULL
 *   final SELECT     with compare: the same row of the comparison period (LEFT JOIN)
 *
 * Window bounds are bound parameters ($quire_start...), never SQL text.
 */
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, RESULTS_CATALOG } from '../duck/duck.js';
import { DUCKDB, serverDialect, type MetricDialect } from './dialect.js';
import { wrapExpr } from './expressions.js';
import { clippedComparisonWindow, comparisonWindow, grainComparisonWindow, previousYearSql, stepSql, truncSql, windowOnBoundaries, type Window } from './periods.js';
import type { ResolvedRequest } from './request.js';
import { lit, ROLES_SQL, scanCtes, slicePlan, type SourceGroup } from './scan.js';
import { slicePart } from './slice-values.js';
import { zeroWhenEmpty, type Compare, type Grain, type MetricSpec } from './specs.js';

export interface CompiledQuery {
  sql: string;
  /** DATE parameters by name ('YYYY-MM-DD'). */
  params: Record<string, string>;
  /** Output columns in order. */
  columns: string[];
  /** One entry per source scan. */
  scans: Array<{ source: string; timeColumn: string | null; metrics: string[]; strategy: 'cube' | 'conditional'; connection?: string }>;
  /**
   * Scans a server computes (sources on a Postgres connection): each one's long rows are
   * written into `table` of the results catalog before `sql` runs, and dropped after.
   */
  remote: RemoteScan[];
}

export interface RemoteScan {
  connection: string;
  /** The results-catalog table (unquoted) the server's rows go into. */
  table: string;
  /** The scan in the server's dialect; params named `$quire_start`... as in `params`. */
  sql: string;
}

export const BASE_COLUMNS = ['period_type', 'period_start_date', 'period_end_date', 'metric_name', 'slice_type', 'slice_value', 'segment_name', 'metric_value'];
export const COMPARE_COLUMNS = ['comparison_value', 'change_pct'];

/** Window, grain and compare as SQL over bound DATE params. */
interface TimePlan {
  params: Record<string, string>;
  periodExpr(col: string | null): string;
  scanFilter(col: string): string | null;
  periodsSql: string;
  /** How the comparison row `prev` of `cur` is found (period key columns). */
  prevJoin: string;
  /** Rows carry `__quire_cmp` (see clippedComparePlan): their period key is (__quire_p, __quire_cmp). */
  roles: boolean;
  /** Rows to output (window periods), or null for all. */
  outputFilter: string | null;
  startSql: string;
  endSql: string;
}

const NO_PERIOD = "DATE '1970-01-01'";

function timePlan(req: ResolvedRequest, d: MetricDialect = DUCKDB): TimePlan {
  const { window: w, grain, compare } = req;
  const params: Record<string, string> = {};
  if (w) Object.assign(params, { quire_start: w.start, quire_end: w.end });
  const inWindow = (col: string) => `${col} >= $quire_start AND ${col} < $quire_end`;
  if (grain === 'all_time') {
    if (!w) {
      return {
        params,
        periodExpr: () => NO_PERIOD,
        scanFilter: () => null,
        periodsSql: `SELECT ${NO_PERIOD} AS __quire_p`,
        prevJoin: 'false',
        roles: false,
        outputFilter: null,
        startSql: 'CAST(NULL AS DATE)',
        endSql: 'CAST(NULL AS DATE)',
      };
    }
    if (!compare) {
      return {
        params,
        periodExpr: () => '$quire_start',
        scanFilter: inWindow,
        periodsSql: 'SELECT $quire_start AS __quire_p',
        prevJoin: 'false',
        roles: false,
        outputFilter: null,
        startSql: '$quire_start',
        endSql: '$quire_end',
      };
    }
    const c: Window = comparisonWindow(w, compare);
    Object.assign(params, { quire_cmp_start: c.start, quire_cmp_end: c.end });
    const scanFilter = (col: string) => (c.end === w.start ? `${col} >= $quire_cmp_start AND ${col} < $quire_end` : `((${inWindow(col)}) OR (${col} >= $quire_cmp_start AND ${col} < $quire_cmp_end))`);
    return {
      params,
      periodExpr: (col) => `CASE WHEN ${col} >= $quire_start THEN $quire_start ELSE $quire_cmp_start END`,
      scanFilter,
      periodsSql: 'SELECT $quire_start AS __quire_p UNION ALL SELECT $quire_cmp_start',
      prevJoin: 'prev.__quire_p = $quire_cmp_start',
      roles: false,
      outputFilter: 'cur.__quire_p = $quire_start',
      startSql: '$quire_start',
      endSql: '$quire_end',
    };
  }
  const step = stepSql(grain);
  const range = (from: string, to: string) => `SELECT CAST(range AS DATE) AS __quire_p FROM range(CAST(${truncSql(grain, from)} AS TIMESTAMP), CAST(${to} AS TIMESTAMP), ${step})`;
  const prevKey = compare === 'previous_year' ? previousYearSql(grain, 'cur.__quire_p') : `CAST(cur.__quire_p - ${step} AS DATE)`;
  const base = {
    params,
    periodExpr: (col: string | null) => d.trunc(grain, col!),
    prevJoin: `prev.__quire_p = ${prevKey}`,
    roles: false,
    startSql: 'cur.__quire_p',
    endSql: `CAST(cur.__quire_p + ${step} AS DATE)`,
  };
  if (!w) {
    const dataRange = `SELECT CAST(range AS DATE) AS __quire_p FROM range(CAST((SELECT min(__quire_p) FROM __quire_keys) AS TIMESTAMP), CAST((SELECT max(__quire_p) FROM __quire_keys) AS TIMESTAMP) + ${step}, ${step})`;
    return { ...base, scanFilter: () => null, periodsSql: dataRange, outputFilter: null };
  }
  if (!compare) return { ...base, scanFilter: inWindow, periodsSql: range('$quire_start', '$quire_end'), outputFilter: null };
  if (!windowOnBoundaries(w, grain)) return clippedComparePlan(w, grain, compare, base, d);
  const c = grainComparisonWindow(w, grain, compare);
  Object.assign(params, { quire_cmp_start: c.start, quire_cmp_end: c.end });
  const scanFilter = (col: string) =>
    compare === 'previous_period' ? `${col} >= $quire_cmp_start AND ${col} < $quire_end` : `((${inWindow(col)}) OR (${col} >= $quire_cmp_start AND ${col} < $quire_cmp_end))`;
  const periodsSql = compare === 'previous_period' ? range('$quire_cmp_start', '$quire_end') : `${range('$quire_start', '$quire_end')}\n  UNION\n  ${range('$quire_cmp_start', '$quire_cmp_end')}`;
  return { ...base, scanFilter, periodsSql, outputFilter: `cur.__quire_p >= ${truncSql(grain, '$quire_start')}` };
}

/**
 * `compare` over a window that cuts its first or last period. The cut period's rows and the rows
 * it is compared with differ from the whole periods next to them (January 15–31 against
 * December 15–31, while February is compared with all of January), so each source row is read
 * in two roles (`__quire_cmp`): as a row of its own period when it lies in the window, and as a
 * comparison row of the period it is compared for when it lies in the compared days
 * (clippedComparisonWindow). Every period then has its value and its comparison value under
 * the same key.
 */
function clippedComparePlan(w: Window, grain: Grain, compare: Compare, base: Pick<TimePlan, 'params' | 'startSql' | 'endSql'>, d: MetricDialect): TimePlan {
  const c = clippedComparisonWindow(w, grain, compare);
  Object.assign(base.params, { quire_cmp_start: c.start, quire_cmp_end: c.end });
  const step = stepSql(grain);
  // The period expression runs in the source's dialect (DuckDB, or on a server).
  const [n, unit] = compare === 'previous_period' ? GRAIN_STEP[grain as Exclude<Grain, 'all_time'>] : grain === 'weekly' ? ([364, 'day'] as const) : ([1, 'year'] as const);
  const ahead = d.interval(n, unit);
  const inWindow = (col: string) => `${col} >= $quire_start AND ${col} < $quire_end`;
  const inCmp = (col: string) => `${col} >= $quire_cmp_start AND ${col} < $quire_cmp_end`;
  return {
    ...base,
    roles: true,
    periodExpr: (col) => `CASE WHEN __quire_cmp THEN CAST(${d.trunc(grain, col!)} + ${ahead} AS DATE) ELSE ${d.trunc(grain, col!)} END`,
    scanFilter: (col) => `((${inWindow(col)}) OR (${inCmp(col)})) AND CASE WHEN __quire_cmp THEN ${inCmp(col)} ELSE ${inWindow(col)} END`,
    periodsSql: `SELECT CAST(range AS DATE) AS __quire_p, __quire_cmp FROM range(CAST(${truncSql(grain, '$quire_start')} AS TIMESTAMP), CAST($quire_end AS TIMESTAMP), ${step}) CROSS JOIN ${ROLES_SQL}`,
    prevJoin: 'prev.__quire_p = cur.__quire_p AND prev.__quire_cmp',
    outputFilter: 'NOT cur.__quire_cmp',
  };
}

const GRAIN_STEP: Record<Exclude<Grain, 'all_time'>, readonly [number, 'day' | 'month' | 'year']> = {
  daily: [1, 'day'],
  weekly: [7, 'day'],
  monthly: [1, 'month'],
  quarterly: [3, 'month'],
  yearly: [1, 'year'],
};

/** Non-derived metrics grouped by what one scan can serve: the same source (and time column when time matters). */
function sourceGroups(req: ResolvedRequest): SourceGroup[] {
  const timed = req.window !== null || req.grain !== 'all_time';
  const groups = new Map<string, SourceGroup>();
  for (const m of req.closure) {
    if (m.aggregation === 'derived') continue;
    const source = req.sources.get(m.name)!;
    const timeColumn = timed ? (m.time_column ?? null) : null;
    const key = `${source.server?.connection ?? ''}\u0000${source.sql}\u0000${timeColumn ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { index: groups.size, source, timeColumn, metrics: [] };
      groups.set(key, g);
    }
    g.metrics.push(m);
  }
  return [...groups.values()];
}

const clean = (col: string) => `CASE WHEN isfinite(CAST(${col} AS DOUBLE)) THEN CAST(${col} AS DOUBLE) END`;

/**
 * The SQL of a request. `conn` is used only for DuckDB's parser (aggregates get their FILTER
 * clauses through the parse tree, never by editing text).
 */
export async function compileRequest(req: ResolvedRequest, conn: DuckDBConnection): Promise<CompiledQuery> {
  const time = timePlan(req);
  const periodKeys = time.roles ? ['__quire_p', '__quire_cmp'] : ['__quire_p'];
  const plan = slicePlan(req.slices);
  const groups = sourceGroups(req);
  const ctes: string[] = [];
  const longs: Array<{ name: string; group: SourceGroup; strategy: 'cube' | 'conditional' }> = [];
  const remote: RemoteScan[] = [];
  const run = randomBytes(4).toString('hex');
  for (const g of groups) {
    const server = g.source.server;
    const d = (server && serverDialect(server.type)) || DUCKDB;
    const scan = await scanCtes(g, plan, req.segments, d === DUCKDB ? time : timePlan(req, d), periodKeys, d.rewriter(conn), d);
    if (!server) {
      ctes.push(...scan.ctes);
      longs.push({ name: scan.long, group: g, strategy: scan.strategy });
      continue;
    }
    // Computed on the server: only its long rows come back, into a table the query reads.
    const table = `__quire_scan_${run}_${g.index}`;
    remote.push({ connection: server.connection, table, sql: `WITH\n${scan.ctes.join(',\n')}\nSELECT * FROM ${scan.long}` });
    longs.push({ name: `${RESULTS_CATALOG}.main.${quoteIdent(table)}`, group: g, strategy: scan.strategy });
  }

  // Keys seen in the data; periods; the grid every output row comes from.
  const keys = longs.map((l) => `SELECT __quire_p, slice_type, slice_value FROM ${l.name}`);
  ctes.push(`__quire_keys AS (\n  ${keys.length ? keys.join('\n  UNION\n  ') : 'SELECT CAST(NULL AS DATE) AS __quire_p, NULL AS slice_type, NULL AS slice_value WHERE false'}\n)`);
  ctes.push(`__quire_periods AS (\n  ${time.periodsSql}\n)`);
  const combos = [`SELECT ${lit('none')} AS slice_type, ${lit('all')} AS slice_value`, 'SELECT slice_type, slice_value FROM __quire_keys'];
  if (plan.slices.length && !plan.columnSlices.length) {
    // Only `where` slices: every value is a row, even when nothing matched it.
    for (const combo of plan.whereCombos) {
      const names = combo.map(([s, v]) => plan.slices[s].values![v].name);
      combos.push(`SELECT ${lit(plan.sliceType)}, ${lit(names.length === 1 ? names[0] : names.map(slicePart).join('|'))}`);
    }
  }
  ctes.push(`__quire_combos AS (\n  ${combos.join('\n  UNION\n  ')}\n)`);
  const segs = [lit('all'), ...req.segments.map((s) => lit(s.name))].map((s, i) => `(${s}, ${i})`).join(', ');
  ctes.push(`__quire_segments AS (\n  SELECT * FROM (VALUES ${segs}) s(segment_name, __quire_seg_ord)\n)`);
  ctes.push('__quire_grid AS (\n  SELECT * FROM __quire_periods CROSS JOIN __quire_combos CROSS JOIN __quire_segments\n)');

  const metricCols: string[] = [];
  const joins: string[] = [];
  longs.forEach(({ name, group }, i) => {
    const a = `l${i}`;
    joins.push(
      `LEFT JOIN ${name} ${a} ON ${periodKeys.map((k) => `${a}.${k} = g.${k}`).join(' AND ')} AND ${a}.slice_type = g.slice_type AND ${a}.slice_value IS NOT DISTINCT FROM g.slice_value AND ${a}.segment_name = g.segment_name`,
    );
    for (const m of group.metrics) {
      const col = `${a}.${quoteIdent(m.name)}`;
      metricCols.push(`${zeroWhenEmpty(m.aggregation) && !m.den ? `coalesce(${col}, 0)` : col} AS ${quoteIdent(m.name)}`);
    }
  });
  ctes.push(`__quire_wide AS (\n  SELECT g.*${metricCols.map((c) => `,\n    ${c}`).join('')}\n  FROM __quire_grid g\n  ${joins.join('\n  ')}\n)`);

  let last = '__quire_wide';
  req.closure
    .filter((m) => m.aggregation === 'derived')
    .forEach((m: MetricSpec, k) => {
      const name = `__quire_d_${k}`;
      ctes.push(`${name} AS (\n  SELECT *, ${wrapExpr(m.expr!.text)} AS ${quoteIdent(m.name)} FROM ${last}\n)`);
      last = name;
    });
  const values = req.metrics.map(
    (m, i) =>
      `SELECT ${periodKeys.join(', ')}, slice_type, slice_value, segment_name, __quire_seg_ord, ${lit(m.name)} AS metric_name, ${i} AS __quire_m_ord, ${clean(quoteIdent(m.name))} AS metric_value FROM ${last}`,
  );
  ctes.push(`__quire_values AS ${req.compare ? 'MATERIALIZED ' : ''}(\n  ${values.join('\n  UNION ALL\n  ')}\n)`);

  const select = [
    `${lit(req.grain)} AS period_type`,
    `${time.startSql} AS period_start_date`,
    `${time.endSql} AS period_end_date`,
    'cur.metric_name',
    'cur.slice_type',
    'cur.slice_value',
    'cur.segment_name',
    'cur.metric_value',
  ];
  let from = '__quire_values cur';
  if (req.compare) {
    select.push('prev.metric_value AS comparison_value');
    select.push('(cur.metric_value - prev.metric_value) / NULLIF(abs(prev.metric_value), 0) AS change_pct');
    from += `\nLEFT JOIN __quire_values prev ON prev.metric_name = cur.metric_name AND prev.slice_type = cur.slice_type AND prev.slice_value IS NOT DISTINCT FROM cur.slice_value AND prev.segment_name = cur.segment_name AND ${time.prevJoin}`;
  }
  const order = "(cur.slice_type = 'none' AND cur.segment_name = 'all') DESC, cur.__quire_p DESC, cur.__quire_m_ord, cur.slice_type <> 'none', cur.slice_type, cur.slice_value, cur.__quire_seg_ord";
  const sql = `WITH\n${ctes.join(',\n')}\nSELECT ${select.join(',\n  ')}\nFROM ${from}${time.outputFilter ? `\nWHERE ${time.outputFilter}` : ''}\nORDER BY ${order}`;
  return {
    sql,
    params: time.params,
    columns: req.compare ? [...BASE_COLUMNS, ...COMPARE_COLUMNS] : BASE_COLUMNS,
    scans: longs.map(({ group: g, strategy }) => ({
      source: g.source.sql,
      timeColumn: g.timeColumn,
      metrics: g.metrics.map((m) => m.name),
      strategy,
      ...(g.source.server ? { connection: g.source.server.connection } : {}),
    })),
    remote,
  };
}
