import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricRequest } from '../../engine/metrics/request.js';
import { planMetrics } from '../../engine/metrics/compute.js';
import { tableScans } from '../../engine/metrics/explain.js';
import {
  HAND,
  HAND_SLICES,
  clip,
  comboKey,
  engineRows,
  handValue,
  near,
  nextPeriod,
  openEngine,
  periodsOf,
  plusDays,
  plusMonths,
  rowConditions,
  sliceValueOf,
  type EngineContext,
  type Range,
  type Row,
  type TestGrain,
} from '../helpers/metrics.js';

let ctx: EngineContext;
beforeAll(async () => {
  ctx = await openEngine();
});
afterAll(() => ctx?.close());

const BASE = ['period_type', 'period_start_date', 'period_end_date', 'metric_name', 'slice_type', 'slice_value', 'segment_name', 'metric_value'];

/** The window of the comparison period of a whole all_time window. */
function allTimeComparison(w: [string, string], compare: string): [string, string] {
  if (compare === 'previous_year') return [plusMonths(w[0], -12), plusMonths(w[1], -12)];
  const [y0, m0, d0] = w[0].split('-').map(Number);
  const [y1, m1, d1] = w[1].split('-').map(Number);
  if (d0 === 1 && d1 === 1) return [plusMonths(w[0], -((y1 - y0) * 12 + m1 - m0)), w[0]];
  const days = (Date.parse(w[1]) - Date.parse(w[0])) / 86_400_000;
  return [plusDays(w[0], -days), w[0]];
}

/**
 * The rows a period is compared with (docs/metrics-format.md): a whole period with the whole
 * period before (or a year / 52 weeks before); a period the window cuts with the same days moved
 * back, each moved date clamped to its month, the end as its last day moved.
 */
function periodComparison(grain: TestGrain, compare: string, p: string, w: [string, string]): [string, string] {
  const back = (s: string) => (compare === 'previous_period' ? nextPeriod(grain, s, -1) : grain === 'weekly' ? plusDays(s, -364) : plusMonths(s, -12));
  const end = nextPeriod(grain, p);
  const [a, b] = clip([p, end], w);
  if (a === p && b === end) return [back(p), nextPeriod(grain, back(p))];
  return [back(a), b === end ? back(end) : plusDays(back(plusDays(b, -1)), 1)];
}

/** Distinct slice combinations the data holds in the scanned ranges (written by hand). */
async function expectedCombos(request: MetricRequest, table: string, time: string, ranges: Range[]): Promise<string[]> {
  const slices = request.slices ?? [];
  if (!slices.length) return [comboKey('none', 'all')];
  const columns = slices.filter((s) => HAND_SLICES[s].column).map((s) => `CAST(${HAND_SLICES[s].column} AS VARCHAR)`);
  let tuples: Array<Array<string | null>> = [[]];
  if (columns.length) {
    const where = ranges.filter((r): r is [string, string] => r !== null).map((r) => `(${time} >= DATE '${r[0]}' AND ${time} < DATE '${r[1]}')`);
    const reader = await ctx.hand.runAndReadAll(`SELECT DISTINCT ${columns.join(', ')} FROM ${table}${where.length ? ` WHERE ${where.join(' OR ')}` : ''}`);
    tuples = reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
  }
  const combos: string[] = [];
  for (const t of tuples) {
    let parts: Array<Array<string | null>> = [[]];
    let ci = 0;
    for (const s of slices) {
      const spec = HAND_SLICES[s];
      if (spec.column) {
        const v = t[ci++];
        parts = parts.map((p) => [...p, v]);
      } else parts = parts.flatMap((p) => Object.keys(spec.values!).map((v) => [...p, v]));
    }
    for (const p of parts) combos.push(comboKey(slices.join('|'), sliceValueOf(p)));
  }
  return [comboKey('none', 'all'), ...new Set(combos)];
}

/**
 * Runs a request and checks every row against hand-written SQL: the set of rows (periods ×
 * slice values × segments × metrics), each value, and with compare the comparison and change.
 */
async function check(request: MetricRequest): Promise<Row[]> {
  const { columns, rows } = await engineRows(ctx, request);
  expect(columns).toEqual(request.compare ? [...BASE, 'comparison_value', 'change_pct'] : BASE);
  const grain = request.grain ?? 'all_time';
  const w = request.window ? ([request.window.start, request.window.end] as [string, string]) : null;
  const h = HAND[request.metrics.find((m) => HAND[m])!];

  // The rows there must be.
  const periods: Array<string | null> = grain === 'all_time' ? [w ? w[0] : null] : periodsOf(grain as TestGrain, w![0], w![1]);
  const scanned: Range[] = [w];
  if (w && request.compare) {
    if (grain === 'all_time') scanned.push(allTimeComparison(w, request.compare));
    else for (const p of periods) scanned.push(periodComparison(grain as TestGrain, request.compare, p!, w));
  }
  const combos = await expectedCombos(request, h.table, h.time, scanned);
  const segments = ['all', ...(request.segments ?? [])];
  const expected = new Set<string>();
  for (const p of periods) for (const m of request.metrics) for (const c of combos) for (const s of segments) expected.add(`${p}|${m}|${c}|${s}`);
  const got = rows.map((r) => `${r.period_start_date}|${r.metric_name}|${comboKey(r.slice_type, r.slice_value)}|${r.segment_name}`);
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort()).toEqual([...expected].sort());

  for (const row of rows) {
    expect(row.period_type).toBe(grain);
    const p = row.period_start_date as string | null;
    let range: Range = null;
    if (grain !== 'all_time') {
      expect(row.period_end_date).toBe(nextPeriod(grain as TestGrain, p!));
      range = clip([p!, nextPeriod(grain as TestGrain, p!)], w!);
    } else if (w) {
      expect([row.period_start_date, row.period_end_date]).toEqual(w);
      range = w;
    } else expect([row.period_start_date, row.period_end_date]).toEqual([null, null]);
    const { conds, params } = rowConditions(row);
    const metric = String(row.metric_name);
    const want = await handValue(ctx, metric, conds, range, params);
    if (!near(row.metric_value as number | null, want)) {
      throw new Error(`${metric} ${row.slice_type}=${row.slice_value} segment ${row.segment_name} period ${p}: engine ${row.metric_value}, hand-written ${want}`);
    }
    if (!request.compare) continue;
    let cmp: [string, string];
    if (grain === 'all_time') cmp = allTimeComparison(w!, request.compare);
    else cmp = periodComparison(grain as TestGrain, request.compare, p!, w!);
    const c = await handValue(ctx, metric, conds, cmp, params);
    if (!near(row.comparison_value as number | null, c)) {
      throw new Error(`${metric} ${row.slice_value}/${row.segment_name} ${p}: comparison engine ${row.comparison_value}, hand-written ${c} over ${cmp}`);
    }
    const v = row.metric_value as number | null;
    const change = v === null || c === null || c === 0 ? null : (v - c) / Math.abs(c);
    expect(near(row.change_pct as number | null, change)).toBe(true);
  }
  return rows;
}

describe('metric numbers equal hand-written SQL over the same rows', () => {
  it('every aggregation type (sum, count, count_distinct, avg, avg of two aggregates, min, max, ratio, derived, derived of derived), all time and windowed', async () => {
    const metrics = ['revenue', 'orders', 'buyers', 'avg_amount', 'aov_two', 'largest', 'smallest', 'refund_rate', 'plain_items', 'aov', 'revenue_per_buyer', 'unsafe_aov'];
    const all = await check({ metrics });
    expect(all).toHaveLength(metrics.length);
    await check({ metrics: metrics.filter((m) => m !== 'buyers') }); // without the distinct count
    const windowed = await check({ metrics, window: { start: '2025-03-01', end: '2025-06-01' } });
    expect(windowed.find((r) => r.metric_name === 'orders')!.metric_value).toBeGreaterThan(0);
  });

  it('a column slice × segments at monthly grain', async () => {
    const rows = await check({
      metrics: ['revenue', 'orders', 'buyers', 'avg_amount', 'aov'],
      slices: ['region'],
      segments: ['discounted', 'repeat'],
      window: { start: '2026-07-01', end: '2026-10-01' },
      grain: 'monthly',
    });
    expect(rows).toHaveLength(3 * 5 * 5 * 3);
  });

  it('the cross-product of two column slices', async () => {
    const rows = await check({ metrics: ['revenue', 'refund_rate', 'largest'], slices: ['region', 'device'], window: { start: '2026-01-01', end: '2026-07-01' } });
    const types = new Set(rows.map((r) => r.slice_type));
    expect(types).toEqual(new Set(['none', 'region|device']));
    expect(rows.some((r) => r.slice_value === 'EU|mobile')).toBe(true);
  });

  it('a where slice with overlapping values, crossed with a column slice: each value counts its own rows', async () => {
    const rows = await check({ metrics: ['orders', 'revenue', 'aov_two'], slices: ['basket', 'device'], segments: ['web'], window: { start: '2026-01-01', end: '2026-04-01' } });
    const count = (v: string) =>
      rows.filter((r) => r.metric_name === 'orders' && r.segment_name === 'all' && String(r.slice_value).startsWith(`${v}|`)).reduce((s, r) => s + Number(r.metric_value), 0);
    const either = await handValue(ctx, 'orders', ['items >= 3 OR discount > 0'], ['2026-01-01', '2026-04-01']);
    expect(count('big') + count('discounted')).toBeGreaterThan(either!); // orders in both values count in both
  });

  it('cross-products of two where slices, and of three slices of both kinds', async () => {
    const two = await check({ metrics: ['orders', 'largest'], slices: ['size', 'basket'], segments: ['discounted'], window: { start: '2026-02-01', end: '2026-03-01' } });
    expect(new Set(two.filter((r) => r.slice_type !== 'none').map((r) => r.slice_value))).toEqual(new Set(['small|big', 'small|discounted', 'large|big', 'large|discounted']));
    const three = await check({ metrics: ['revenue', 'buyers'], slices: ['region', 'basket', 'device'], window: { start: '2026-02-01', end: '2026-03-01' } });
    expect(three.some((r) => r.slice_type === 'region|basket|device' && r.slice_value === 'EU|discounted|mobile')).toBe(true);
  });

  it('where slices alone: every value is a row, even with nothing in it', async () => {
    const rows = await check({ metrics: ['orders', 'avg_amount'], slices: ['size'], segments: ['discounted'], window: { start: '2026-06-01', end: '2026-09-01' }, grain: 'monthly' });
    expect(new Set(rows.map((r) => r.slice_value))).toEqual(new Set(['all', 'small', 'large']));
  });

  it('a column slice with NULL values has a NULL slice value', async () => {
    const rows = await check({ metrics: ['orders', 'revenue'], slices: ['country'], window: { start: '2025-01-01', end: '2026-01-01' } });
    expect(rows.some((r) => r.slice_type === 'country' && r.slice_value === null && Number(r.metric_value) > 0)).toBe(true);
  });

  it('weekly grain: weeks start on Monday; a [start, end) window cuts the first and last week', async () => {
    const rows = await check({ metrics: ['orders', 'revenue'], slices: ['region'], window: { start: '2026-03-04', end: '2026-03-26' }, grain: 'weekly' });
    const starts = [...new Set(rows.map((r) => String(r.period_start_date)))].sort();
    expect(starts).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23']);
    for (const s of starts) expect(new Date(`${s}T00:00:00Z`).getUTCDay()).toBe(1);
  });

  it('daily grain: every day is present; empty days are 0 for counts and NULL for averages and ratios', async () => {
    const rows = await check({
      metrics: ['tickets', 'resolution_s', 'urgent_share', 'per_urgent'],
      slices: ['priority'],
      segments: ['urgent'],
      window: { start: '2026-02-01', end: '2026-03-01' },
      grain: 'daily',
    });
    expect(new Set(rows.map((r) => r.period_start_date)).size).toBe(28);
    const overall = (m: string) => rows.filter((r) => r.metric_name === m && r.slice_type === 'none' && r.segment_name === 'all');
    const empty = overall('tickets')
      .filter((r) => r.metric_value === 0)
      .map((r) => r.period_start_date);
    expect(empty.length).toBeGreaterThan(0);
    for (const day of empty) {
      expect(overall('resolution_s').find((r) => r.period_start_date === day)!.metric_value).toBeNull();
      expect(overall('urgent_share').find((r) => r.period_start_date === day)!.metric_value).toBeNull();
    }
  });

  it('quarterly and yearly grains', async () => {
    await check({ metrics: ['revenue', 'buyers', 'refund_rate'], slices: ['region'], window: { start: '2025-01-01', end: '2026-01-01' }, grain: 'quarterly' });
    const years = await check({ metrics: ['revenue', 'buyers'], window: { start: '2024-01-01', end: '2027-01-01' }, grain: 'yearly' });
    expect(new Set(years.map((r) => r.period_start_date))).toEqual(new Set(['2024-01-01', '2025-01-01', '2026-01-01']));
  });

  it('a grain without a window: every period from the first to the last with data', async () => {
    const { rows } = await engineRows(ctx, { metrics: ['tickets', 'resolution_s'], grain: 'quarterly', compare: 'previous_year' });
    const [first, last] = (await ctx.hand.runAndReadAll("SELECT strftime(min(date_trunc('quarter', opened_at)), '%Y-%m-%d'), strftime(max(date_trunc('quarter', opened_at)), '%Y-%m-%d') FROM tickets"))
      .getRows()[0]
      .map(String);
    const periods: string[] = [];
    for (let p = first; p <= last; p = nextPeriod('quarterly', p)) periods.push(p);
    expect([...new Set(rows.map((r) => r.period_start_date))].sort()).toEqual(periods);
    for (const r of rows) {
      const p = String(r.period_start_date);
      expect(near(r.metric_value as number | null, await handValue(ctx, String(r.metric_name), [], [p, nextPeriod('quarterly', p)]))).toBe(true);
      const back = plusMonths(p, -12);
      const c = back < first ? null : await handValue(ctx, String(r.metric_name), [], [back, nextPeriod('quarterly', back)]);
      expect(near(r.comparison_value as number | null, c)).toBe(true);
    }
  });

  it('compare previous_period and previous_year at monthly grain', async () => {
    const base = { metrics: ['revenue', 'aov', 'refund_rate', 'buyers'], slices: ['region'], segments: ['discounted'], window: { start: '2026-01-01', end: '2026-04-01' }, grain: 'monthly' as const };
    const prev = await check({ ...base, compare: 'previous_period' });
    expect(prev.find((r) => r.period_start_date === '2026-01-01' && r.metric_name === 'revenue' && r.slice_type === 'none' && r.segment_name === 'all')!.comparison_value).toBeGreaterThan(0); // December 2025
    await check({ ...base, compare: 'previous_year' });
  });

  it('compare a whole-month window with the month before and the year before; other windows with as many days before', async () => {
    const sept = await check({ metrics: ['revenue', 'orders', 'refund_rate'], slices: ['region'], window: { start: '2026-09-01', end: '2026-10-01' }, compare: 'previous_period' });
    expect(sept.every((r) => r.period_start_date === '2026-09-01')).toBe(true);
    await check({ metrics: ['revenue', 'largest'], window: { start: '2026-09-01', end: '2026-10-01' }, compare: 'previous_year' });
    await check({ metrics: ['orders', 'avg_amount'], segments: ['web'], window: { start: '2026-05-10', end: '2026-05-24' }, compare: 'previous_period' });
  });

  it('compare over a window that cuts its first period: January 15–31 against December 15–31, February against all of January', async () => {
    const base = { metrics: ['revenue', 'orders'], window: { start: '2025-01-15', end: '2025-04-01' }, grain: 'monthly' as const };
    const plain = (await engineRows(ctx, base)).rows;
    const prev = await check({ ...base, compare: 'previous_period' });
    const at = (rows: Row[], p: string) => rows.find((r) => r.period_start_date === p && r.metric_name === 'revenue')!;
    expect(at(prev, '2025-01-01').metric_value).toBe(at(plain, '2025-01-01').metric_value);
    expect(at(prev, '2025-01-01').metric_value).toBe(await handValue(ctx, 'revenue', [], ['2025-01-15', '2025-02-01']));
    expect(at(prev, '2025-01-01').comparison_value).toBe(await handValue(ctx, 'revenue', [], ['2024-12-15', '2025-01-01']));
    expect(at(prev, '2025-02-01').comparison_value).toBe(await handValue(ctx, 'revenue', [], ['2025-01-01', '2025-02-01']));
    const year = await check({ ...base, compare: 'previous_year' });
    expect(at(year, '2025-01-01').metric_value).toBe(at(plain, '2025-01-01').metric_value);
    expect(at(year, '2025-01-01').comparison_value).toBe(await handValue(ctx, 'revenue', [], ['2024-01-15', '2024-02-01']));
  });

  it('compare over windows cutting both ends, at weekly, monthly and quarterly grain, with slices, segments and distinct counts (both plans)', async () => {
    const windows = { weekly: { start: '2025-02-12', end: '2025-03-20' }, monthly: { start: '2025-02-12', end: '2025-06-20' }, quarterly: { start: '2025-02-12', end: '2026-05-20' } };
    for (const [grain, window] of Object.entries(windows) as Array<['weekly' | 'monthly' | 'quarterly', { start: string; end: string }]>) {
      for (const compare of ['previous_period', 'previous_year'] as const) {
        await check({ metrics: ['revenue', 'buyers', 'aov'], slices: ['region'], segments: ['discounted'], window, grain, compare });
      }
    }
    const conditional: MetricRequest = { metrics: ['revenue', 'web_buyers', 'largest'], slices: ['device'], window: windows.monthly, grain: 'monthly', compare: 'previous_period' };
    expect((await planMetrics(ctx.conn, ctx.catalog, conditional, ctx.project)).compiled.scans.map((s) => s.strategy)).toEqual(['conditional']);
    await check(conditional);
  });

  it('compare over a cut window: previous_year over more than a year (the windows overlap); a start clamped to a shorter month; a window inside one period', async () => {
    await check({ metrics: ['revenue', 'buyers'], slices: ['region'], window: { start: '2025-01-15', end: '2026-03-10' }, grain: 'monthly', compare: 'previous_year' });
    const clamped = await check({ metrics: ['orders'], window: { start: '2025-03-30', end: '2025-05-31' }, grain: 'monthly', compare: 'previous_period' });
    const march = clamped.find((r) => r.period_start_date === '2025-03-01')!;
    expect(march.comparison_value).toBe(await handValue(ctx, 'orders', [], ['2025-02-28', '2025-03-01'])); // March 30–31 against February 28
    const may = clamped.find((r) => r.period_start_date === '2025-05-01')!;
    expect(may.comparison_value).toBe(await handValue(ctx, 'orders', [], ['2025-04-01', '2025-05-01'])); // May 1–30 against April 1–30: the last day moved back
    await check({ metrics: ['revenue', 'buyers'], slices: ['device'], window: { start: '2026-03-04', end: '2026-03-06' }, grain: 'weekly', compare: 'previous_period' });
  });

  it('weekly and daily compare', async () => {
    await check({ metrics: ['orders', 'revenue'], window: { start: '2026-03-02', end: '2026-03-30' }, grain: 'weekly', compare: 'previous_year' });
    await check({ metrics: ['orders'], slices: ['device'], window: { start: '2026-03-01', end: '2026-03-15' }, grain: 'daily', compare: 'previous_period' });
  });

  it('a zero or NULL denominator gives NULL, never Infinity or an error', async () => {
    const rows = await check({ metrics: ['per_urgent', 'urgent_share', 'resolution_s'], slices: ['priority'], window: { start: '2026-01-01', end: '2026-03-01' }, grain: 'monthly' });
    const nulls = rows.filter((r) => r.metric_name === 'per_urgent' && r.metric_value === null);
    expect(nulls.length).toBeGreaterThan(0); // slices without urgent tickets: denominator 0
    for (const r of rows) expect(r.metric_value === null || Number.isFinite(r.metric_value)).toBe(true);
    const unsafe = await check({ metrics: ['unsafe_aov'], slices: ['size'], window: { start: '2026-01-01', end: '2026-01-02' } });
    expect(unsafe.every((r) => r.metric_value === null || Number.isFinite(r.metric_value))).toBe(true);
  });

  it('time windows are [start, end): the end date is not included, for DATE and TIMESTAMP columns', async () => {
    const one = async (m: string, start: string, end: string) => Number((await engineRows(ctx, { metrics: [m], window: { start, end } })).rows[0].metric_value);
    for (const m of ['orders', 'ordered_at_count', 'tickets']) {
      const a = await one(m, '2026-05-10', '2026-05-11');
      const b = await one(m, '2026-05-11', '2026-05-12');
      expect(await one(m, '2026-05-10', '2026-05-12')).toBe(a + b);
    }
    const day = await one('ordered_at_count', '2026-05-10', '2026-05-11');
    const hand = await ctx.hand.runAndReadAll("SELECT count(*) FROM orders WHERE ordered_at >= TIMESTAMP '2026-05-10 00:00:00' AND ordered_at < TIMESTAMP '2026-05-11 00:00:00'");
    expect(day).toBe(Number(hand.getRows()[0][0]));
    await check({ metrics: ['tickets', 'resolution_s'], window: { start: '2026-05-10', end: '2026-05-11' } });
  });

  it('metrics sharing a source are computed in one scan of it (EXPLAIN)', async () => {
    const scansOf = async (request: MetricRequest) => {
      const { compiled } = await planMetrics(ctx.conn, ctx.catalog, request, ctx.project);
      return { scans: await tableScans(ctx.conn, compiled), compiled };
    };
    const many = await scansOf({
      metrics: ['revenue', 'orders', 'buyers', 'avg_amount', 'aov_two', 'largest', 'smallest', 'refund_rate', 'plain_items', 'aov'],
      slices: ['region', 'device', 'basket'],
      segments: ['discounted', 'web'],
      window: { start: '2025-01-01', end: '2027-01-01' },
      grain: 'monthly',
      compare: 'previous_period',
    });
    expect(many.scans).toEqual({ 'db.main.orders': 1 });
    expect(many.compiled.scans).toHaveLength(1);
    // A window cutting its periods reads each row in two roles, still in one scan.
    const cut = await scansOf({ metrics: ['revenue', 'buyers', 'largest'], slices: ['region'], window: { start: '2025-01-15', end: '2025-04-10' }, grain: 'monthly', compare: 'previous_year' });
    expect(cut.scans).toEqual({ 'db.main.orders': 1 });
    const two = await scansOf({ metrics: ['revenue', 'tickets', 'orders'], window: { start: '2025-01-01', end: '2026-01-01' }, grain: 'monthly' });
    expect(two.scans).toEqual({ 'db.main.orders': 1, 'db.main.tickets': 1 });
    // A segment reading another table (a subquery) adds its own scan, once, not per metric.
    const sub = await scansOf({ metrics: ['revenue', 'orders', 'avg_amount'], segments: ['repeat'], window: { start: '2025-01-01', end: '2026-01-01' }, grain: 'monthly' });
    expect(sub.scans).toEqual({ 'db.main.orders': 2 });
  });

  it('both plans agree: decomposable metrics (cube, distinct counts included) and others (conditional aggregates)', async () => {
    const request: MetricRequest = {
      metrics: ['revenue', 'avg_amount', 'refund_rate', 'largest', 'buyers'],
      slices: ['region', 'basket'],
      segments: ['web'],
      window: { start: '2026-01-01', end: '2026-04-01' },
      grain: 'monthly',
    };
    const cube = await planMetrics(ctx.conn, ctx.catalog, request, ctx.project);
    expect(cube.compiled.scans.map((s) => s.strategy)).toEqual(['cube']);
    const mixed = await planMetrics(ctx.conn, ctx.catalog, { ...request, metrics: [...request.metrics, 'web_buyers'] }, ctx.project);
    expect(mixed.compiled.scans.map((s) => s.strategy)).toEqual(['conditional']);
    const a = (await engineRows(ctx, request)).rows;
    const b = (await engineRows(ctx, { ...request, metrics: [...request.metrics, 'web_buyers'] })).rows.filter((r) => r.metric_name !== 'web_buyers');
    expect(b).toHaveLength(a.length);
    a.forEach((r, i) => {
      expect({ ...b[i], metric_value: null }).toEqual({ ...r, metric_value: null });
      expect(near(b[i].metric_value as number | null, r.metric_value as number | null)).toBe(true);
    });
    await check({ ...request, metrics: [...request.metrics, 'web_buyers'] });
  });

  it('distinct counts over many slice values (masks split in blocks), NULL values, where slices and no slices', async () => {
    // 4 variants a value: 16 slots a mask; country × device has ~60 values.
    const request: MetricRequest = {
      metrics: ['buyers', 'revenue_per_buyer'],
      slices: ['country', 'device'],
      segments: ['discounted', 'web', 'repeat'],
      window: { start: '2026-01-01', end: '2026-03-01' },
      grain: 'monthly',
    };
    expect((await planMetrics(ctx.conn, ctx.catalog, request, ctx.project)).compiled.scans.map((s) => s.strategy)).toEqual(['cube']);
    const many = await check(request);
    expect(new Set(many.map((r) => r.slice_value)).size).toBeGreaterThan(40);
    expect(many.some((r) => String(r.slice_value).startsWith('\\N|') && r.metric_name === 'buyers' && Number(r.metric_value) > 0)).toBe(true);
    // Two where slices (4 combinations) and two segments: 15 variants, 4 slots a mask.
    await check({ metrics: ['buyers'], slices: ['size', 'region', 'basket'], segments: ['discounted', 'web'], window: { start: '2026-02-01', end: '2026-04-01' }, grain: 'monthly' });
    // No slice columns (two variants); a single count is DuckDB's own COUNT(DISTINCT).
    await check({ metrics: ['buyers', 'orders'], segments: ['repeat'], window: { start: '2026-02-01', end: '2026-04-01' } });
    await check({ metrics: ['buyers'] });
  });
});
