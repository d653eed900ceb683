import * as z from 'zod';
import { CELL_ID, cellSchema } from '../../engine/cell-type.js';
import { FORECAST_METHODS } from '../../engine/stats/forecast-methods.js';

const column = z.string().min(1);
export const forecastSchema = cellSchema('forecast', {
  source: z.string().regex(CELL_ID, 'source names a cell id').describe('The query, code or metric cell whose table holds the series'),
  time: column.optional().describe('DATE or TIMESTAMP column of evenly spaced times (default for a metric cell: period_start_date)'),
  value: column.optional().describe('Numeric column forecast (default for a metric cell: metric_value)'),
  metric: z.string().min(1).optional().describe("A metric cell's metric to forecast (its rows of the long table)"),
  series: column.optional().describe('Column whose values split the rows into separate series (one forecast each)'),
  horizon: z.number().int().min(1).max(10_000).describe('Periods to forecast after the last one'),
  method: z.enum(FORECAST_METHODS).optional().describe('holt_winters_additive (default) | holt_winters_multiplicative | seasonal_naive'),
  period: z.number().int().min(1).max(1000).optional().describe('Season length in periods (default from the spacing: 7 daily, 52 weekly, 12 monthly, 4 quarterly, 24 hourly)'),
  level: z.number().gt(0).lt(1).optional().describe('Prediction interval level (default 0.95)'),
  anomaly_threshold: z
    .union([z.number().positive(), z.string().min(1)])
    .optional()
    .describe('A past value is an anomaly when the |robust z| of its residual exceeds this (default 3.5); a number or Liquid over params, e.g. "{{ params.sigma }}"'),
});
export type ForecastSpec = z.infer<typeof forecastSchema>;
