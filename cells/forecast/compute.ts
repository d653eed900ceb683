/** Forecasts and anomaly flags of every series of a forecast cell, as the rows of its result table. */
import { backtest, forecast, minimumLength, type ForecastMethod } from '../../engine/stats/forecast.js';
import { flagAnomalies } from '../../engine/stats/anomaly.js';
import { defaultPeriod, futureTimes, inferStep, stepText } from './time-step.js';

export interface SeriesInput {
  name: string;
  /** µs since the epoch, ascending. */
  times: number[];
  values: number[];
}

export interface ForecastSettings {
  method: ForecastMethod;
  period?: number;
  horizon: number;
  level: number;
  threshold: number;
}

/** The result table, column by column (null: SQL NULL). */
export interface ForecastColumns {
  time: number[];
  series: string[];
  actual: (number | null)[];
  fitted: (number | null)[];
  forecast: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  anomaly_z: (number | null)[];
  is_anomaly: boolean[];
  backtest_mape: (number | null)[];
  backtest_mase: (number | null)[];
}

export interface SeriesSummary {
  name: string;
  period: number;
  points: number;
  anomalies: number;
  mape: number | null;
  mase: number | null;
  holdout: number;
}

/** Why a series cannot be forecast, said about the series by name. */
export class SeriesError extends Error {}

/** Where a series first breaks its usual (smallest) spacing, in words. */
function irregularAt(times: readonly number[]): string {
  if (times.length < 2) return 'it has a single point';
  let d = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) d = Math.min(d, times[i] - times[i - 1]);
  const day = (us: number) => new Date(us / 1000).toISOString().slice(0, 10);
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] !== d) return `a gap between ${day(times[i - 1])} and ${day(times[i])}`;
  return 'uneven spacing';
}

const finiteOrNull = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export function forecastAll(inputs: readonly SeriesInput[], settings: ForecastSettings): { columns: ForecastColumns; summaries: SeriesSummary[] } {
  const c: ForecastColumns = { time: [], series: [], actual: [], fitted: [], forecast: [], lower: [], upper: [], anomaly_z: [], is_anomaly: [], backtest_mape: [], backtest_mase: [] };
  const summaries: SeriesSummary[] = [];
  for (const s of inputs) {
    const label = inputs.length > 1 ? `series '${s.name}'` : 'the series';
    const step = inferStep(s.times);
    if (!step) throw new SeriesError(`${label} is not evenly spaced in time: ${irregularAt(s.times)}`);
    const period = settings.period ?? defaultPeriod(step);
    if (!period) throw new SeriesError(`no usual season length for data every ${stepText(step)}: set period`);
    const need = minimumLength(settings.method, period);
    if (s.values.length < need) throw new SeriesError(`${label} has ${s.values.length} points; ${settings.method} with period ${period} needs at least ${need}`);
    let fit: ReturnType<typeof forecast>;
    try {
      fit = forecast(s.values, { method: settings.method, period, horizon: settings.horizon, level: settings.level });
    } catch (err) {
      throw new SeriesError(`${label}: ${(err as Error).message}`);
    }
    // The backtest's fit starts from the whole series' optimum: near it, and no grid search again.
    const bt = backtest(s.values, { method: settings.method, period, horizon: settings.horizon, level: settings.level, start: fit.params ?? undefined });
    const mapeV = finiteOrNull(bt?.mape);
    const maseV = finiteOrNull(bt?.mase);
    const flags = flagAnomalies(fit.residuals, settings.threshold);
    let anomalies = 0;
    for (let i = 0; i < s.values.length; i++) {
      c.time.push(s.times[i]);
      c.series.push(s.name);
      c.actual.push(s.values[i]);
      c.fitted.push(finiteOrNull(fit.fitted[i]));
      c.forecast.push(null);
      c.lower.push(null);
      c.upper.push(null);
      c.anomaly_z.push(finiteOrNull(flags.z[i]));
      c.is_anomaly.push(flags.isAnomaly[i]);
      if (flags.isAnomaly[i]) anomalies++;
      c.backtest_mape.push(mapeV);
      c.backtest_mase.push(maseV);
    }
    const future = futureTimes(s.times[s.times.length - 1], step, settings.horizon);
    for (let k = 0; k < settings.horizon; k++) {
      c.time.push(future[k]);
      c.series.push(s.name);
      c.actual.push(null);
      c.fitted.push(null);
      c.forecast.push(finiteOrNull(fit.forecast[k]));
      c.lower.push(finiteOrNull(fit.lower[k]));
      c.upper.push(finiteOrNull(fit.upper[k]));
      c.anomaly_z.push(null);
      c.is_anomaly.push(false);
      c.backtest_mape.push(mapeV);
      c.backtest_mase.push(maseV);
    }
    summaries.push({ name: s.name, period, points: s.values.length, anomalies, mape: mapeV, mase: maseV, holdout: bt?.holdout ?? 0 });
  }
  return { columns: c, summaries };
}
