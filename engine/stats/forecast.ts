/**
 * Forecasts of one regular series: seasonal naive or Holt–Winters (additive trend; additive or
 * multiplicative seasonality), with normal prediction intervals and a hold-out backtest.
 * Pure functions on arrays of numbers: the forecast cell and code cells' `stats` both call these.
 */
import { fitHoltWinters, hwForecast, hwVarianceFactors, type HoltWintersParams, type Seasonality } from './forecast-hw.js';
import { seasonalNaiveFit, seasonalNaiveForecast, seasonalNaiveVarianceFactors } from './forecast-naive.js';
import { mape, mase } from './forecast-errors.js';
import { normalInterval } from './forecast-quantile.js';
import { FORECAST_METHODS, type ForecastMethod } from './forecast-methods.js';

export { FORECAST_METHODS, type ForecastMethod };

export interface ForecastOptions {
  method?: ForecastMethod;
  /** Season length in observations (7 for daily data with a weekly pattern). */
  period: number;
  /** Steps to forecast. */
  horizon: number;
  /** Prediction interval level (default 0.95). */
  level?: number;
  /** Holt–Winters: smoothing parameters to start the optimizer from instead of a grid search (e.g. a fit of the whole series, for its backtest). */
  start?: { alpha: number; beta: number; gamma: number };
}

export interface ForecastResult {
  method: ForecastMethod;
  period: number;
  level: number;
  /** One-step-ahead fitted values (null where the method has none, e.g. the first season of seasonal naive). */
  fitted: (number | null)[];
  /** actual − fitted. */
  residuals: (number | null)[];
  forecast: number[];
  lower: number[];
  upper: number[];
  /** In-sample residual variance the intervals use: SSE / number of residuals. */
  sigma2: number;
  sse: number;
  /** Holt–Winters' fitted parameters and initial states; null for seasonal naive. */
  params: HoltWintersParams | null;
}

function checkSeries(values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) throw new RangeError(`value ${i + 1} of the series is ${String(values[i])}, not a finite number`);
  }
}

function checkOptions(opts: ForecastOptions): Required<Omit<ForecastOptions, 'start'>> & Pick<ForecastOptions, 'start'> {
  const method = opts.method ?? 'holt_winters_additive';
  if (!FORECAST_METHODS.includes(method)) throw new RangeError(`unknown forecast method '${String(method)}' (one of ${FORECAST_METHODS.join(', ')})`);
  if (!Number.isInteger(opts.horizon) || opts.horizon < 1) throw new RangeError(`the horizon must be a positive integer (got ${opts.horizon})`);
  return { method, period: opts.period, horizon: opts.horizon, level: opts.level ?? 0.95, start: opts.start };
}

/** Fits the method to `values` and forecasts `horizon` steps with intervals. */
export function forecast(values: ArrayLike<number>, options: ForecastOptions): ForecastResult {
  const opts = checkOptions(options);
  checkSeries(values);
  const { method, period: m, horizon: h, level } = opts;
  const z = normalInterval(level);
  let fitted: (number | null)[];
  let point: number[];
  let factors: number[];
  let sse: number;
  let sigma2: number;
  let params: HoltWintersParams | null = null;
  if (method === 'seasonal_naive') {
    const fit = seasonalNaiveFit(values, m);
    fitted = fit.fitted;
    sse = fit.sse;
    sigma2 = fit.sigma2;
    point = seasonalNaiveForecast(values, m, h);
    factors = seasonalNaiveVarianceFactors(m, h);
  } else {
    const seasonal: Seasonality = method === 'holt_winters_multiplicative' ? 'mul' : 'add';
    const fit = fitHoltWinters(values, m, seasonal, opts.start);
    params = fit.params;
    fitted = Array.from(fit.state.fitted);
    sse = fit.state.sse;
    sigma2 = sse / values.length;
    point = hwForecast(fit.state, seasonal, h);
    factors = hwVarianceFactors(params, m, h);
  }
  const residuals = fitted.map((f, i) => (f === null ? null : values[i] - f));
  const half = factors.map((v) => z * Math.sqrt(sigma2 * v));
  return {
    method,
    period: m,
    level,
    fitted,
    residuals,
    forecast: point,
    lower: point.map((p, i) => p - half[i]),
    upper: point.map((p, i) => p + half[i]),
    sigma2,
    sse,
    params,
  };
}

export interface BacktestResult {
  /** Observations held out at the end (the horizon, fewer when the series is short). */
  holdout: number;
  mape: number | null;
  mase: number | null;
  forecast: number[];
}

/** Shortest training series a method can start from. */
export function minimumLength(method: ForecastMethod, period: number): number {
  return method === 'seasonal_naive' ? period + 1 : 2 * period;
}

/**
 * Fits on all but the last `horizon` values (fewer when the rest would be too short to fit) and
 * scores the forecast of the held-out values; null when not even one value can be held out.
 */
export function backtest(values: ArrayLike<number>, options: ForecastOptions): BacktestResult | null {
  const opts = checkOptions(options);
  checkSeries(values);
  const n = values.length;
  const holdout = Math.min(opts.horizon, n - Math.max(minimumLength(opts.method, opts.period), opts.period + 1));
  if (holdout < 1) return null;
  const train = Array.prototype.slice.call(values, 0, n - holdout) as number[];
  const actual = Array.prototype.slice.call(values, n - holdout) as number[];
  const fc = forecast(train, { ...opts, horizon: holdout }).forecast;
  return { holdout, mape: mape(actual, fc), mase: mase(actual, fc, train, opts.period), forecast: fc };
}
