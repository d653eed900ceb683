/** The seasonal naive method: each value forecast by the value one season earlier (fpp3 §5.2). */

export interface NaiveFit {
  /** y[t − m] for t ≥ m; null for the first season. */
  fitted: (number | null)[];
  /** Residual variance: the mean squared seasonal difference. */
  sigma2: number;
  sse: number;
}

export function seasonalNaiveFit(y: ArrayLike<number>, m: number): NaiveFit {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`the season length must be a positive integer (got ${m})`);
  if (y.length <= m) throw new RangeError(`the seasonal naive method needs more than one season (${m} values); the series has ${y.length}`);
  const fitted: (number | null)[] = [];
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    if (t < m) {
      fitted.push(null);
      continue;
    }
    fitted.push(y[t - m]);
    const e = y[t] - y[t - m];
    sse += e * e;
  }
  return { fitted, sse, sigma2: sse / (y.length - m) };
}

/** Forecasts 1..h: the last season repeated. */
export function seasonalNaiveForecast(y: ArrayLike<number>, m: number, h: number): number[] {
  const n = y.length;
  const out: number[] = [];
  for (let k = 1; k <= h; k++) out.push(y[n - m + ((k - 1) % m)]);
  return out;
}

/** Variance multipliers of the h-step error: k + 1 for k = ⌊(h − 1)/m⌋ whole seasons ahead. */
export function seasonalNaiveVarianceFactors(m: number, h: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= h; k++) out.push(Math.floor((k - 1) / m) + 1);
  return out;
}
