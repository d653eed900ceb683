/**
 * `stats` in a code cell's scope: the engine's pure statistics functions (engine/stats), bundled
 * into the isolate with Arquero: the forecast functions here, the experiment ones in
 * stats-experiment.ts. Frozen, so one cell cannot change them for the next.
 */
import { backtest, forecast, FORECAST_METHODS } from '../../../engine/stats/forecast.js';
import { fitHoltWinters, hwFilter, hwForecast } from '../../../engine/stats/forecast-hw.js';
import { seasonalNaiveFit, seasonalNaiveForecast } from '../../../engine/stats/forecast-naive.js';
import { mape, mase } from '../../../engine/stats/forecast-errors.js';
import { normalInterval } from '../../../engine/stats/forecast-quantile.js';
import { makeExperimentStats } from './stats-experiment.js';
import { flagAnomalies, median, medianAbsoluteDeviation, robustZ } from '../../../engine/stats/anomaly.js';

export function makeStats(): Readonly<Record<string, unknown>> {
  return Object.freeze({
    forecast,
    backtest,
    methods: Object.freeze([...FORECAST_METHODS]),
    holtWinters: fitHoltWinters,
    holtWintersFilter: hwFilter,
    holtWintersForecast: hwForecast,
    seasonalNaive: seasonalNaiveFit,
    seasonalNaiveForecast,
    mape,
    mase,
    robustZ,
    flagAnomalies,
    median,
    medianAbsoluteDeviation,
    normalInterval,
    ...makeExperimentStats(),
  });
}
