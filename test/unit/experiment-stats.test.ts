// engine/stats for experiments on their own, against test/fixtures/experiment-reference/expected.json
// (scipy/statsmodels). Corrections to 1e-9 relative; the sample size to 1e-6, because statsmodels'
// solve_power is itself an iterative root search (brentq), good to about that.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adjustPValues, srmPValue } from '../../engine/stats/experiment-corrections.js';
import { sampleSize, twoSampleZPower } from '../../engine/stats/experiment-sample-size.js';
import { probabilityToBeat, welch } from '../../engine/stats/experiment-tests.js';

const expected = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/experiment-reference/expected.json'), 'utf8'));
const near = (a: number | null, b: number, rel: number): void => {
  expect(Math.abs((a ?? Number.NaN) - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-300));
};

describe('experiment statistics vs statsmodels', () => {
  it('Holm and Benjamini–Hochberg equal multipletests, with ties, tiny and null p-values', () => {
    const { p, holm, bh } = expected.corrections_extra;
    for (const [i, x] of adjustPValues(p, 'holm').entries()) near(x, holm[i], 1e-9);
    for (const [i, x] of adjustPValues(p, 'bh').entries()) near(x, bh[i], 1e-9);
    expect(adjustPValues([null, 0.01, null, 0.04], 'holm')).toEqual([null, 0.02, null, 0.04]);
  });

  it('sample size equals NormalIndPower().solve_power on Cohen’s h (1e-6: the reference is iterative)', () => {
    for (const plan of expected.sample_size) {
      const got = sampleSize({ baseline: plan.baseline, mde: plan.mde, alpha: plan.alpha, power: plan.power, variants: plan.variants });
      near(got.effectSize, plan.effect_size, 1e-12);
      near(got.exact, plan.n, 1e-6);
      expect(got.perVariant).toBe(Math.ceil(plan.n));
      expect(got.total).toBe(Math.ceil(plan.n) * plan.variants);
      near(twoSampleZPower(got.effectSize, got.exact, got.alphaPerComparison), plan.power, 1e-9);
    }
  });

  it('sample ratio: chi-square of counts against the split', () => {
    const counts = Object.values(expected.units) as number[];
    near(srmPValue(counts), expected.srm_p_value, 1e-9);
    near(srmPValue(counts, expected.srm_weighted.weights), expected.srm_weighted.p_value, 1e-9);
  });

  it('probability to beat control: the exact sum is symmetric, and the normal approximation takes over for huge counts', () => {
    const a = { n: 1000, successes: 100 };
    const b = { n: 1000, successes: 120 };
    near(probabilityToBeat(a, b) + probabilityToBeat(b, a), 1, 1e-12);
    expect(probabilityToBeat(a, a)).toBeCloseTo(0.5, 12);
    // 3M successes: beyond the exact sum's limit; the approximation is the posteriors' normal one
    const big = probabilityToBeat({ n: 30_000_000, successes: 3_000_000 }, { n: 30_000_000, successes: 3_003_000 });
    expect(big).toBeGreaterThan(0.9);
    expect(big).toBeLessThan(1);
  });

  it('Welch on two identical groups has diff 0, p 1 and a symmetric interval', () => {
    const m = { n: 50, mean: 3, variance: 4 };
    const r = welch(m, m, 0.05);
    expect(r.diff).toBe(0);
    expect(r.pValue).toBeCloseTo(1, 12);
    expect(r.df).toBeCloseTo(98, 9);
    expect(r.ciLow).toBeCloseTo(-r.ciHigh, 12);
  });
});
