import type { CellType } from '../engine/cell-type.js';
import { metricSchema, type MetricCellSpec } from './metric/spec.js';

export type { MetricCellSpec };

export const metricCell: CellType<MetricCellSpec> = {
  type: 'metric',
  description: 'Metrics × slices × segments over a time window, as the long metrics table',
  schema: metricSchema,
  timeoutMs: (spec, project) => spec.timeout_ms ?? project.config.sql_timeout_ms,
  outputKind: 'metrics',

  // The metric engine (catalog, request, compiler) loads only for notebooks with a metric cell.
  async analyze(spec, ctx) {
    return (await import('./metric/analyze.js')).analyzeMetric(spec, ctx);
  },

  async run(spec, ctx) {
    // The metric compiler and its scans load when a metric cell runs, not when a notebook is validated.
    return (await import('./metric/run.js')).runMetric(spec, ctx, metricCell.timeoutMs!(spec, ctx.project));
  },
};
