// Sufficient statistics per variant → the readout rows: one per (variant, metric), control first,
// each treatment compared with control by the metric's method, p-values corrected together.
import { adjustPValues, srmPValue, type Correction } from '../../engine/stats/experiment-corrections.js';
import {
  credibleInterval,
  cupedAdjust,
  deltaRatio,
  msprt,
  probabilityToBeat,
  ratioOf,
  twoProportion,
  welch,
  type Comparison,
  type Moments,
  type PairMoments,
} from '../../engine/stats/experiment-tests.js';
import { methodOf, type ExperimentMetric, type ExperimentSpec, type Method } from './spec.js';
import type { MetricStats, VariantStats } from './sql.js';

export interface ReadoutRow {
  variant: string;
  metric: string;
  method: Method;
  n: number;
  value: number | null;
  diff: number | null;
  rel_diff: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  significant: boolean | null;
  prob_beat_control: number | null;
  srm_p_value: number | null;
}

export const READOUT_COLUMNS: { name: keyof ReadoutRow; type: string }[] = [
  { name: 'variant', type: 'VARCHAR' },
  { name: 'metric', type: 'VARCHAR' },
  { name: 'method', type: 'VARCHAR' },
  { name: 'n', type: 'BIGINT' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'diff', type: 'DOUBLE' },
  { name: 'rel_diff', type: 'DOUBLE' },
  { name: 'ci_low', type: 'DOUBLE' },
  { name: 'ci_high', type: 'DOUBLE' },
  { name: 'p_value', type: 'DOUBLE' },
  { name: 'p_value_adjusted', type: 'DOUBLE' },
  { name: 'significant', type: 'BOOLEAN' },
  { name: 'prob_beat_control', type: 'DOUBLE' },
  { name: 'srm_p_value', type: 'DOUBLE' },
];

const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

const moments = (s: MetricStats): Moments => ({ n: s.n, mean: s.meanY, variance: s.varY });
const pair = (s: MetricStats): PairMoments => ({ n: s.n, meanY: s.meanY, varY: s.varY, meanX: s.meanX, varX: s.varX, covXY: s.covXY });
const counts = (s: MetricStats) => ({ n: s.n, successes: s.sum });

interface Read {
  value: number;
  /** Variance of the value (for the sequential test). */
  variance: number;
}

/** Each variant's value of a metric (CUPED: adjusted means over every variant's units). */
function valuesOf(metric: ExperimentMetric, method: Method, stats: MetricStats[]): Read[] {
  if (method === 'cuped') return cupedAdjust(stats.map(pair)).adjusted.map((m) => ({ value: m.mean, variance: m.variance / m.n }));
  if (metric.kind === 'ratio') return stats.map((s) => ratioOf(pair(s)));
  if (method === 'bayesian') return stats.map((s) => ({ value: (1 + s.sum) / (2 + s.n), variance: Number.NaN }));
  if (metric.kind === 'proportion') return stats.map((s) => ({ value: s.meanY, variance: (s.meanY * (1 - s.meanY)) / s.n }));
  return stats.map((s) => ({ value: s.meanY, variance: s.varY / s.n }));
}

function compare(metric: ExperimentMetric, method: Method, c: MetricStats, t: MetricStats, reads: [Read, Read], alpha: number, cuped: [Moments, Moments] | null): Comparison & { prob?: number } {
  switch (method) {
    case 'z':
      return twoProportion(counts(c), counts(t), alpha);
    case 'bayesian':
      return { ...credibleInterval(counts(c), counts(t), alpha), prob: probabilityToBeat(counts(c), counts(t)) };
    case 'welch':
      return welch(moments(c), moments(t), alpha);
    case 'cuped':
      return welch(cuped![0], cuped![1], alpha);
    case 'delta':
      return deltaRatio(pair(c), pair(t), alpha);
    case 'msprt':
      return msprt(reads[1].value - reads[0].value, reads[0].variance + reads[1].variance, metric.tau!, alpha);
  }
}

/** The readout rows; `order` lists the variants, control first (statistics of each in `stats`). */
export function readout(spec: ExperimentSpec, order: string[], stats: Map<string, VariantStats>, srm: number | null): ReadoutRow[] {
  const alpha = spec.alpha ?? 0.05;
  const rows: ReadoutRow[] = [];
  spec.metrics.forEach((metric, i) => {
    const method = methodOf(metric);
    const per = order.map((v) => stats.get(v)!.metrics[i]);
    const reads = valuesOf(metric, method, per);
    const adjusted = method === 'cuped' ? cupedAdjust(per.map(pair)).adjusted : null;
    order.forEach((variant, k) => {
      const base = { variant, metric: metric.name, method, n: per[k].n, value: finite(reads[k].value), srm_p_value: srm };
      if (k === 0) {
        rows.push({ ...base, diff: null, rel_diff: null, ci_low: null, ci_high: null, p_value: null, p_value_adjusted: null, significant: null, prob_beat_control: null });
        return;
      }
      const r = compare(metric, method, per[0], per[k], [reads[0], reads[k]], alpha, adjusted ? [adjusted[0], adjusted[k]] : null);
      const control = reads[0].value;
      rows.push({
        ...base,
        diff: finite(r.diff),
        rel_diff: finite(control === 0 ? Number.NaN : r.diff / control),
        ci_low: finite(r.ciLow),
        ci_high: finite(r.ciHigh),
        p_value: method === 'bayesian' ? null : finite(r.pValue),
        p_value_adjusted: null,
        significant: null,
        prob_beat_control: finite(r.prob),
      });
    });
  });
  const correction: Correction = spec.correction ?? 'holm';
  adjustPValues(
    rows.map((r) => r.p_value),
    correction,
  ).forEach((p, i) => {
    const row = rows[i];
    if (row.diff === null && row.prob_beat_control === null) return;
    row.p_value_adjusted = finite(p);
    if (row.method === 'bayesian') row.significant = row.prob_beat_control === null ? null : row.prob_beat_control >= 1 - alpha || row.prob_beat_control <= alpha;
    else row.significant = row.p_value_adjusted === null ? null : row.p_value_adjusted < alpha;
  });
  return rows;
}

/** The sample-ratio p-value of the variants' unit counts against the planned split (equal without one). */
export function srmOf(order: string[], stats: Map<string, VariantStats>, split: Record<string, number> | undefined): number | null {
  if (order.length < 2) return null;
  return finite(
    srmPValue(
      order.map((v) => stats.get(v)!.units),
      split ? order.map((v) => split[v]) : undefined,
    ),
  );
}
