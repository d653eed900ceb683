/**
 * The template gallery: every template is used into a fresh project (as `quire templates use`
 * does), run on the 20,000-order test warehouse with its defaults and with other params, and
 * checked against SQL written by hand; the statistics of the A/B readout are checked against an
 * independent computation and known values; and the CLI's bad inputs are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runNotebook, validateNotebook } from '../engine/index.js';
import { listTemplates, stageProject, useTemplate } from '../engine/templates/index.js';
import { quire } from './helpers/cli.js';
import { TEST_DB_ORDERS } from './helpers/paths.js';

const NOW = () => new Date('2026-11-21T12:00:00Z');
type Obj = Record<string, any>;

let hand: DuckDBConnection;
let db: DuckDBInstance;
let project: string;

beforeAll(async () => {
  db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  hand = await db.connect();
  project = mkdtempSync(join(tmpdir(), 'quire-templates-'));
  stageProject(project, process.env.QUIRE_TEST_DB!);
  for (const t of listTemplates()) await useTemplate({ name: t.name, cwd: project });
});
afterAll(() => {
  hand?.closeSync();
  db?.closeSync();
  if (project) rmSync(project, { recursive: true, force: true });
});

async function sql(text: string, params: Record<string, unknown> = {}): Promise<Obj[]> {
  const reader = await hand.runAndReadAll(text, params as never);
  const names = reader.columnNames();
  return (reader.getRowsJson() as unknown[][]).map((r) => Object.fromEntries(names.map((n, i) => [n, typeof r[i] === 'string' && /^-?\d+(\.\d+)?$/.test(r[i] as string) ? Number(r[i]) : r[i]])));
}

interface Ran {
  status: string;
  failed: string[];
  /** A table cell's preview rows as objects. */
  rows(id: string): Obj[];
  /** A text cell's HTML, tags stripped. */
  text(id: string): string;
}

async function run(name: string, params: Record<string, unknown> = {}): Promise<Ran> {
  const { manifest, dir } = await runNotebook(join(project, 'notebooks', `${name}.yaml`), { params, now: NOW, cache: false, exports: ['html'] });
  const outputs = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs as Record<string, any>;
  return {
    status: manifest.status,
    failed: manifest.cells.filter((c) => c.status !== 'succeeded').map((c) => `${c.id}: ${c.error?.message ?? c.skipped_reason}`),
    rows(id) {
      const out = outputs[id];
      const table = out.kind === 'metrics' ? out.table : out;
      return table.rows.map((r: unknown[]) => Object.fromEntries(table.columns.map((c: { name: string; type: string }, i: number) => [c.name, /INT|DECIMAL/.test(c.type) && typeof r[i] === 'string' ? Number(r[i]) : r[i]])));
    },
    text(id) {
      return String(outputs[id].html).replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    },
  };
}

async function green(name: string, params: Record<string, unknown> = {}): Promise<Ran> {
  const r = await run(name, params);
  expect(r.failed, `${name} ${JSON.stringify(params)}`).toEqual([]);
  expect(r.status).toBe('succeeded');
  return r;
}

const near = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('the templates', () => {
  it('are at least seven, each a notebook with a README, params with defaults, metric cells, charts and text', () => {
    const all = listTemplates();
    expect(all.length).toBeGreaterThanOrEqual(7);
    for (const name of ['monthly-business-review', 'kpi-scorecard', 'sales-analysis', 'cohort-retention', 'saas-metrics', 'data-quality-report', 'ab-experiment-readout']) {
      expect(all.map((t) => t.name)).toContain(name);
    }
    for (const t of all) {
      expect(t.notebookText.startsWith('# yaml-language-server: $schema=../../schema/notebook.schema.json\n'), t.name).toBe(true);
      expect(t.readme, t.name).toMatch(/^# \S/);
      expect(t.description.length, t.name).toBeGreaterThan(20);
      expect(t.params.length, t.name).toBeGreaterThan(0);
      for (const p of t.params) expect(p.default, `${t.name}.${p.name}`).not.toBeUndefined();
      const types = new Set(t.cells.map((c) => c.type));
      for (const type of ['metric', 'visualization', 'text', 'query']) expect(types.has(type), `${t.name} has a ${type} cell`).toBe(true);
    }
  });

  it('are used into a project next to the demo metrics without a clash, and validate there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-templates-demo-'));
    try {
      stageProject(dir, process.env.QUIRE_TEST_DB!);
      for (const f of ['revenue', 'customers', 'product', 'subscriptions', 'support', 'segments', 'slices']) {
        writeFileSync(join(dir, 'metrics', `${f}.yaml`), readFileSync(join(import.meta.dirname, '..', 'metrics', `${f}.yaml`)));
      }
      for (const t of listTemplates()) {
        const r = await useTemplate({ name: t.name, cwd: dir });
        expect(r.notebook).toBe(join(dir, 'notebooks', `${t.name}.yaml`));
        expect(readFileSync(r.notebook, 'utf8').split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+notebook\.schema\.json$/);
        await validateNotebook(r.notebook);
      }
      // the demo project already defines total_revenue & co. the same way: only what is new is written
      expect(readFileSync(join(dir, 'metrics', 'monthly-business-review.yaml'), 'utf8')).not.toMatch(/name: total_revenue/);
      expect(existsSync(join(dir, 'metrics', 'kpi-scorecard.yaml'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the templates, on periods without data', () => {
  it('run green and say so in words, with no empty numbers', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['monthly-business-review', { month: '2023-01' }, /Revenue has nothing to compare with: there is none for December or for January 2022/],
      ['kpi-scorecard', { month: '2023-01' }, /0 of 8 KPIs met their target in 2023-01\. 8 had no data to score\./],
      ['sales-analysis', { quarter: '2023-Q1' }, /There is no quarter before with sales to compare with/],
      ['cohort-retention', { end_month: '2023-06' }, /No customers signed up in the 12 months to 2023-06/],
      ['saas-metrics', { month: '2023-06' }, /No subscriptions were running in June 2023/],
      ['funnel-analysis', { quarter: '2023-Q4' }, /No home page views in 2023-Q4/],
      ['anomaly-report', { from: '2027-01-01', to: '2027-01-31' }, /No anomalies/],
      ['ab-experiment-readout', { as_of: '2025-09-30' }, /No customers had been assigned to both variants of checkout_button by 2025-09-30/],
      ['data-quality-report', { as_of: '2023-01-01' }, /orders has no rows up to 2023-01-01/],
    ];
    for (const [name, params, says] of cases) {
      const text = (await green(name, params)).text('summary');
      expect(text, name).toMatch(says);
      expect(text, name).not.toMatch(/NaN|undefined|null|\$ |\(\s*\)|: ,/);
    }
  });
});

describe('monthly business review', () => {
  const handMonth = async (start: string, end: string, region: string) => {
    const [o] = await sql(`SELECT sum(amount) AS revenue, count(*) AS orders, count(DISTINCT customer_id) AS active
      FROM orders WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($e AS DATE) AND ($r = 'all' OR upper(region) = $r)`, { s: start, e: end, r: region });
    const [c] = await sql(`SELECT count(*) AS n FROM customers WHERE signup_date >= CAST($s AS DATE) AND signup_date < CAST($e AS DATE) AND ($r = 'all' OR upper(region) = $r)`, { s: start, e: end, r: region });
    return { revenue: o.revenue ?? 0, orders: o.orders, active: o.active, new: c.n };
  };

  it('runs with its defaults (previous month, all regions) and matches SQL written by hand', async () => {
    const r = await green('monthly-business-review');
    const card = Object.fromEntries(r.rows('scorecard').map((x) => [x.name, x]));
    const cur = await handMonth('2026-10-01', '2026-11-01', 'all');
    const prev = await handMonth('2026-09-01', '2026-10-01', 'all');
    const ly = await handMonth('2025-10-01', '2025-11-01', 'all');
    near(card.total_revenue.this_month, cur.revenue, 1e-8);
    expect(card.order_count.this_month).toBe(cur.orders);
    near(card.avg_order_value.this_month, Math.round((cur.revenue / cur.orders) * 100) / 100, 1e-8);
    expect(card.active_customers.this_month).toBe(cur.active);
    expect(card.new_customers.this_month).toBe(cur.new);
    near(card.total_revenue.previous_month, prev.revenue, 1e-8);
    near(card.total_revenue.a_year_earlier, ly.revenue, 1e-8);
    near(card.total_revenue.mom_pct, Math.round(((cur.revenue - prev.revenue) / prev.revenue) * 1000) / 10, 1e-9);
    near(card.total_revenue.yoy_pct, Math.round(((cur.revenue - ly.revenue) / ly.revenue) * 1000) / 10, 1e-9);
    const text = r.text('summary');
    expect(text).toContain('In October 2026 we took');
    const mom = card.total_revenue.mom_pct;
    expect(text).toContain(mom > 0 ? `Revenue is up ${mom.toFixed(1)}% on September` : `Revenue is down ${Math.abs(mom).toFixed(1)}% on September`);
    expect(text).not.toMatch(/up -|down -|-\d+(\.\d)?% growth/);
  });

  it('focuses on one region and phrases a fall as a fall', async () => {
    const r = await green('monthly-business-review', { month: '2025-03', region: 'EU' });
    const card = Object.fromEntries(r.rows('scorecard').map((x) => [x.name, x]));
    const cur = await handMonth('2025-03-01', '2025-04-01', 'EU');
    const ly = await handMonth('2024-03-01', '2024-04-01', 'EU');
    near(card.total_revenue.this_month, cur.revenue, 1e-8);
    expect(card.new_customers.this_month).toBe(cur.new); // counts the stray lower-case 'eu' customers too
    const yoy = Math.round(((cur.revenue - ly.revenue) / ly.revenue) * 1000) / 10;
    expect(yoy).toBeLessThan(0); // EU revenue fell on March 2024 in the test data
    const text = r.text('summary');
    expect(text).toContain(`down ${Math.abs(yoy).toFixed(1)}% on March 2024`);
    expect(text).toMatch(/EU brought in [\d.]+% of the company's revenue/);
    expect(r.rows('trend_view')).toHaveLength(13);
  });
});

describe('KPI scorecard', () => {
  it('scores each KPI against its target with the right light', async () => {
    for (const [params, month] of [[{}, '2026-10'], [{ month: '2025-12', tolerance: 0.1, max_discount_rate: 0.06 }, '2025-12']] as const) {
      const r = await green('kpi-scorecard', params);
      const rows = r.rows('scorecard');
      expect(rows.map((x) => x.kpi)).toHaveLength(8);
      const by = Object.fromEntries(rows.map((x) => [x.kpi, x]));
      const s = `${month}-01`;
      const [h] = await sql(`SELECT
          sum(amount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS revenue,
          sum(amount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) - INTERVAL 12 MONTH AND order_date < CAST($s AS DATE) - INTERVAL 11 MONTH) AS revenue_ly,
          count(*) FILTER (WHERE status = 'refunded' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH)
            / count(*) FILTER (WHERE order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS refund_rate,
          sum(discount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH)
            / sum(amount + discount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS discount_rate
        FROM orders`, { s });
      const tolerance = 'tolerance' in params ? params.tolerance : 0.05;
      const light = (attainment: number) => (attainment >= 1 ? 'green' : attainment >= 1 - tolerance ? 'amber' : 'red');
      const revTarget = h.revenue_ly * 1.35;
      expect(by.Revenue.status).toBe(light(h.revenue / revTarget));
      near(by.Revenue.attainment, Math.round((h.revenue / revTarget) * 10000) / 10000, 1e-9);
      expect(by['Refund rate'].status).toBe(light(0.07 / h.refund_rate));
      const maxDiscount = 'max_discount_rate' in params ? params.max_discount_rate : 0.04;
      expect(by['Discount rate'].status).toBe(light(maxDiscount / h.discount_rate));
      const text = r.text('summary');
      const greens = rows.filter((x) => x.status === 'green').length;
      expect(text).toContain(`${greens} of 8 KPIs met their target in ${month}`);
      for (const red of rows.filter((x) => x.status === 'red')) expect(text).toContain(`${red.kpi} came in at ${red.actual_text} against a target of ${red.target_text}`);
    }
  });
});

describe('sales analysis', () => {
  it('breaks a quarter down and lists the top customers as SQL does', async () => {
    for (const [params, start, end, top] of [[{}, '2026-07-01', '2026-10-01', 10], [{ quarter: '2025-Q4', top_n: 5 }, '2025-10-01', '2026-01-01', 5]] as const) {
      const r = await green('sales-analysis', params);
      const expected = await sql(`SELECT c.name, round(sum(o.amount), 2) AS revenue FROM orders o JOIN customers c USING (customer_id)
        WHERE o.status = 'completed' AND o.order_date >= CAST($s AS DATE) AND o.order_date < CAST($e AS DATE)
        GROUP BY c.customer_id, c.name ORDER BY revenue DESC, c.customer_id LIMIT ${top}`, { s: start, e: end });
      expect(r.rows('top_customers').map((x) => [x.name, x.revenue])).toEqual(expected.map((x) => [x.name, x.revenue]));
      const [tot] = await sql(`SELECT sum(amount) AS revenue, count(*) AS orders FROM orders WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($e AS DATE)`, { s: start, e: end });
      const overview = r.rows('overview');
      near(overview.find((x) => x.metric_name === 'total_revenue').metric_value, tot.revenue, 1e-9);
      expect(r.rows('channel_mix').reduce((s, x) => s + x.revenue, 0)).toBeCloseTo(tot.revenue, 1);
      expect(r.rows('discount_bands').reduce((s, x) => s + x.orders, 0)).toBe(tot.orders);
      expect(r.text('summary')).toMatch(/In 20\d\d-Q\d we sold \$[\d,.]+ over [\d,]+ completed orders/);
    }
  });
});

describe('cohort retention', () => {
  it('builds the cohort table as SQL does, leaving future months empty', async () => {
    const r = await green('cohort-retention');
    const matrix = r.rows('matrix');
    expect(matrix).toHaveLength(12);
    expect(matrix[0].cohort).toBe('2025-11');
    expect(matrix[11].m01 ?? null).toBeNull(); // the newest cohort has no month 1 yet
    const [h] = await sql(`WITH c AS (SELECT customer_id FROM customers WHERE signup_date >= DATE '2025-11-01' AND signup_date < DATE '2025-12-01')
      SELECT count(*) AS size,
        round(100 * count(*) FILTER (WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'completed' AND order_date >= DATE '2025-12-01' AND order_date < DATE '2026-01-01')) / count(*), 1) AS m01,
        round(100 * count(*) FILTER (WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'completed' AND order_date >= DATE '2026-03-01' AND order_date < DATE '2026-04-01')) / count(*), 1) AS m04
      FROM c`);
    expect(matrix[0].customers).toBe(h.size);
    expect(matrix[0].m01).toBe(h.m01);
    expect(matrix[0].m04).toBe(h.m04);
    expect(r.text('summary')).toContain(`signed up in the 12 months from 2025-11 to 2026-10`);
  });

  it('takes other cohort counts, activities and segments', async () => {
    const r = await green('cohort-retention', { end_month: '2025-06', cohorts: 4, activity: 'visit', segment: 'smb' });
    const matrix = r.rows('matrix');
    expect(matrix.map((x) => x.cohort)).toEqual(['2025-03', '2025-04', '2025-05', '2025-06']);
    const [h] = await sql(`SELECT count(*) AS n FROM customers WHERE segment = 'smb' AND signup_date >= DATE '2025-03-01' AND signup_date < DATE '2025-04-01'`);
    expect(matrix[0].customers).toBe(h.n);
  });
});

describe('SaaS metrics', () => {
  it('bridges MRR month to month and matches SQL at each month end', async () => {
    for (const [params, plan] of [[{}, 'all'], [{ month: '2025-06', plan: 'premium', months: 6 }, 'premium']] as const) {
      const r = await green('saas-metrics', params);
      const months = r.rows('movements');
      expect(months).toHaveLength('months' in params ? params.months : 12);
      for (const m of months) {
        near(m.start_mrr + m.added + m.expansion - m.contraction - m.churn, m.end_mrr, 1e-9);
        const [h] = await sql(`SELECT coalesce(sum(mrr), 0) AS mrr FROM subscriptions
          WHERE ($p = 'all' OR plan = $p) AND started_on < CAST($m AS DATE) + INTERVAL 1 MONTH AND (ended_on IS NULL OR ended_on >= CAST($m AS DATE) + INTERVAL 1 MONTH)`, { p: plan, m: m.month });
        near(m.end_mrr, h.mrr, 1e-9);
      }
      const last = months[months.length - 1];
      expect(r.text('summary')).toContain(`MRR was $${Math.round(last.end_mrr).toLocaleString('en-US')}`);
    }
  });
});

describe('funnel analysis', () => {
  it('counts each step as SQL does', async () => {
    for (const [params, start, end, device] of [[{}, '2026-07-01', '2026-10-01', 'all'], [{ quarter: '2025-Q4', device: 'mobile' }, '2025-10-01', '2026-01-01', 'mobile']] as const) {
      const r = await green('funnel-analysis', params);
      const [h] = await sql(`SELECT count(*) FILTER (WHERE page = 'home_page' AND event_type <> 'purchase') AS home, count(*) FILTER (WHERE event_type = 'purchase') AS purchases
        FROM events WHERE event_time >= CAST($s AS DATE) AND event_time < CAST($e AS DATE) AND ($d = 'all' OR device = $d)`, { s: start, e: end, d: device });
      const steps = r.rows('funnel');
      expect(steps.map((x) => x.step)).toEqual(['Home page', 'Pricing page', 'Checkout', 'Purchase']);
      expect(steps[0].events).toBe(h.home);
      expect(steps[3].events).toBe(h.purchases);
    }
  });
});

describe('anomaly report', () => {
  it('runs with its defaults and finds the planted spike and dip', async () => {
    await green('anomaly-report');
    const q1 = await green('anomaly-report', { from: '2026-01-01', to: '2026-03-31' });
    const flagged = q1.rows('anomalies').filter((x) => x.z !== null && Math.abs(x.z) > 3);
    expect(flagged.map((x) => x.day)).toEqual(['2026-03-15']); // the checkout outage
    const [h] = await sql(`SELECT count(*) AS n FROM orders WHERE status = 'completed' AND order_date = DATE '2026-03-15'`);
    expect(flagged[0].value).toBe(h.n);
    expect(q1.text('summary')).toMatch(/2026-03-15 \(Sunday\): \d+ orders against about \d+ expected — a drop of \d+%/);
    const q4 = await green('anomaly-report', { from: '2025-10-01', to: '2025-12-31', measure: 'revenue', sigma: 4 });
    expect(q4.rows('anomalies').filter((x) => x.z > 4).map((x) => x.day)).toContain('2025-11-28'); // Black Friday
  });
});

/** Planted dirty rows: `id % m = r` for ids 1..count gives floor((count - r) / m) + 1 rows (engine/demo/demo-data.ts). */
const planted = (count: number, m: number, r: number) => (count < r ? 0 : Math.floor((count - r) / m) + 1);

describe('data quality report', () => {
  it('finds exactly the dirty values planted in the demo data', async () => {
    const customers = TEST_DB_ORDERS / 8;
    const events = TEST_DB_ORDERS / 2;
    for (const params of [{}, { as_of: '2026-12-31', sample_rows: 2 }]) {
      const r = await green('data-quality-report', params);
      const checks = r.rows('checks');
      const count = (field: string, check: string) => checks.find((c) => `${c.table_name}.${c.column_name}` === field && c.check_name === check)!.failing_rows;
      expect(count('customers.email', 'missing')).toBe(planted(customers, 1009, 17));
      expect(count('customers.email', 'duplicate')).toBe(planted(customers, 1009, 500));
      expect(count('customers.region', 'invalid value')).toBe(planted(customers, 1019, 3));
      expect(count('orders.amount', 'out of range')).toBe(planted(TEST_DB_ORDERS, 10007, 4999));
      expect(count('orders.country_code', 'missing')).toBe(planted(TEST_DB_ORDERS, 2003, 101));
      expect(count('events.device', 'missing')).toBe(planted(events, 5003, 77));
      const asOf = 'as_of' in params ? params.as_of : '2026-11-21';
      const [future] = await sql(`SELECT count(*) AS n FROM orders WHERE order_date > CAST($d AS DATE)`, { d: asOf });
      expect(count('orders.order_date', 'future-dated')).toBe(future.n);
      // nothing else is wrong with the demo data
      const failing = checks.filter((c) => c.failing_rows > 0).map((c) => `${c.table_name}.${c.column_name} ${c.check_name}`).sort();
      const plantedChecks = ['customers.email duplicate', 'customers.email missing', 'customers.region invalid value', 'events.device missing', 'orders.amount out of range', 'orders.country_code missing'];
      expect(failing.filter((f) => !f.endsWith('future-dated'))).toEqual(plantedChecks);
      if (asOf === '2026-12-31') expect(failing).toEqual(plantedChecks);
      const text = r.text('summary');
      expect(text).toContain(`customers.region — ${planted(customers, 1019, 3)} of ${customers.toLocaleString('en-US')} rows have a region code that is not NA, EU, APAC or LATAM`);
      const samples = r.rows('samples');
      expect(samples.filter((s) => s.field === 'customers.region').map((s) => s.row_key)).toEqual(['customer 3', 'customer 1022', 'customer 2041'].slice(0, 'sample_rows' in params ? params.sample_rows : 5));
      const nulls = r.rows('null_profile');
      expect(nulls.find((n) => n.table_name === 'subscriptions' && n.column_name === 'ended_on')?.expected).toBe(true);
      expect(nulls.filter((n) => !n.expected).map((n) => `${n.table_name}.${n.column_name}`).sort()).toEqual(['customers.email', 'events.device', 'orders.country_code']);
    }
  });
});

// ---- statistics: an independent reference ------------------------------------------------------

/** ln Γ(x), Lanczos (g = 7, n = 9) — not the coefficients the template uses. */
function lnGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ∫ f over [a, b] by composite Simpson with n (even) steps. */
function simpson(f: (x: number) => number, a: number, b: number, n = 200_000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}

/** Two-sided normal tail P(|Z| > z), integrating the density (substituting x = z / u, u in (0, 1]). */
function normalTwoSided(z: number): number {
  const a = Math.abs(z);
  if (a === 0) return 1;
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return 2 * simpson((u) => (u === 0 ? 0 : (phi(a / u) * a) / (u * u)), 0, 1);
}

/** Two-sided Student-t tail P(|T| > t) with df degrees of freedom, the same way. */
function studentTwoSided(t: number, df: number): number {
  const a = Math.abs(t);
  const k = Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const f = (x: number) => k * Math.pow(1 + (x * x) / df, -(df + 1) / 2);
  return 2 * simpson((u) => (u === 0 ? 0 : (f(a / u) * a) / (u * u)), 0, 1);
}

describe('A/B experiment readout', () => {
  it('the reference distributions give known values', () => {
    // values from scipy 1.17: 2 * norm.sf(z), 2 * t.sf(t, df)
    near(normalTwoSided(1.959963984540054), 0.05, 1e-9);
    near(normalTwoSided(5) / 5.733031437583866e-7, 1, 1e-7);
    near(studentTwoSided(2, 10), 0.07338803477074037, 1e-9);
    near(studentTwoSided(1.5, 3.7), 0.2135981692020135, 1e-9);
    near(studentTwoSided(2.228138851986274, 10), 0.05, 1e-9);
  });

  it('shows the real effect of checkout_button and p-values that are right', async () => {
    const r = await green('ab-experiment-readout', { experiment: 'checkout_button', as_of: '2026-12-31' });
    const tests = Object.fromEntries(r.rows('tests').map((x) => [x.metric, x]));
    const out = Object.fromEntries(r.rows('readout').map((x) => [x.metric, x]));
    // per-customer data written by hand (not the template's cohort sums)
    const per = await sql(`WITH a AS (SELECT * FROM experiment_assignments WHERE experiment = 'checkout_button' AND assigned_at < DATE '2027-01-01')
      SELECT a.variant,
        (SELECT count(*) FROM events e WHERE e.customer_id = a.customer_id AND e.event_time >= a.assigned_at AND e.event_time < DATE '2027-01-01') AS visits,
        (SELECT count(*) FROM events e WHERE e.customer_id = a.customer_id AND e.event_time >= a.assigned_at AND e.event_time < DATE '2027-01-01' AND e.event_type = 'purchase') AS purchases,
        (SELECT coalesce(sum(amount), 0) FROM orders o WHERE o.customer_id = a.customer_id AND o.ordered_at >= a.assigned_at AND o.ordered_at < DATE '2027-01-01' AND o.status = 'completed') AS revenue
      FROM a`);
    const arm = (v: string) => per.filter((x) => x.variant === v);
    const sum = (xs: Obj[], k: string) => xs.reduce((s, x) => s + Number(x[k]), 0);
    const [c, t] = [arm('control'), arm('treatment')];
    const pc = sum(c, 'purchases') / sum(c, 'visits');
    const pt = sum(t, 'purchases') / sum(t, 'visits');
    const pool = (sum(c, 'purchases') + sum(t, 'purchases')) / (sum(c, 'visits') + sum(t, 'visits'));
    const z = (pt - pc) / Math.sqrt(pool * (1 - pool) * (1 / sum(c, 'visits') + 1 / sum(t, 'visits')));
    near(tests.Conversion.control, pc, 1e-12);
    near(tests.Conversion.treatment, pt, 1e-12);
    near(tests.Conversion.statistic, z, 1e-9);
    // the SQL p-value (erfcc, fractional error < 1.2e-7) against the reference and the known value
    near(tests.Conversion.p_value / normalTwoSided(z), 1, 2e-7);
    near(out.Conversion.p_value, 0.030147680493699328, 1e-6); // scipy: 2 * norm.sf(z)
    const seConv = Math.sqrt((pc * (1 - pc)) / sum(c, 'visits') + (pt * (1 - pt)) / sum(t, 'visits'));
    near(out.Conversion.ci_low, pt - pc - 1.959963984540054 * seConv, 1e-9);
    near(out.Conversion.ci_high, pt - pc + 1.959963984540054 * seConv, 1e-9);
    expect(out.Conversion.significant).toBe(true);

    const stats = (xs: Obj[]) => {
      const n = xs.length;
      const m = sum(xs, 'revenue') / n;
      const v = xs.reduce((s, x) => s + (x.revenue - m) ** 2, 0) / (n - 1);
      return { n, m, v };
    };
    const [sc, st] = [stats(c), stats(t)];
    const se = Math.sqrt(sc.v / sc.n + st.v / st.n);
    const tt = (st.m - sc.m) / se;
    const df = se ** 4 / ((sc.v / sc.n) ** 2 / (sc.n - 1) + (st.v / st.n) ** 2 / (st.n - 1));
    const rev = tests['Revenue per customer'];
    near(rev.statistic, tt, 1e-8);
    near(rev.df, df, 1e-8);
    near(out['Revenue per customer'].p_value, studentTwoSided(tt, df), 1e-8);
    near(out['Revenue per customer'].p_value, 0.05466589639915926, 1e-6); // scipy: ttest_ind(equal_var=False)
    expect(out['Revenue per customer'].significant).toBe(false);

    const srm = r.rows('srm')[0];
    expect([srm.control, srm.treatment]).toEqual([c.length, t.length]);
    near(srm.p_value, 0.8964169676673134, 1e-6); // scipy: chisquare([control, treatment])
    expect(srm.mismatch).toBe(false);
    const text = r.text('summary');
    expect(text).toContain('The difference is statistically significant at the 95% level.');
    expect(text).toContain('p = 0.030');
    expect(text).toContain('No sample-ratio mismatch.');
  });

  it('finds no effect in pricing_page_copy, at any confidence level', async () => {
    for (const confidence of ['95', '99']) {
      const r = await green('ab-experiment-readout', { experiment: 'pricing_page_copy', as_of: '2026-12-31', confidence });
      const out = r.rows('readout');
      expect(out.every((x) => x.significant === false)).toBe(true);
      expect(r.text('summary')).toContain(`not statistically significant at the ${confidence}% level`);
      expect(r.text('summary')).toContain('Verdict: no detectable effect yet.');
    }
  });

  it('runs with its defaults (as of today)', async () => {
    const r = await green('ab-experiment-readout');
    expect(r.text('summary')).toContain('Experiment checkout_button, data up to 2026-11-21');
  });
});

describe('quire templates (CLI)', () => {
  it('lists and shows the templates', () => {
    const list = quire(['templates', 'list', '--json'], project);
    expect(list.code).toBe(0);
    const all = JSON.parse(list.stdout);
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(all.find((t: Obj) => t.name === 'kpi-scorecard')).toMatchObject({ title: 'KPI scorecard', tags: expect.arrayContaining(['kpi']) });
    const text = quire(['templates', 'list'], project).stdout;
    expect(text).toContain('monthly-business-review');
    expect(text).toContain('params: month=previous_month region=all');
    const show = quire(['templates', 'show', 'saas-metrics'], project);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('plan             select · one of all, basic, premium, enterprise · default all');
    expect(show.stdout).toMatch(/movements\s+query\s+Monthly MRR bridge/);
    expect(show.stdout).toContain('churned_mrr (metrics/subscriptions.yaml)');
  });

  it('uses a template: the notebook and its specs, then the command to run it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      writeFileSync(join(dir, 'quire.yaml'), 'database: ${QUIRE_TEST_DB}\n');
      const r = quire(['templates', 'use', 'data-quality-report'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('created notebooks/data-quality-report.yaml');
      expect(r.stdout).toContain('wrote metrics/data-quality-report.yaml: metric dq_missing_emails');
      expect(r.stdout).toContain('quire run notebooks/data-quality-report.yaml');
      expect(readFileSync(join(dir, 'notebooks', 'data-quality-report.yaml'), 'utf8').split('\n')[0]).toMatch(/\$schema=.*schema\/notebook\.schema\.json$/);
      const run = quire(['run', 'notebooks/data-quality-report.yaml', '-p', 'as_of=2026-12-31', '--export', 'html'], dir);
      expect(run.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown template with a suggestion', () => {
    const r = quire(['templates', 'use', 'sales-analisys'], project);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown template 'sales-analisys' — did you mean 'sales-analysis'?");
    expect(quire(['templates', 'show', 'kpi-scorcard'], project).stderr).toContain("did you mean 'kpi-scorecard'?");
  });

  it('never overwrites a notebook or a spec file without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      stageProject(dir, process.env.QUIRE_TEST_DB!);
      writeFileSync(join(dir, 'notebooks', 'review.yaml'), 'title: mine\n');
      const r = quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('notebooks/review.yaml already exists; not overwriting it');
      expect(r.stderr).toContain('--force');
      expect(readFileSync(join(dir, 'notebooks', 'review.yaml'), 'utf8')).toBe('title: mine\n');
      expect(existsSync(join(dir, 'metrics', 'saas-metrics.yaml'))).toBe(false);
      // the spec file is not overwritten either
      writeFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), '# mine\n');
      const again = quire(['templates', 'use', 'saas-metrics', 'notebooks/other.yaml'], dir);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('metrics/saas-metrics.yaml already exists');
      expect(existsSync(join(dir, 'notebooks', 'other.yaml'))).toBe(false);
      const forced = quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml', '--force'], dir);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain('replaced notebooks/review.yaml');
      expect(readFileSync(join(dir, 'notebooks', 'review.yaml'), 'utf8')).toContain('SaaS metrics');
      expect(readFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), 'utf8')).toContain('name: churned_mrr');
      // a second forced use finds its own specs and writes them again rather than losing them
      expect(quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml', '--force'], dir).code).toBe(0);
      expect(readFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), 'utf8')).toContain('name: churned_mrr');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses when the project defines a metric of the same name differently, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      stageProject(dir, process.env.QUIRE_TEST_DB!);
      mkdirSync(join(dir, 'metrics'), { recursive: true });
      writeFileSync(join(dir, 'metrics', 'money.yaml'), [
        'metric:', '  name: total_revenue', '  source: orders', '  time_column: order_date', '  aggregation: sum', '  numerator: "SUM(amount + discount)"',
        '---', 'slice:', '  name: channel', '  column: channel',
      ].join('\n') + '\n');
      const r = quire(['templates', 'use', 'monthly-business-review', '--force'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("metric 'total_revenue' differs from metrics/money.yaml:2 (numerator, filters, unit)");
      expect(r.stderr).not.toContain("'channel'"); // same definition: no clash
      expect(existsSync(join(dir, 'notebooks', 'monthly-business-review.yaml'))).toBe(false);
      expect(existsSync(join(dir, 'metrics', 'monthly-business-review.yaml'))).toBe(false);
      // a name the template defines in its notebook clashes with any project spec of that name
      writeFileSync(join(dir, 'metrics', 'money.yaml'), 'metric:\n  name: ab_conversion\n  source: orders\n  aggregation: count\n  numerator: "COUNT(*)"\n');
      const ab = quire(['templates', 'use', 'ab-experiment-readout'], dir);
      expect(ab.code).toBe(1);
      expect(ab.stderr).toContain("metric 'ab_conversion' is defined in the template notebook's definitions and in metrics/money.yaml:2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quire templates gallery', () => {
  it('builds a self-contained page with a picture of each report\'s first page', () => {
    const out = mkdtempSync(join(tmpdir(), 'quire-gallery-'));
    try {
      const r = quire(['templates', 'gallery', '--out', out, '--database', process.env.QUIRE_TEST_DB!, '--only', 'kpi-scorecard,data-quality-report'], project);
      expect(r.stderr).not.toMatch(/failed/);
      expect(r.code).toBe(0);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(html.match(/<article class="card"/g)).toHaveLength(2);
      const pngs = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
      expect(pngs).toHaveLength(2);
      for (const png of pngs) {
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.readUInt32BE(16)).toBeGreaterThan(300); // width of the page picture
      }
      expect(html).toContain('quire templates use kpi-scorecard');
      expect(html).toContain('max_refund_rate=0.07');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing loaded from the network
      expect(html).not.toMatch(/<script/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
