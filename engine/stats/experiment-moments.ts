// Sufficient statistics of per-unit values, for the experiment tests when the values themselves are
// at hand (a code cell's `stats.*`; the experiment cell gets the same numbers from DuckDB). Missing
// values (null, undefined, NaN) are left out, as SQL's aggregates leave out NULLs; a pair counts
// only when both of its values are there. Two-pass sums, so large means lose no precision.
import meanpn from '@stdlib/stats-base-meanpn';
import variancepn from '@stdlib/stats-base-variancepn';
import type { Counts, Moments, PairMoments } from './experiment-tests.js';

const present = (v: number | null | undefined): v is number => typeof v === 'number' && !Number.isNaN(v);

/** n, mean and sample variance (n − 1) of the present values. */
export function momentsOf(values: ArrayLike<number | null | undefined>): Moments {
  const x = Float64Array.from(Array.prototype.filter.call(values, present) as number[]);
  return { n: x.length, mean: meanpn(x.length, x, 1), variance: variancepn(x.length, 1, x, 1) };
}

/** Moments of the pairs (y[i], x[i]) where both are present; the covariance is two-pass too (no @stdlib package has one). */
export function pairMomentsOf(y: ArrayLike<number | null | undefined>, x: ArrayLike<number | null | undefined>): PairMoments {
  if (y.length !== x.length) throw new RangeError(`y has ${y.length} values and x ${x.length}: they are pairs, one of each per unit`);
  const ys: number[] = [];
  const xs: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const [a, b] = [y[i], x[i]];
    if (present(a) && present(b)) {
      ys.push(a);
      xs.push(b);
    }
  }
  const my = momentsOf(ys);
  const mx = momentsOf(xs);
  let cov = 0;
  for (let i = 0; i < ys.length; i++) cov += (ys[i] - my.mean) * (xs[i] - mx.mean);
  return { n: ys.length, meanY: my.mean, varY: my.variance, meanX: mx.mean, varX: mx.variance, covXY: cov / (ys.length - 1) };
}

/** Units and successes of present 0/1 (or boolean) values; anything else is a RangeError. */
export function countsOf(values: ArrayLike<number | boolean | null | undefined>): Counts {
  let n = 0;
  let successes = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || Number.isNaN(v)) continue;
    const k = Number(v);
    if (k !== 0 && k !== 1) throw new RangeError(`a proportion's values are 0 or 1 (or true/false); value ${i} is ${String(v)}`);
    n++;
    successes += k;
  }
  return { n, successes };
}
