import type { CellType } from '../engine/cell-type.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { didYouMean } from '../engine/util/suggest.js';
import { isTemplate } from '../engine/text/is-template.js';
import { parseTemplate } from '../engine/text/template-fields.js';
import { TABLE_KINDS } from '../engine/outputs.js';
import { forecastSchema, type ForecastSpec } from './forecast/spec.js';

export type { ForecastSpec };

export const forecastCell: CellType<ForecastSpec> = {
  type: 'forecast',
  description: "Forecasts a time series (seasonal naive or Holt-Winters, with prediction intervals) from another cell's table, flags past anomalies, and backtests the method",
  schema: forecastSchema,
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
      const t = await parseTemplate(threshold, ctx.source, path);
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
    return (await import('./forecast/run.js')).runForecast(spec, ctx);
  },
};
