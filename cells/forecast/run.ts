// The run of a forecast cell, loaded when one runs (the forecast math and its chart).
import type { RunContext } from '../../engine/cell-type.js';
import { UserError } from '../../engine/util/errors.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { isTemplate, plainLiquid } from '../../engine/text/liquid.js';
import type { TableColumn, TableOutput } from '../../engine/outputs.js';
import type { ForecastMethod } from '../../engine/stats/forecast-methods.js';
import { forecastAll, SeriesError } from './compute.js';
import { columnsOf, NUMBER_TYPE, readSeries, TIME_TYPE } from './read.js';
import { writeForecastTable } from './write.js';
import { forecastChart } from './chart.js';
import type { ForecastSpec } from './spec.js';

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

/** Runs the cell: the forecast table into the results catalog, and its preview with the chart. */
export async function runForecast(spec: ForecastSpec, ctx: RunContext): Promise<TableOutput> {
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
}
