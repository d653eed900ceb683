/** The forecast methods by name: apart from the math, so a cell schema can list them without loading it. */
export const FORECAST_METHODS = ['seasonal_naive', 'holt_winters_additive', 'holt_winters_multiplicative'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];
