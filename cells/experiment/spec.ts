// The experiment cell's YAML keys and the checks zod can't express (which keys each metric kind
// and method needs), located at the offending key.
import * as z from 'zod';
import { cellSchema, SQL_TIMEOUT } from '../../engine/cell-type.js';
import { POLARITIES } from '../../engine/outputs.js';
import { UserError } from '../../engine/util/errors.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const column = z.string().min(1);

export const METRIC_KINDS = ['proportion', 'mean', 'ratio'] as const;
export const METHODS = ['z', 'welch', 'delta', 'cuped', 'bayesian', 'msprt'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export type Method = (typeof METHODS)[number];

/** Methods each kind may use; the first is its default (cuped is the default of a mean with a covariate). */
export const METHODS_OF: Record<MetricKind, readonly Method[]> = {
  proportion: ['z', 'bayesian', 'msprt'],
  mean: ['welch', 'cuped', 'msprt'],
  ratio: ['delta', 'msprt'],
};

const metricSchema = z.strictObject({
  name: z.string().regex(IDENT, 'metric names are letters, digits and _').describe('Name of the metric in the result'),
  kind: z.enum(METRIC_KINDS).describe('proportion (0/1 or boolean per unit) | mean (per-unit sum) | ratio (Σ numerator / Σ denominator)'),
  column: column.optional().describe('proportion, mean: the column (per unit: max for a proportion, sum for a mean)'),
  numerator: column.optional().describe('ratio: numerator column (summed per unit)'),
  denominator: column.optional().describe('ratio: denominator column (summed per unit)'),
  covariate: column.optional().describe('mean: a pre-period value per unit (CUPED variance reduction; the method then defaults to cuped)'),
  method: z.enum(METHODS).optional().describe('proportion: z (default) | bayesian | msprt; mean: welch (default) | cuped | msprt; ratio: delta (default) | msprt'),
  tau: z.number().positive().optional().describe('msprt: the mixing standard deviation, an effect size you expect in the metric’s units (e.g. 0.02 for a rate)'),
  good: z.enum(POLARITIES).optional().describe('Which direction is good news in the scorecard: up (default) | down | neutral'),
});

export const experimentSchema = cellSchema('experiment', {
  source: z.string().regex(IDENT, 'source names a table or a cell id').describe('The table (or cell) with one row per unit, or several (events): the unit, variant and metric columns'),
  unit: column.describe('The randomization unit column (e.g. user_id): rows are aggregated per unit first'),
  variant: column.describe('The column holding the variant of each unit'),
  control: z.union([z.string(), z.number(), z.boolean()]).describe('The control value of the variant column'),
  metrics: z.array(metricSchema).min(1, 'list at least one metric').describe('Metrics compared between each variant and control'),
  alpha: z.number().gt(0).lt(0.5).optional().describe('Significance level (default 0.05); intervals are 1 − alpha'),
  correction: z.enum(['holm', 'bh', 'none']).optional().describe('Multiple-comparison correction of p-values when there are several comparisons: holm (default) | bh (Benjamini–Hochberg) | none'),
  split: z.record(z.string(), z.number().positive()).optional().describe('Planned traffic split by variant for the sample-ratio check, e.g. { control: 50, treatment: 50 } (default: equal)'),
  timeout_ms: SQL_TIMEOUT.optional(),
});
export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type ExperimentMetric = ExperimentSpec['metrics'][number];

/** The method a metric is read with. */
export function methodOf(m: ExperimentMetric): Method {
  if (m.method) return m.method;
  if (m.kind === 'mean' && m.covariate) return 'cuped';
  return METHODS_OF[m.kind][0];
}

/** The columns a metric reads, each with the key naming it. */
export function metricColumns(m: ExperimentMetric): { key: 'column' | 'numerator' | 'denominator' | 'covariate'; name: string }[] {
  return (['column', 'numerator', 'denominator', 'covariate'] as const).flatMap((key) => (m[key] === undefined ? [] : [{ key, name: m[key] }]));
}

type Locate = (path: readonly (string | number)[]) => UserError['location'];

/** What each metric needs besides its schema; errors located at the key. */
export function checkMetrics(spec: ExperimentSpec, locate: Locate): UserError[] {
  const errors: UserError[] = [];
  const seen = new Set<string>();
  spec.metrics.forEach((m, i) => {
    const at = (key?: string) => locate(key ? ['metrics', i, key] : ['metrics', i]);
    const fail = (key: string | undefined, message: string, hint: string) =>
      errors.push(new UserError('E_EXPERIMENT_METRIC', `cell ${spec.id}, metric ${m.name}: ${message}`, { location: at(key), hint }));
    if (seen.has(m.name)) fail('name', `the name ${m.name} is used twice`, 'give each metric its own name');
    seen.add(m.name);
    if (m.kind === 'ratio') {
      if (m.numerator === undefined || m.denominator === undefined)
        fail(undefined, 'a ratio needs numerator: and denominator:', 'e.g. { name: clicks_per_session, kind: ratio, numerator: clicks, denominator: sessions }');
      if (m.column !== undefined) fail('column', 'a ratio reads numerator: and denominator:, not column:', 'replace column: with numerator: and denominator:');
    } else {
      if (m.column === undefined) fail(undefined, `a ${m.kind} needs column:`, `e.g. { name: ${m.name}, kind: ${m.kind}, column: <column> }`);
      for (const key of ['numerator', 'denominator'] as const) if (m[key] !== undefined) fail(key, `${key}: belongs to ratio metrics`, 'use column: for a proportion or mean');
    }
    const method = methodOf(m);
    if (!METHODS_OF[m.kind].includes(method)) fail('method', `method ${method} does not apply to a ${m.kind}`, `a ${m.kind} takes ${METHODS_OF[m.kind].join(' | ')}`);
    if (m.covariate !== undefined && m.kind !== 'mean') fail('covariate', 'a covariate (CUPED) applies to mean metrics', 'drop covariate:, or make the metric kind: mean');
    if (method === 'cuped' && m.covariate === undefined) fail('method', 'cuped needs covariate: (the pre-period value of each unit)', 'e.g. covariate: pre_revenue');
    if (method !== 'cuped' && m.covariate !== undefined && m.kind === 'mean') fail('covariate', `a covariate is used by method cuped, not ${method}`, 'drop covariate: or the method');
    if (method === 'msprt' && m.tau === undefined)
      fail('method', 'msprt needs tau: (the mixing standard deviation)', 'set tau: to an effect size you expect, in the metric’s units (e.g. 0.02 for a rate)');
    if (method !== 'msprt' && m.tau !== undefined) fail('tau', 'tau: is used by method msprt only', 'drop tau: or set method: msprt');
  });
  return errors;
}
