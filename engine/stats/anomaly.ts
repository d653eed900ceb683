/**
 * Anomaly flags by robust z-scores: (r − median) / (MAD / Φ⁻¹(¾)), the median absolute deviation
 * scaled to estimate σ for normal data (scipy's `median_abs_deviation(scale='normal')`). Applied to
 * a forecast's one-step residuals, which have the season and level taken out.
 */
import { normalQuantile } from './forecast-quantile.js';

/** The median of finite values; null when there are none. */
export function median(values: ArrayLike<number | null>): number | null {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) xs.push(v);
  }
  if (!xs.length) return null;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** The median absolute deviation from the median, unscaled; null when there are no values. */
export function medianAbsoluteDeviation(values: ArrayLike<number | null>): number | null {
  const med = median(values);
  if (med === null) return null;
  const dev: (number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    dev.push(v === null || !Number.isFinite(v) ? null : Math.abs(v - med));
  }
  return median(dev);
}

/** Robust z of each value; null for missing values, and for all when the MAD is 0 (no spread to measure against). */
export function robustZ(values: ArrayLike<number | null>): (number | null)[] {
  const med = median(values);
  const mad = medianAbsoluteDeviation(values);
  const scale = mad === null ? 0 : mad / normalQuantile(0.75);
  const out: (number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out.push(v === null || !Number.isFinite(v) || med === null || scale === 0 ? null : (v - med) / scale);
  }
  return out;
}

export interface AnomalyFlags {
  z: (number | null)[];
  isAnomaly: boolean[];
}

/** Flags values whose robust z exceeds `threshold` in absolute value (default 3.5, Iglewicz & Hoaglin). */
export function flagAnomalies(residuals: ArrayLike<number | null>, threshold = 3.5): AnomalyFlags {
  if (!(threshold > 0)) throw new RangeError(`the anomaly threshold must be above 0 (got ${threshold})`);
  const z = robustZ(residuals);
  return { z, isAnomaly: z.map((v) => v !== null && Math.abs(v) > threshold) };
}
