import * as z from 'zod';
import { CELL_ID, cellSchema, type CellType, type RunContext } from '../engine/cell-type.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { didYouMean } from '../engine/util/suggest.js';
import { analyzeTemplate, isTemplate, plainLiquid } from '../engine/text/liquid.js';
import { TABLE_KINDS, type TableColumn } from '../engine/outputs.js';
import { FORECAST_METHODS, type ForecastMethod } from '../engine/stats/forecast.js';
import { forecastAll, SeriesError } from './forecast/compute.js';
import { columnsOf, NUMBER_TYPE, readSeries, TIME_TYPE } from './forecast/read.js';
import { writeForecastTable } from './forecast/write.js';
import { forecastChart } from './forecast/chart.js';

const column = z.string().min(1);
const schema = cellSchema('forecast', {
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
export type ForecastSpec = z.infer<typeof schema>;

const METHOD_TEXT: Record<ForecastMethod, string> = {
  seasonal_naive: 'Seasonal naive',
  holt_winters_additive: 'Holt-Winters (additive season)',
  holt_winters_multiplicative: 'Holt-Winters (multiplicative season)',
};

/** Rows of the result kept in the run's preview (the table holds all). */
const PREVIEW_ROWS = 1000;

function fail(spec: ForecastSpec, ctx: RunContext, key: string | null, code: string, message: string, hint: string): UserError {
  return new UserError(code, `cell ${spec.id}: ${message}`, { location: ctx.source.locate(key ? [...ctx.path, key] : ctx.path), hint });
}

/** Checks that a named column exists (and has a fitting type), with a did-you-mean. */
function checkColumn(spec: ForecastSpec, ctx: RunContext, columns: TableColumn[], key: 'time' | 'value' | 'series', name: string, type?: RegExp, kind?: string): void {
  const col = columns.find((c) => c.name === name);
  if (!col) {
    const dym = didYouMean(
      name,
      columns.map((c) => c.name),
    );
    throw fail(spec, ctx, key, 'E_FORECAST_COLUMN', `${spec.source} has no column '${name}'${dym ? ` — ${dym}` : ''}`, `columns of ${spec.source}: ${columns.map((c) => c.name).join(', ')}`);
  }
  if (type && !type.test(col.type))
    throw fail(
      spec,
      ctx,
      key,
      'E_FORECAST_COLUMN',
      `${key}: column '${name}' is ${col.type}, not ${kind}`,
      `cast it in ${spec.source}'s SQL, e.g. CAST(${name} AS ${key === 'time' ? 'DATE' : 'DOUBLE'})`,
    );
}

/** The threshold as a number: Liquid over params rendered first. */
function anomalyThreshold(spec: ForecastSpec, ctx: RunContext): number {
  const raw = spec.anomaly_threshold;
  if (raw === undefined) return 3.5;
  if (typeof raw === 'number') return raw;
  const text = isTemplate(raw) ? plainLiquid().parseAndRenderSync(raw, { params: ctx.params.values }).trim() : raw.trim();
  const value = Number(text);
  if (!text || !(value > 0)) throw fail(spec, ctx, 'anomaly_threshold', 'E_FORECAST_THRESHOLD', `anomaly_threshold is '${text}', not a number above 0`, 'e.g. 3.5, or a param holding one');
  return value;
}

export const forecastCell: CellType<ForecastSpec> = {
  type: 'forecast',
  description: "Forecasts a time series (seasonal naive or Holt-Winters, with prediction intervals) from another cell's table, flags past anomalies, and backtests the method",
  schema,
  outputKind: 'table',

  async analyze(spec, ctx) {
    const errors: QuireError[] = [];
    const at = (key: string) => ctx.source.locate([...ctx.path, key]);
    const src = ctx.cells.get(spec.source);
    if (!src) {
      const dym = didYouMean(spec.source, ctx.cellIds);
      errors.push(
        new UserError('E_UNKNOWN_CELL', `cell ${spec.id} forecasts unknown cell '${spec.source}'${dym ? ` — ${dym}` : ''}`, {
          location: at('source'),
          hint: `source: names a query, code or metric cell of this notebook (cells: ${ctx.cellIds.join(', ')})`,
        }),
      );
      return { references: [spec.source], errors };
    }
    if (spec.source === spec.id) errors.push(new UserError('E_FORECAST_SOURCE', `cell ${spec.id} cannot forecast itself`, { location: at('source'), hint: 'point source: at a query or metric cell' }));
    else if (!src.outputKinds.some((k) => TABLE_KINDS.includes(k))) {
      errors.push(
        new UserError('E_FORECAST_SOURCE', `cell ${spec.id} forecasts '${spec.source}', a ${src.type} cell, which yields no table`, {
          location: at('source'),
          hint: 'point source: at a query, code or metric cell',
        }),
      );
    }
    const metrics = src.outputKinds.includes('metrics');
    if (metrics && spec.metric === undefined) {
      errors.push(
        new UserError('E_FORECAST_METRIC', `cell ${spec.id} forecasts metric cell '${spec.source}' but names no metric`, {
          location: ctx.source.locate(ctx.path),
          hint: 'add `metric: <name>`, one of the metric cell’s metrics',
        }),
      );
    }
    if (!metrics && spec.metric !== undefined) {
      errors.push(
        new UserError('E_FORECAST_METRIC', `cell ${spec.id}: metric: is for metric-cell sources; '${spec.source}' is a ${src.type} cell`, {
          location: at('metric'),
          hint: 'name the value column with `value:` instead',
        }),
      );
    }
    if (!metrics) {
      for (const key of ['time', 'value'] as const) {
        if (spec[key] === undefined)
          errors.push(new UserError('E_FORECAST_COLUMN', `cell ${spec.id} names no ${key} column`, { location: ctx.source.locate(ctx.path), hint: `add \`${key}: <column of ${spec.source}>\`` }));
      }
    }
    const threshold = spec.anomaly_threshold;
    if (typeof threshold === 'string') {
      const path = [...ctx.path, 'anomaly_threshold'];
      const t = analyzeTemplate(threshold, ctx.source, path);
      if (t.error) errors.push(t.error);
      for (const v of t.variables.filter((v) => v !== 'params')) {
        errors.push(
          new UserError('E_LIQUID_VARIABLE', `anomaly_threshold of cell ${spec.id} uses '${v}'; it sees only params`, { location: ctx.source.locate(path), hint: 'e.g. "{{ params.sigma }}"' }),
        );
      }
      if (!isTemplate(threshold) && !(Number(threshold) > 0)) {
        errors.push(new UserError('E_FORECAST_THRESHOLD', `anomaly_threshold of cell ${spec.id} is '${threshold}', not a number above 0`, { location: ctx.source.locate(path), hint: 'e.g. 3.5' }));
      }
    }
    // Templated keys read params (which ones is not worth telling apart): the default, every param, then.
    return { references: [spec.source], errors, reads: typeof threshold === 'string' ? { database: false } : { params: [], database: false } };
  },

  async run(spec, ctx) {
    const upstream = ctx.upstream.get(spec.source)?.output;
    const metrics = upstream?.kind === 'metrics';
    if (upstream?.kind === 'metrics' && spec.metric !== undefined) {
      const names = upstream.metrics.map((m) => m.name);
      if (!names.includes(spec.metric)) {
        const dym = didYouMean(spec.metric, names);
        throw fail(spec, ctx, 'metric', 'E_FORECAST_METRIC', `${spec.source} computes no metric '${spec.metric}'${dym ? ` — ${dym}` : ''}`, `metrics of ${spec.source}: ${names.join(', ')}`);
      }
      if (upstream.grain === 'all_time') {
        throw fail(
          spec,
          ctx,
          'source',
          'E_FORECAST_METRIC',
          `${spec.source} has no time grain (all_time): one value per metric, nothing to forecast`,
          `give ${spec.source} a grain: daily, weekly, monthly...`,
        );
      }
    }
    const time = spec.time ?? (metrics ? 'period_start_date' : undefined);
    const value = spec.value ?? (metrics ? 'metric_value' : undefined);
    if (!time || !value) throw fail(spec, ctx, null, 'E_FORECAST_COLUMN', `name the ${time ? 'value' : 'time'} column`, `add \`${time ? 'value' : 'time'}: <column of ${spec.source}>\``);
    const columns = await columnsOf(ctx.conn, spec.source);
    checkColumn(spec, ctx, columns, 'time', time, TIME_TYPE, 'a DATE or TIMESTAMP');
    checkColumn(spec, ctx, columns, 'value', value, NUMBER_TYPE, 'a number');
    if (spec.series !== undefined) checkColumn(spec, ctx, columns, 'series', spec.series);
    const timeType = columns.find((c) => c.name === time)!.type;

    let inputs: Awaited<ReturnType<typeof readSeries>>;
    try {
      inputs = await readSeries(ctx.conn, { table: spec.source, time, value, series: spec.series, metric: spec.metric }, spec.metric ?? value);
    } catch (err) {
      throw fail(spec, ctx, 'source', 'E_FORECAST_DATA', (err as Error).message, `make ${spec.source} give one row per period${spec.series ? ' and series' : ''}, with no NULLs (coalesce them)`);
    }
    if (!inputs.length) {
      throw fail(
        spec,
        ctx,
        'source',
        'E_FORECAST_DATA',
        `${spec.source} has no rows${spec.metric ? ` for metric ${spec.metric} at a daily/weekly/monthly grain` : ''} to forecast`,
        'check its filters and time window',
      );
    }
    const method = spec.method ?? 'holt_winters_additive';
    const level = spec.level ?? 0.95;
    const threshold = anomalyThreshold(spec, ctx);
    let result: ReturnType<typeof forecastAll>;
    try {
      result = forecastAll(inputs, { method, period: spec.period, horizon: spec.horizon, level, threshold });
    } catch (err) {
      if (err instanceof SeriesError) {
        throw fail(spec, ctx, null, 'E_FORECAST_DATA', err.message, 'forecasts need evenly spaced periods (fill gaps with a calendar join) and two full seasons of history for Holt-Winters');
      }
      throw err;
    }
    await writeForecastTable(ctx.conn, spec.id, timeType === 'DATE' ? 'DATE' : 'TIMESTAMP', result.columns);
    ctx.logger.log('info', `cell ${spec.id}: ${method} of ${inputs.length} series, ${spec.horizon} period(s) ahead`);
    const table = await ctx.readTable(spec.id, PREVIEW_ROWS, result.columns.time.length);
    const chart = forecastChart(result.columns, result.summaries, {
      cellId: spec.id,
      valueTitle: spec.metric ?? value,
      methodText: METHOD_TEXT[method],
      level,
      threshold,
      horizon: spec.horizon,
    });
    return { ...table, chart };
  },
};
