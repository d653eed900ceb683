/**
 * Templates follow their params everywhere (issue 14): the cohort metrics the segment and the
 * activity, the SaaS metric table the plan, the funnel's steps count page views and its
 * by-device table every event. Each runs on the test warehouse with a non-default param and is
 * checked against SQL written by hand.
 */
import { describe, expect, it } from 'vitest';
import { green, sql, useTemplatesProject, type Obj } from '../helpers/templates.js';

useTemplatesProject();

/** The overall row (no slice, no segment) of `metric` in a metric cell's rows. */
const overall = (rows: Obj[], metric: string) => rows.find((r) => r.metric_name === metric && r.slice_type === 'none' && r.segment_name === 'all')!;

describe('cohort retention', () => {
  it('counts sign-ups and active customers of the segment, by the activity chosen, as the cohort table does', async () => {
    const r = await green('cohort-retention', { end_month: '2025-06', cohorts: 4, activity: 'visit', segment: 'smb' });
    const hand = async (from: string, to: string) => {
      const [h] = await sql(
        `SELECT (SELECT count(*) FROM customers WHERE segment = 'smb' AND signup_date >= CAST($f AS DATE) AND signup_date < CAST($t AS DATE)) AS signups,
          (SELECT count(DISTINCT e.customer_id) FROM events e JOIN customers c USING (customer_id)
           WHERE c.segment = 'smb' AND e.event_time >= CAST($f AS DATE) AND e.event_time < CAST($t AS DATE)) AS active`,
        { f: from, t: to },
      );
      return h;
    };
    const now = await hand('2025-03-01', '2025-07-01');
    const before = await hand('2024-11-01', '2025-03-01');
    const growth = r.rows('cohort_growth');
    expect([overall(growth, 'cohort_signups').metric_value, overall(growth, 'cohort_signups').comparison_value]).toEqual([now.signups, before.signups]);
    expect([overall(growth, 'cohort_active_customers').metric_value, overall(growth, 'cohort_active_customers').comparison_value]).toEqual([now.active, before.active]);
    expect(r.rows('retention_summary')[0].customers).toBe(now.signups); // the text and the metric table agree
    expect(now.signups).toBeGreaterThan(0);
    // month 1 of the first cohort: visits, not orders
    const [m] = await sql(`WITH c AS (SELECT customer_id FROM customers WHERE segment = 'smb' AND signup_date >= DATE '2025-03-01' AND signup_date < DATE '2025-04-01')
      SELECT round(100 * count(*) FILTER (WHERE customer_id IN (SELECT customer_id FROM events WHERE event_time >= DATE '2025-04-01' AND event_time < DATE '2025-05-01')) / count(*), 1) AS m01 FROM c`);
    expect(r.rows('matrix')[0].m01).toBe(m.m01);
  });

  it('with its defaults, active customers are those with a completed order', async () => {
    const growth = (await green('cohort-retention')).rows('cohort_growth');
    const [h] = await sql(`SELECT count(DISTINCT customer_id) AS n FROM orders WHERE status = 'completed' AND order_date >= DATE '2025-11-01' AND order_date < DATE '2026-11-01'`);
    expect(overall(growth, 'cohort_active_customers').metric_value).toBe(h.n);
  });
});

describe('SaaS metrics', () => {
  it("the new and churned MRR table counts the chosen plan's subscriptions only", async () => {
    const flows = (await green('saas-metrics', { month: '2025-06', plan: 'premium' })).rows('flows');
    expect(new Set(flows.filter((f) => f.slice_type === 'plan').map((f) => f.slice_value))).toEqual(new Set(['premium']));
    const hand = async (col: string, from: string, to: string) =>
      (await sql(`SELECT coalesce(sum(mrr), 0) AS mrr, count(*) AS n FROM subscriptions WHERE plan = 'premium' AND ${col} >= CAST($f AS DATE) AND ${col} < CAST($t AS DATE)`, { f: from, t: to }))[0];
    for (const [metric, col, field] of [
      ['new_mrr', 'started_on', 'mrr'],
      ['new_subscriptions', 'started_on', 'n'],
      ['churned_mrr', 'ended_on', 'mrr'],
      ['churned_subscriptions', 'ended_on', 'n'],
    ] as const) {
      const row = overall(flows, metric);
      expect(row.metric_value, metric).toBeCloseTo((await hand(col, '2025-06-01', '2025-07-01'))[field], 6);
      expect(row.comparison_value, metric).toBeCloseTo((await hand(col, '2025-05-01', '2025-06-01'))[field], 6);
    }
    expect(overall(flows, 'new_subscriptions').metric_value).toBeGreaterThan(0);
  });
});

describe('funnel analysis', () => {
  const STEPS: Array<[string, string]> = [
    ['Home page', "page = 'home_page' AND event_type = 'impression'"],
    ['Pricing page', "page = 'pricing' AND event_type = 'impression'"],
    ['Checkout', "page = 'checkout' AND event_type = 'impression'"],
    ['Purchase', "event_type = 'purchase'"],
  ];

  it('counts page views at each step (not clicks, sign-ups or the purchases themselves), on the device chosen', async () => {
    const r = await green('funnel-analysis', { quarter: '2025-Q4', device: 'mobile' });
    const steps = r.rows('funnel');
    for (const [i, [step, where]] of STEPS.entries()) {
      const [h] = await sql(
        `SELECT count(*) AS events, count(DISTINCT customer_id) AS customers FROM events
        WHERE ${where} AND device = 'mobile' AND event_time >= DATE '2025-10-01' AND event_time < DATE '2026-01-01'`,
      );
      expect(steps[i].step).toBe(step);
      expect([steps[i].events, steps[i].customers], step).toEqual([h.events, h.customers]);
    }
    expect(r.rows('by_device').map((d) => d.device)).toEqual(['mobile']);
    // the product metrics follow the device too
    const metrics = r.rows('product_metrics');
    expect(new Set(metrics.filter((m) => m.slice_type === 'device').map((m) => m.slice_value))).toEqual(new Set(['mobile']));
    const [c] = await sql(`SELECT count(DISTINCT customer_id) FILTER (WHERE event_type = 'purchase') / count(DISTINCT customer_id) AS rate
      FROM events WHERE device = 'mobile' AND event_time >= DATE '2025-10-01' AND event_time < DATE '2026-01-01'`);
    expect(overall(metrics, 'conversion_rate').metric_value).toBeCloseTo(c.rate, 12);
  });

  it('the by-device table keeps the events without a device, so it adds up to the funnel', async () => {
    const r = await green('funnel-analysis', { quarter: '2025-Q4' });
    const byDevice = r.rows('by_device_steps');
    const [missing] = await sql(`SELECT count(*) AS n FROM events WHERE device IS NULL AND event_time >= DATE '2025-10-01' AND event_time < DATE '2026-01-01'`);
    expect(missing.n).toBeGreaterThan(0); // the test data has some in this quarter
    expect(byDevice.some((d) => d.device === '(no device)')).toBe(true);
    for (const f of r.rows('funnel')) {
      const sum = byDevice.filter((d) => d.step_no === f.step_no).reduce((s, d) => s + Number(d.events), 0);
      expect(sum, f.step).toBe(f.events);
    }
  });
});
