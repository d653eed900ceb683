import * as z from 'zod';
import { cellSchema, SQL_TIMEOUT, type AnalyzeContext, type RunContext } from '../../engine/cell-type.js';
import type { MetricRequest, RequestLocator } from '../../engine/metrics/request.js';
import { COMPARES, GRAINS } from '../../engine/metrics/specs.js';

export const metricSchema = cellSchema('metric', {
  metrics: z.array(z.string()).min(1, 'list at least one metric').describe('Metric names (from the metrics folders or the notebook definitions)'),
  slices: z.array(z.string()).optional().describe('Slice names; several give their cross-product ("region|device")'),
  segments: z.array(z.string()).optional().describe('Segment names; "all" (no filter) is always included'),
  time_window: z.tuple([z.string(), z.string()]).optional().describe('[start, end) dates, Liquid over params'),
  grain: z.enum(GRAINS).optional().describe('all_time (default) | daily | weekly | monthly | quarterly | yearly'),
  compare: z.enum(COMPARES).optional().describe('previous_period | previous_year: adds comparison_value and change_pct'),
  timeout_ms: SQL_TIMEOUT.optional(),
});
export type MetricCellSpec = z.infer<typeof metricSchema>;

/** Locates the problems of the cell's metric request in the notebook. */
export function locator(spec: MetricCellSpec, ctx: AnalyzeContext | RunContext): RequestLocator {
  return {
    who: `cell ${spec.id}`,
    item: (field, i) => ctx.source.locate([...ctx.path, field, i]),
    field: (f) => ctx.source.locate([...ctx.path, f]),
  };
}

/** The metric request the cell makes over `window`. */
export function request(spec: MetricCellSpec, window: MetricRequest['window']): MetricRequest {
  return { metrics: spec.metrics, slices: spec.slices, segments: spec.segments, window, grain: spec.grain, compare: spec.compare };
}
