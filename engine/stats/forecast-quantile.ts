import quantile from '@stdlib/stats-base-dists-normal-quantile';

/** z of a two-sided normal interval at `level` (0.95 → 1.959963984540054). */
export function normalInterval(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`the interval level is a fraction between 0 and 1 (got ${level})`);
  return quantile(0.5 + level / 2, 0, 1);
}

/** The standard normal quantile function. */
export function normalQuantile(p: number): number {
  return quantile(p, 0, 1);
}
