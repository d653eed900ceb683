/**
 * A metric request (from a metric cell or `quire metrics compute`) checked against the catalog:
 * names exist (else "did you mean"), time needs a time_column, compare needs periods.
 */
import { QuireError, UserError, type SourceLocation } from '../util/errors.js';
import type { Project } from '../project.js';
import { didYouMean } from '../util/suggest.js';
import type { MetricCatalog } from './catalog.js';
import { metricClosure } from './derived.js';
import { comparisonWindow, parseIsoDate, type Window } from './periods.js';
import { resolveSource, type ResolvedSource } from './sources.js';
import { specLabel, type Compare, type Grain, type MetricSpec, type SegmentSpec, type SliceSpec } from './specs.js';

export interface MetricRequest {
  metrics: string[];
  slices?: string[];
  segments?: string[];
  /** `[start, end)`, dates 'YYYY-MM-DD'. */
  window?: Window | null;
  grain?: Grain;
  compare?: Compare | null;
}

/** Where the parts of a request are written (a metric cell), for located errors. */
export interface RequestLocator {
  item(field: 'metrics' | 'slices' | 'segments', index: number): SourceLocation | undefined;
  field(field: 'time_window' | 'grain' | 'compare'): SourceLocation | undefined;
  /** Who asks, e.g. "cell kpis". */
  who: string;
}

export interface ResolvedRequest {
  /** Requested metrics, in the order asked. */
  metrics: MetricSpec[];
  /** Everything to compute: requested metrics and what derived ones use, each after its inputs. */
  closure: MetricSpec[];
  slices: SliceSpec[];
  segments: SegmentSpec[];
  window: Window | null;
  grain: Grain;
  compare: Compare | null;
  /** Source of each non-derived metric of the closure, by metric name. */
  sources: Map<string, ResolvedSource>;
}

const KIND = { metrics: 'metric', slices: 'slice', segments: 'segment' } as const;

export function resolveRequest(catalog: MetricCatalog, req: MetricRequest, project: Project, locator?: RequestLocator): { resolved: ResolvedRequest; errors: QuireError[] } {
  const errors: QuireError[] = [];
  const who = locator?.who ?? 'the request';
  const lookup = <T>(field: 'metrics' | 'slices' | 'segments', names: readonly string[], map: Map<string, T>): T[] => {
    const out: T[] = [];
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name) || (field === 'segments' && name === 'all')) return; // 'all' is always there
      seen.add(name);
      const spec = map.get(name);
      if (spec) {
        out.push(spec);
        return;
      }
      if (catalog.broken.has(`${KIND[field]}:${name}`)) {
        errors.push(
          new UserError('E_METRIC_BROKEN', `${who} uses ${KIND[field]} '${name}', whose spec has problems (reported with it)`, { location: locator?.item(field, i), hint: 'fix the spec first' }),
        );
        return;
      }
      const known = [...map.keys()];
      const dym = didYouMean(name, known);
      errors.push(
        new UserError('E_METRIC_UNKNOWN', `unknown ${KIND[field]} '${name}' in ${who}${dym ? ` — ${dym}` : ''}`, {
          location: locator?.item(field, i),
          hint: known.length ? `${field} defined: ${known.join(', ')}` : `no ${field} are defined: add specs under the metrics folder or the notebook's definitions`,
        }),
      );
    });
    return out;
  };
  const metrics = lookup('metrics', req.metrics, catalog.metrics);
  const slices = lookup('slices', req.slices ?? [], catalog.slices);
  const segments = lookup('segments', req.segments ?? [], catalog.segments);
  const grain = req.grain ?? 'all_time';
  const compare = req.compare ?? null;
  const window = req.window ?? null;

  if (window) {
    const s = parseIsoDate(window.start);
    const e = parseIsoDate(window.end);
    const bad = !s ? window.start : !e ? window.end : null;
    if (bad !== null) {
      errors.push(
        new UserError('E_METRIC_WINDOW', `time_window bound ${JSON.stringify(bad)} is not a date (YYYY-MM-DD) in ${who}`, {
          location: locator?.field('time_window'),
          hint: 'e.g. time_window: ["{{ params.month_start }}", "{{ params.month_end }}"] — the end is exclusive',
        }),
      );
    } else if (s! >= e!) {
      errors.push(
        new UserError('E_METRIC_WINDOW', `time_window [${window.start}, ${window.end}) is empty in ${who}: the start must come before the end`, {
          location: locator?.field('time_window'),
          hint: 'windows are [start, end): the end date is not included',
        }),
      );
    } else if (compare === 'previous_year' && grain === 'all_time' && comparisonWindow(window, compare).end > window.start) {
      errors.push(
        new UserError('E_METRIC_COMPARE', `compare: previous_year needs a time_window of at most a year in ${who}`, {
          location: locator?.field('compare'),
          hint: 'use a grain (e.g. grain: monthly) to compare each period with a year earlier',
        }),
      );
    }
  }
  if (compare && grain === 'all_time' && !window) {
    errors.push(
      new UserError('E_METRIC_COMPARE', `compare: ${compare} needs a time_window or a grain in ${who}`, {
        location: locator?.field('compare'),
        hint: 'add time_window: [start, end), or a grain such as monthly',
      }),
    );
  }

  const closure = metricClosure(
    catalog.metrics,
    metrics.map((m) => m.name),
  );
  const timed = window !== null || grain !== 'all_time' || compare !== null;
  const sources = new Map<string, ResolvedSource>();
  for (const m of closure) {
    if (m.aggregation === 'derived') continue;
    if (timed && !m.time_column) {
      const what = window ? 'time_window' : grain !== 'all_time' ? 'grain' : 'compare';
      errors.push(
        new UserError('E_METRIC_TIME', `${specLabel(m)} has no time_column, so ${who} can't use it with a ${what}`, {
          location: locator?.field(what) ?? m.origin.source.locate(m.origin.path),
          hint: `add time_column: to the metric at ${m.origin.source.locate(m.origin.path).file}:${m.origin.source.locate(m.origin.path).line}, or drop the ${what}`,
        }),
      );
    }
    const src = resolveSource(m, project);
    if (src instanceof QuireError) errors.push(src);
    else sources.set(m.name, src);
  }
  // With errors, `resolved` holds what could be resolved (for further checks), not a runnable request.
  return { resolved: { metrics, closure, slices, segments, window, grain, compare, sources }, errors };
}
