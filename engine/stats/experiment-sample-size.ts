// Planning a conversion test: units per variant to detect an absolute lift `mde` over a baseline
// rate with a two-sided two-proportion z-test, as statsmodels `NormalIndPower().solve_power` on
// Cohen's h (`proportion_effectsize`): both tails of the power function, solved by bisection.
import { normalCdf, normalQuantile } from './distributions.js';

export interface SampleSizeInput {
  /** Control conversion rate, in (0, 1). */
  baseline: number;
  /** Smallest absolute lift worth detecting (0.02: 10% → 12%). */
  mde: number;
  alpha?: number;
  power?: number;
  /** Arms including control (default 2); more split alpha over their comparisons with control (Bonferroni). */
  variants?: number;
}

export interface SampleSize {
  baseline: number;
  target: number;
  mde: number;
  alpha: number;
  /** The alpha each comparison with control is tested at. */
  alphaPerComparison: number;
  power: number;
  variants: number;
  /** Cohen's h of baseline → target. */
  effectSize: number;
  /** Units per variant before rounding up. */
  exact: number;
  perVariant: number;
  total: number;
}

/** Cohen's h: 2·asin(√p1) − 2·asin(√p2). */
export function proportionEffectSize(p1: number, p2: number): number {
  return 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2));
}

/** Power of a two-sided z-test of effect size h with n units in each of two equal arms. */
export function twoSampleZPower(h: number, n: number, alpha: number): number {
  const crit = normalQuantile(1 - alpha / 2);
  const shift = Math.abs(h) * Math.sqrt(n / 2);
  return normalCdf(shift - crit) + normalCdf(-shift - crit);
}

export function sampleSize(input: SampleSizeInput): SampleSize {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const variants = input.variants ?? 2;
  const target = input.baseline + input.mde;
  const alphaPerComparison = alpha / (variants - 1);
  const h = proportionEffectSize(target, input.baseline);
  // Power rises with n: bracket the root from the one-tail closed form, then halve.
  let hi = 2 * ((normalQuantile(1 - alphaPerComparison / 2) + normalQuantile(power)) / h) ** 2;
  let lo = hi / 2;
  while (twoSampleZPower(h, hi, alphaPerComparison) < power) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (twoSampleZPower(h, mid, alphaPerComparison) < power) lo = mid;
    else hi = mid;
  }
  const exact = (lo + hi) / 2;
  const perVariant = Math.ceil(exact);
  return { baseline: input.baseline, target, mde: input.mde, alpha, alphaPerComparison, power, variants, effectSize: h, exact, perVariant, total: perVariant * variants };
}
