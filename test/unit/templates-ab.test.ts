/** The A/B readout template: its statistics against an independent computation and known values. */
import { describe, expect, it } from 'vitest';
import { green, near, sql, useTemplatesProject, type Obj } from '../helpers/templates.js';

useTemplatesProject();

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
    expect(srm.split_as_planned).toBe(true);
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
