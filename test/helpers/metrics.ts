/**
 * Checking the metric engine against SQL written by hand: for every row the engine returns, the
 * same number from a plain `SELECT <aggregate> FROM <table> WHERE <conditions>` over the same
 * rows, on a separate DuckDB instance. Nothing here uses the engine's compiler.
 */
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DuckSession } from '../../engine/duck/duck.js';
import { loadProject, type Project } from '../../engine/project.js';
import { loadCatalog, type MetricCatalog } from '../../engine/metrics/catalog.js';
import { computeRows, planMetrics } from '../../engine/metrics/compute.js';
import type { MetricRequest } from '../../engine/metrics/request.js';
import { FIXTURES } from './paths.js';

const COMPLETED = "status = 'completed'";

/** The metrics of test/fixtures/metrics-correctness, written again by hand. */
export const HAND: Record<string, { table: string; time: string; value: string; where?: string }> = {
  revenue: { table: 'orders', time: 'order_date', value: 'coalesce(SUM(amount), 0)', where: COMPLETED },
  orders: { table: 'orders', time: 'order_date', value: 'COUNT(*)', where: COMPLETED },
  buyers: { table: 'orders', time: 'order_date', value: 'COUNT(DISTINCT customer_id)', where: COMPLETED },
  web_buyers: { table: 'orders', time: 'order_date', value: "COUNT(DISTINCT customer_id) FILTER (WHERE channel = 'web')", where: COMPLETED },
  avg_amount: { table: 'orders', time: 'order_date', value: 'AVG(amount)', where: COMPLETED },
  aov_two: { table: 'orders', time: 'order_date', value: 'SUM(amount) / NULLIF(COUNT(*), 0)', where: COMPLETED },
  largest: { table: 'orders', time: 'order_date', value: 'MAX(amount)' },
  smallest: { table: 'orders', time: 'order_date', value: 'MIN(amount)', where: `${COMPLETED} AND amount > 0` },
  refund_rate: { table: 'orders', time: 'order_date', value: "SUM(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0)" },
  plain_items: { table: 'orders', time: 'order_date', value: 'coalesce(SUM(items * 2), 0)' },
  aov: { table: 'orders', time: 'order_date', value: 'coalesce(SUM(amount), 0) / NULLIF(COUNT(*), 0)', where: COMPLETED },
  revenue_per_buyer: { table: 'orders', time: 'order_date', value: '(coalesce(SUM(amount), 0) / NULLIF(COUNT(*), 0)) * COUNT(*) / NULLIF(COUNT(DISTINCT customer_id), 0)', where: COMPLETED },
  unsafe_aov: { table: 'orders', time: 'order_date', value: 'CASE WHEN COUNT(*) > 0 THEN coalesce(SUM(amount), 0) / COUNT(*) END', where: COMPLETED },
  ordered_at_count: { table: 'orders', time: 'ordered_at', value: 'COUNT(*)' },
  tickets: { table: 'tickets', time: 'opened_at', value: 'COUNT(*)' },
  resolution_s: { table: 'tickets', time: 'opened_at', value: 'AVG(epoch(resolved_at) - epoch(opened_at))', where: 'resolved_at IS NOT NULL' },
  urgent_share: { table: 'tickets', time: 'opened_at', value: "COUNT(*) FILTER (WHERE priority = 'urgent') / NULLIF(COUNT(*), 0)" },
  per_urgent: { table: 'tickets', time: 'opened_at', value: "COUNT(*) / NULLIF(SUM(CASE WHEN priority = 'urgent' THEN 1 ELSE 0 END), 0)" },
};

export const HAND_SLICES: Record<string, { column?: string; values?: Record<string, string> }> = {
  region: { column: 'region' },
  device: { column: 'device' },
  country: { column: 'country_code' },
  priority: { column: 'priority' },
  basket: { values: { big: 'items >= 3', discounted: 'discount > 0' } },
  size: { values: { small: 'amount < 50', large: 'amount >= 50' } },
};

export const HAND_SEGMENTS: Record<string, string> = {
  discounted: 'discount > 0',
  repeat: 'customer_id IN (SELECT customer_id FROM orders GROUP BY customer_id HAVING count(*) > 1)',
  web: "channel = 'web'",
  urgent: "priority = 'urgent'",
};

export type Row = Record<string, string | number | null>;

export interface EngineContext {
  project: Project;
  session: DuckSession;
  conn: DuckDBConnection;
  catalog: MetricCatalog;
  hand: DuckDBConnection;
  close(): void;
}

export async function openEngine(fixture = 'metrics-correctness'): Promise<EngineContext> {
  const project = loadProject(join(FIXTURES, fixture));
  const session = await DuckSession.open({ database: process.env.QUIRE_TEST_DB!, fileSearchPath: project.root });
  const conn = await session.connect();
  const { catalog, errors } = await loadCatalog({ project, parser: conn });
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  const db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  const hand = await db.connect();
  return {
    project,
    session,
    conn,
    catalog,
    hand,
    close: () => {
      hand.closeSync();
      db.closeSync();
      session.close();
    },
  };
}

export async function engineRows(ctx: EngineContext, request: MetricRequest): Promise<{ columns: string[]; rows: Row[] }> {
  const { resolved, compiled } = await planMetrics(ctx.conn, ctx.catalog, request, ctx.project);
  const { columns, rows } = await computeRows(ctx.conn, resolved, compiled);
  const names = columns.map((c) => c.name);
  return { columns: names, rows: rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] as string | number | null]))) };
}

/** `[from, to)` of dates 'YYYY-MM-DD', or null: no time condition. */
export type Range = [string, string] | null;

/** The hand-written value of `metric` over the rows matching `conds` in `range`. */
export async function handValue(ctx: EngineContext, metric: string, conds: string[], range: Range, params: Record<string, string> = {}): Promise<number | null> {
  const h = HAND[metric];
  const where = [h.where, ...conds, ...(range ? [`${h.time} >= CAST($from AS DATE)`, `${h.time} < CAST($to AS DATE)`] : [])].filter(Boolean);
  const stmt = await ctx.hand.prepare(`SELECT CAST(${h.value} AS DOUBLE) FROM ${h.table}${where.length ? ` WHERE ${where.map((w) => `(${w})`).join(' AND ')}` : ''}`);
  const all = { ...params, ...(range ? { from: range[0], to: range[1] } : {}) };
  if (Object.keys(all).length) stmt.bind(all);
  const v = (await stmt.runAndReadAll()).getRows()[0][0];
  stmt.destroySync();
  return v === null ? null : Number(v);
}

/**
 * The long table's slice value of one combination of slice values (null: NULL), written by hand
 * from docs/metrics-format.md: a single value as is; a cross-product's parts escaped (`\`, `|`),
 * NULL as `\N`, joined with `|`.
 */
export function sliceValueOf(parts: Array<string | null>): string | null {
  if (parts.length === 1) return parts[0];
  return parts.map((p) => (p === null ? '\\N' : p.replaceAll('\\', '\\\\').replaceAll('|', '\\|'))).join('|');
}

/** The parts of a slice value again (null: NULL): split at unescaped `|`; a part `\N` is NULL. */
export function splitSliceValue(sliceType: string, value: string | null): Array<string | null> {
  if (!sliceType.includes('|')) return [value];
  const raw = [''];
  for (let i = 0; i < value!.length; i++) {
    if (value![i] === '\\') raw[raw.length - 1] += value![i] + value![++i];
    else if (value![i] === '|') raw.push('');
    else raw[raw.length - 1] += value![i];
  }
  return raw.map((r) => (r === '\\N' ? null : r.replace(/\\(.)/g, '$1')));
}

export const comboKey = (sliceType: unknown, sliceValue: unknown) => JSON.stringify([sliceType, sliceValue]);

/** The conditions (with bound values) of one engine row's slice value and segment. */
export function rowConditions(row: Row): { conds: string[]; params: Record<string, string> } {
  const conds: string[] = [];
  const params: Record<string, string> = {};
  if (row.slice_type !== 'none') {
    const types = String(row.slice_type).split('|');
    const values = splitSliceValue(String(row.slice_type), row.slice_value as string | null);
    types.forEach((t, i) => {
      const s = HAND_SLICES[t];
      if (s.column) {
        if (values[i] === null) conds.push(`${s.column} IS NULL`);
        else {
          params[`v${i}`] = values[i]!;
          conds.push(`CAST(${s.column} AS VARCHAR) = $v${i}`);
        }
      } else conds.push(s.values![values[i]!]);
    });
  }
  if (row.segment_name !== 'all') conds.push(HAND_SEGMENTS[String(row.segment_name)]);
  return { conds, params };
}

export function near(actual: number | null, expected: number | null): boolean {
  if (expected === null || actual === null) return actual === expected;
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

// ---- calendar arithmetic written for the tests (independent of engine/metrics/periods.ts) ----

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const iso = (x: Date) => x.toISOString().slice(0, 10);

export function plusMonths(s: string, n: number): string {
  const x = d(s);
  const target = new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(x.getUTCDate(), last));
  return iso(target);
}

export function plusDays(s: string, n: number): string {
  return iso(new Date(d(s).getTime() + n * 86_400_000));
}

export type TestGrain = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export function periodStart(grain: TestGrain, s: string): string {
  const x = d(s);
  if (grain === 'daily') return s;
  if (grain === 'weekly') return plusDays(s, -((x.getUTCDay() + 6) % 7)); // Monday
  const m = grain === 'monthly' ? x.getUTCMonth() : grain === 'quarterly' ? x.getUTCMonth() - (x.getUTCMonth() % 3) : 0;
  return iso(new Date(Date.UTC(x.getUTCFullYear(), m, 1)));
}

export function nextPeriod(grain: TestGrain, s: string, n = 1): string {
  return grain === 'daily' ? plusDays(s, n) : grain === 'weekly' ? plusDays(s, 7 * n) : plusMonths(s, n * (grain === 'monthly' ? 1 : grain === 'quarterly' ? 3 : 12));
}

/** Every period start of the window `[from, to)`. */
export function periodsOf(grain: TestGrain, from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = periodStart(grain, from); p < to; p = nextPeriod(grain, p)) out.push(p);
  return out;
}

/** Intersection of two ranges. */
export function clip(a: [string, string], b: [string, string]): [string, string] {
  // biome-ignore lint/complexity/useMathMinMax: the bounds are ISO date strings, which Math.max/min would turn into NaN
  return [a[0] > b[0] ? a[0] : b[0], a[1] < b[1] ? a[1] : b[1]];
}
