/** Forecast accuracy: MAPE and MASE (Hyndman & Koehler 2006) of forecasts against held-out actuals. */

/** Mean absolute percentage error as a fraction (0.05 = 5 %), over actuals that are not 0; null when all are 0. */
export function mape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number | null {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === 0) continue;
    sum += Math.abs((actual[i] - forecast[i]) / actual[i]);
    n++;
  }
  return n ? sum / n : null;
}

/**
 * Mean absolute scaled error: the mean absolute error over the in-sample mean absolute seasonal
 * difference of `train` (lag m); null when that is 0 or there is none.
 */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, train: ArrayLike<number>, m: number): number | null {
  let scale = 0;
  for (let t = m; t < train.length; t++) scale += Math.abs(train[t] - train[t - m]);
  if (train.length <= m || scale === 0) return null;
  scale /= train.length - m;
  let mae = 0;
  for (let i = 0; i < actual.length; i++) mae += Math.abs(actual[i] - forecast[i]);
  return mae / actual.length / scale;
}
