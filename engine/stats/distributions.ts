// Distribution functions for the experiment statistics, on @stdlib's special functions. Tail
// probabilities come from the regularized incomplete beta/gamma functions and erfc directly (not
// `1 - cdf`), so tiny p-values keep their relative precision.
import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import tQuantileStd from '@stdlib/stats-base-dists-t-quantile';

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function normalTwoSided(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The standard normal quantile. */
export function normalQuantile(p: number): number {
  return normalQuantileStd(p, 0, 1);
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's). */
export function tTwoSided(t: number, df: number): number {
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/** Student's t quantile. */
export function tQuantile(p: number, df: number): number {
  return tQuantileStd(p, df);
}

/** P(X ≥ x) for a chi-square X with `k` degrees of freedom. */
export function chiSquareSf(x: number, k: number): number {
  return gammainc(x / 2, k / 2, true, true);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return betaln(a, b);
}
