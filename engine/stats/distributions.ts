// Distribution functions for the experiment statistics, on @stdlib's special functions. Tail
// probabilities come from the regularized incomplete beta/gamma functions and erfc directly (not
// `1 - cdf`), so tiny p-values keep their relative precision.
import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';
import erfc from '@stdlib/math-base-special-erfc';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import gammainc from '@stdlib/math-base-special-gammainc';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import tCdfStd from '@stdlib/stats-base-dists-t-cdf';
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

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  return tCdfStd(t, df);
}

/**
 * The standard normal quantile, precise in both tails: −√2·erfcinv(2p). (@stdlib's normal quantile
 * goes through erfinv(2p − 1), which loses digits for small p: 2e-9 relative at p = 1e-10.)
 */
export function normalQuantileTails(p: number): number {
  return -Math.SQRT2 * erfcinv(2 * p);
}
