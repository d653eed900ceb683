/**
 * Metric, slice and segment specs (contract: shared/spec/metrics-format.md): the zod schemas of
 * their YAML bodies and the typed, located specs the rest of the metric engine works on.
 */
import * as z from 'zod';
import { POLARITIES } from '../outputs.js';
import type { YamlPath, YamlSource } from '../source/source.js';

export const SPEC_NAME = /^[a-z][a-z0-9_]*$/;
export const AGGREGATIONS = ['sum', 'count', 'count_distinct', 'avg', 'min', 'max', 'ratio', 'derived'] as const;
export const UNITS = ['count', 'currency', 'percentage', 'number', 'duration_s'] as const;
export const GRAINS = ['all_time', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export const COMPARES = ['previous_period', 'previous_year'] as const;

export type Aggregation = (typeof AGGREGATIONS)[number];
export type Unit = (typeof UNITS)[number];
export type Grain = (typeof GRAINS)[number];
export type Compare = (typeof COMPARES)[number];

/** Column names of the long result; no metric may be called like one of them. */
export const RESULT_COLUMNS = [
  'period_type',
  'period_start_date',
  'period_end_date',
  'metric_name',
  'slice_type',
  'slice_value',
  'segment_name',
  'metric_value',
  'comparison_value',
  'change_pct',
] as const;

const name = z.string().regex(SPEC_NAME, 'names are lowercase letters, digits and _, starting with a letter');
const sql = z.string().refine((s) => s.trim() !== '', 'an empty SQL expression');

export const metricBodySchema = z.strictObject({
  name: name.describe('Unique metric name'),
  display_name: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  unit: z.enum(UNITS).optional().describe('For formatting: count | currency | percentage | number | duration_s'),
  good: z.enum(POLARITIES).optional().describe('Which change is good news: up (default) | down (churn, refund rate, resolution time) | neutral; colours KPI changes'),
  source: z.string().min(1).optional().describe('table, connection.table, connection.schema.table (a Postgres connection: computed on the server), a file (.parquet/.csv/.json) or cell:<id>'),
  time_column: z.string().min(1).optional().describe('Required when a time_window, grain or compare is used'),
  aggregation: z.enum(AGGREGATIONS),
  numerator: sql.optional().describe('SQL aggregate expression over source'),
  denominator: sql.optional().describe('ratio, or avg written as two aggregates'),
  filters: z.array(sql).optional().describe('WHERE conditions always applied'),
  expression: sql.optional().describe('derived: SQL over other metric names'),
});

export const sliceBodySchema = z.strictObject({
  name,
  display_name: z.string().optional(),
  description: z.string().optional(),
  values: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1)
          .regex(/^[^|\n\r]+$/, "slice value names can't hold '|' or line breaks"),
        where: sql,
      }),
    )
    .min(1)
    .optional(),
  column: z.string().min(1).optional(),
});

export const segmentBodySchema = z.strictObject({
  name,
  display_name: z.string().optional(),
  description: z.string().optional(),
  where: sql,
});

export type MetricBody = z.infer<typeof metricBodySchema>;
export type SliceBody = z.infer<typeof sliceBodySchema>;
export type SegmentBody = z.infer<typeof segmentBodySchema>;

export const SPEC_KINDS = ['metric', 'slice', 'segment'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

export const bodySchemas = { metric: metricBodySchema, slice: sliceBodySchema, segment: segmentBodySchema } as const;

/** Where a spec came from: its YAML (for located errors) and the path of its body in it. */
export interface SpecOrigin {
  source: YamlSource;
  path: YamlPath;
}

/** What the DuckDB parser told us about one SQL expression of a spec. */
export interface ExprInfo {
  /** The author's text. */
  text: string;
  /** Table names read by subqueries (candidates for cell ids). */
  tables: string[];
  /** Single-part column names outside subqueries (derived metrics: the metrics they use). */
  columns: string[];
  hasAggregate: boolean;
}

export interface MetricSpec extends MetricBody {
  kind: 'metric';
  origin: SpecOrigin;
  /**
   * The aggregate(s) to compute: the numerator (a plain expression wrapped in the aggregation's
   * function), and the denominator of ratio / two-aggregate avg.
   */
  num?: ExprInfo;
  den?: ExprInfo;
  filterExprs: ExprInfo[];
  expr?: ExprInfo;
}

export interface SliceSpec extends SliceBody {
  kind: 'slice';
  origin: SpecOrigin;
  /** Tables its `where` subqueries read. */
  tables: string[];
}

export interface SegmentSpec extends SegmentBody {
  kind: 'segment';
  origin: SpecOrigin;
  /** Tables its `where` subqueries read. */
  tables: string[];
}

export type AnySpec = MetricSpec | SliceSpec | SegmentSpec;

/** `metric total_revenue (metrics/revenue.yaml:4)`: how messages name a spec. */
export function specLabel(spec: { kind: SpecKind; name?: string; origin: SpecOrigin }): string {
  const at = spec.origin.source.locate(spec.origin.path);
  return `${spec.kind} ${spec.name ?? '(unnamed)'} (${at.file}:${at.line})`;
}

/** Aggregations whose empty periods (and empty filtered groups) count 0 rather than NULL. */
export function zeroWhenEmpty(agg: Aggregation): boolean {
  return agg === 'sum' || agg === 'count' || agg === 'count_distinct';
}
