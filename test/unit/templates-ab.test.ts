/** The A/B readout template: its statistics against an independent computation and known values. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/paths.js';
import { green, near, sql, useTemplatesProject, type Obj } from '../helpers/templates.js';

useTemplatesProject();

// ---- the reference: test/fixtures/ab-clustered/reference.py (statsmodels, scipy) ----------------

const REF = join(FIXTURES, 'ab-clustered');
const AS_OF = '2026-12-31';
const reference = JSON.parse(readFileSync(join(REF, 'reference.json'), 'utf8'));

/** Every assigned customer's visits, purchases and revenue after assignment, written by hand (not the template's cohort sums). */
async function perCustomer(): Promise<Obj[]> {
  return sql(
    `WITH a AS (SELECT * FROM experiment_assignments WHERE assigned_at < CAST($end AS DATE))
    SELECT a.experiment, a.customer_id, a.variant,
      (SELECT count(*) FROM events e WHERE e.customer_id = a.customer_id AND e.event_time >= a.assigned_at AND e.event_time < CAST($end AS DATE)) AS visits,
      (SELECT count(*) FROM events e WHERE e.customer_id = a.customer_id AND e.event_time >= a.assigned_at AND e.event_time < CAST($end AS DATE) AND e.event_type = 'purchase') AS purchases,
      (SELECT coalesce(sum(amount), 0) FROM orders o WHERE o.customer_id = a.customer_id AND o.ordered_at >= a.assigned_at AND o.ordered_at < CAST($end AS DATE) AND o.status = 'completed') AS revenue
    FROM a ORDER BY a.experiment, a.customer_id`,
    { end: '2027-01-01' },
  );
}

// ---- statistics: an independent reference ------------------------------------------------------

/** ln Γ(x), Lanczos (g = 7, n = 9) — not the coefficients the template uses. */
function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
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
  const f = (x: number) => k * (1 + (x * x) / df) ** (-(df + 1) / 2);
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

  it('the reference script reads the test warehouse: its per-customer data equal SQL written by hand', async () => {
    const rows = await perCustomer();
    const csv = `experiment,customer_id,variant,visits,purchases,revenue\n${rows.map((r) => [r.experiment, r.customer_id, r.variant, r.visits, r.purchases, r.revenue].join(',')).join('\n')}\n`;
    if (process.env.UPDATE_REFERENCE) writeFileSync(join(REF, 'per-customer.csv'), csv);
    expect(csv, 'regenerate: UPDATE_REFERENCE=1 npx vitest run test/unit/templates-ab.test.ts, then /usr/bin/python3 test/fixtures/ab-clustered/reference.py').toBe(
      readFileSync(join(REF, 'per-customer.csv'), 'utf8'),
    );
    expect(rows.filter((r) => r.visits > 1).length).toBeGreaterThan(rows.length / 4); // customers with several visits: clustering matters
  });

  it('analyses per customer: conversion by the delta method (clustered by customer), revenue by Welch, against statsmodels and scipy', async () => {
    for (const experiment of ['checkout_button', 'pricing_page_copy'] as const) {
      const want = reference[experiment];
      for (const confidence of ['95', '99']) {
        const r = await green('ab-experiment-readout', { experiment, as_of: AS_OF, confidence });
        const tests = Object.fromEntries(r.rows('tests').map((x) => [x.metric, x]));
        const out = Object.fromEntries(r.rows('readout').map((x) => [x.metric, x]));
        const conv = tests.Conversion;
        for (const k of ['control', 'treatment', 'difference', 'std_error', 'statistic'] as const) near(conv[k], want.conversion[k], 1e-9); // closed forms
        near(conv.p_value / want.conversion.p_value, 1, 2e-7); // erfcc in SQL: fractional error < 1.2e-7
        near(out.Conversion.ci_low, want.conversion.ci[confidence][0], 1e-9);
        near(out.Conversion.ci_high, want.conversion.ci[confidence][1], 1e-9);
        expect(out.Conversion.significant).toBe(want.conversion.p_value < 1 - Number(confidence) / 100);
        const arms = Object.fromEntries(r.rows('variant_stats').map((x) => [x.variant, x]));
        const z = confidence === '95' ? 1.959963984540054 : 2.5758293035489004;
        near(arms.control.conversion_ci_high, want.conversion.control + z * want.conversion.control_se, 1e-9);
        near(arms.treatment.conversion_ci_low, want.conversion.treatment - z * want.conversion.treatment_se, 1e-9);

        const rev = tests['Revenue per customer'];
        for (const k of ['control', 'treatment', 'difference', 'std_error', 'statistic', 'df'] as const) near(rev[k], want.revenue[k], 1e-9);
        near(out['Revenue per customer'].p_value, want.revenue.p_value, 1e-9); // the code cell's Student t
        const srm = r.rows('srm')[0];
        expect([srm.control, srm.treatment]).toEqual([want.customers.control, want.customers.treatment]);
        near(srm.p_value / want.srm_p_value, 1, 2e-7);
      }
    }
  });

  it('says what the clustered figures say for checkout_button', async () => {
    const want = reference.checkout_button;
    const r = await green('ab-experiment-readout', { experiment: 'checkout_button', as_of: AS_OF });
    const text = r.text('summary');
    const p = want.conversion.p_value;
    expect(text).toContain(p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
    expect(text).toContain(p < 0.05 ? 'The difference is statistically significant at the 95% level.' : 'That is not statistically significant at the 95% level');
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
