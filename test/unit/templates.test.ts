/**
 * The template gallery: every template is used into a fresh project, run on the 20,000-order
 * test warehouse with its defaults and with other params, and checked against SQL written by hand.
 * The A/B readout's statistics are in templates-ab.test.ts, the CLI in templates-cli.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNotebook } from '../../engine/index.js';
import { listTemplates, stageProject, useTemplate } from '../../engine/templates/index.js';
import { REPO, STARTER_METRICS, TEST_DB_ORDERS } from '../helpers/paths.js';
import { green, near, sql, useTemplatesProject } from '../helpers/templates.js';

useTemplatesProject();

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
      for (const f of STARTER_METRICS) {
        writeFileSync(join(dir, 'metrics', `${f}.yaml`), readFileSync(join(REPO, 'metrics', `${f}.yaml`)));
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
    const [o] = await sql(
      `SELECT sum(amount) AS revenue, count(*) AS orders, count(DISTINCT customer_id) AS active
      FROM orders WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($e AS DATE) AND ($r = 'all' OR upper(region) = $r)`,
      { s: start, e: end, r: region },
    );
    const [c] = await sql(`SELECT count(*) AS n FROM customers WHERE signup_date >= CAST($s AS DATE) AND signup_date < CAST($e AS DATE) AND ($r = 'all' OR upper(region) = $r)`, {
      s: start,
      e: end,
      r: region,
    });
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
    for (const [params, month] of [
      [{}, '2026-10'],
      [{ month: '2025-12', tolerance: 0.1, max_discount_rate: 0.06 }, '2025-12'],
    ] as const) {
      const r = await green('kpi-scorecard', params);
      const rows = r.rows('scorecard');
      expect(rows.map((x) => x.kpi)).toHaveLength(8);
      const by = Object.fromEntries(rows.map((x) => [x.kpi, x]));
      const s = `${month}-01`;
      const [h] = await sql(
        `SELECT
          sum(amount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS revenue,
          sum(amount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) - INTERVAL 12 MONTH AND order_date < CAST($s AS DATE) - INTERVAL 11 MONTH) AS revenue_ly,
          count(*) FILTER (WHERE status = 'refunded' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH)
            / count(*) FILTER (WHERE order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS refund_rate,
          sum(discount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH)
            / sum(amount + discount) FILTER (WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($s AS DATE) + INTERVAL 1 MONTH) AS discount_rate
        FROM orders`,
        { s },
      );
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
    for (const [params, start, end, top] of [
      [{}, '2026-07-01', '2026-10-01', 10],
      [{ quarter: '2025-Q4', top_n: 5 }, '2025-10-01', '2026-01-01', 5],
    ] as const) {
      const r = await green('sales-analysis', params);
      const expected = await sql(
        `SELECT c.name, round(sum(o.amount), 2) AS revenue FROM orders o JOIN customers c USING (customer_id)
        WHERE o.status = 'completed' AND o.order_date >= CAST($s AS DATE) AND o.order_date < CAST($e AS DATE)
        GROUP BY c.customer_id, c.name ORDER BY revenue DESC, c.customer_id LIMIT ${top}`,
        { s: start, e: end },
      );
      expect(r.rows('top_customers').map((x) => [x.name, x.revenue])).toEqual(expected.map((x) => [x.name, x.revenue]));
      const [tot] = await sql(`SELECT sum(amount) AS revenue, count(*) AS orders FROM orders WHERE status = 'completed' AND order_date >= CAST($s AS DATE) AND order_date < CAST($e AS DATE)`, {
        s: start,
        e: end,
      });
      const overview = r.rows('overview');
      near(overview.find((x) => x.metric_name === 'total_revenue')!.metric_value, tot.revenue, 1e-9);
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
    for (const [params, plan] of [
      [{}, 'all'],
      [{ month: '2025-06', plan: 'premium', months: 6 }, 'premium'],
    ] as const) {
      const r = await green('saas-metrics', params);
      const months = r.rows('movements');
      expect(months).toHaveLength('months' in params ? params.months : 12);
      for (const m of months) {
        near(m.start_mrr + m.added + m.expansion - m.contraction - m.churn, m.end_mrr, 1e-9);
        const [h] = await sql(
          `SELECT coalesce(sum(mrr), 0) AS mrr FROM subscriptions
          WHERE ($p = 'all' OR plan = $p) AND started_on < CAST($m AS DATE) + INTERVAL 1 MONTH AND (ended_on IS NULL OR ended_on >= CAST($m AS DATE) + INTERVAL 1 MONTH)`,
          { p: plan, m: m.month },
        );
        near(m.end_mrr, h.mrr, 1e-9);
      }
      const last = months[months.length - 1];
      expect(r.text('summary')).toContain(`MRR was $${Math.round(last.end_mrr).toLocaleString('en-US')}`);
    }
  });
});

describe('funnel analysis', () => {
  it('counts each step as SQL does', async () => {
    for (const [params, start, end, device] of [
      [{}, '2026-07-01', '2026-10-01', 'all'],
      [{ quarter: '2025-Q4', device: 'mobile' }, '2025-10-01', '2026-01-01', 'mobile'],
    ] as const) {
      const r = await green('funnel-analysis', params);
      const [h] = await sql(
        `SELECT count(*) FILTER (WHERE page = 'home_page' AND event_type = 'impression') AS home, count(*) FILTER (WHERE event_type = 'purchase') AS purchases
        FROM events WHERE event_time >= CAST($s AS DATE) AND event_time < CAST($e AS DATE) AND ($d = 'all' OR device = $d)`,
        { s: start, e: end, d: device },
      );
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
    expect(
      q4
        .rows('anomalies')
        .filter((x) => x.z > 4)
        .map((x) => x.day),
    ).toContain('2025-11-28'); // Black Friday
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
      const failing = checks
        .filter((c) => c.failing_rows > 0)
        .map((c) => `${c.table_name}.${c.column_name} ${c.check_name}`)
        .sort();
      const plantedChecks = [
        'customers.email duplicate',
        'customers.email missing',
        'customers.region invalid value',
        'events.device missing',
        'orders.amount out of range',
        'orders.country_code missing',
      ];
      expect(failing.filter((f) => !f.endsWith('future-dated'))).toEqual(plantedChecks);
      if (asOf === '2026-12-31') expect(failing).toEqual(plantedChecks);
      const text = r.text('summary');
      expect(text).toContain(`customers.region — ${planted(customers, 1019, 3)} of ${customers.toLocaleString('en-US')} rows have a region code that is not NA, EU, APAC or LATAM`);
      const samples = r.rows('samples');
      expect(samples.filter((s) => s.field === 'customers.region').map((s) => s.row_key)).toEqual(
        ['customer 3', 'customer 1022', 'customer 2041'].slice(0, 'sample_rows' in params ? params.sample_rows : 5),
      );
      const nulls = r.rows('null_profile');
      expect(nulls.find((n) => n.table_name === 'subscriptions' && n.column_name === 'ended_on')?.expected).toBe(true);
      expect(
        nulls
          .filter((n) => !n.expected)
          .map((n) => `${n.table_name}.${n.column_name}`)
          .sort(),
      ).toEqual(['customers.email', 'events.device', 'orders.country_code']);
    }
  });
});
