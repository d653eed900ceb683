/**
 * The metric catalog for the server: search by words and category, a metric's definition and the
 * SQL it compiles to, and ad-hoc compute (metrics × slices × segments, grain, window, compare)
 * returning the long table — the same engine calls as `quire metrics list | show | compute`.
 */
import { z } from 'zod';
import { DUCK_POOL } from '../../duck/duck-pool.js';
import type { DuckSession } from '../../duck/duck.js';
import { loadCatalog, type MetricCatalog } from '../../metrics/catalog.js';
import { computeRows, planMetrics } from '../../metrics/compute.js';
import { openMetricsSession, specFields } from '../../metrics/session.js';
import { COMPARES, GRAINS, SPEC_NAME, type MetricSpec } from '../../metrics/specs.js';
import { parseIsoDate } from '../../metrics/periods.js';
import { UserError, errorToJson, type QuireError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import type { ServiceContext } from './context.js';

const specName = z.string().regex(SPEC_NAME, 'a spec name: lowercase letters, digits and _');
const isoDate = z.string().refine((s) => parseIsoDate(s) !== null, 'a date YYYY-MM-DD');

export const metricsQuerySchema = z.object({
  /** Words matched in name, display name, description and category. */
  q: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
});

const problemSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().nullable(), location: z.unknown() });

export const metricSummarySchema = z.object({
  name: z.string(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  category: z.string(),
  unit: z.string(),
  aggregation: z.string(),
  source: z.string().optional(),
});

export const metricsCatalogSchema = z.object({
  metrics: z.array(metricSummarySchema),
  slices: z.array(z.object({ name: z.string(), display_name: z.string().optional(), description: z.string().optional() })),
  segments: z.array(z.object({ name: z.string(), display_name: z.string().optional(), description: z.string().optional() })),
  /** Every category of the catalog (for the filter), not only those of the matches. */
  categories: z.array(z.string()),
  /** Specs that could not be loaded (the rest are listed). */
  problems: z.array(problemSchema),
});

export const metricDetailSchema = z.object({
  kind: z.enum(['metric', 'slice', 'segment']),
  name: z.string(),
  /** The spec's fields as written. */
  definition: z.record(z.string(), z.unknown()),
  /** Where it is defined: file:line. */
  defined_at: z.string(),
  /** A metric's SQL for its whole history (all_time, no window); null for slices and segments. */
  sql: z.string().nullable(),
  scans: z.array(z.object({ source: z.string(), metrics: z.array(z.string()), strategy: z.string() })),
});

export const computeRequestSchema = z
  .object({
    metrics: z.array(specName).min(1).max(20),
    slices: z.array(specName).max(3).default([]),
    segments: z.array(specName).max(10).default([]),
    grain: z.enum(GRAINS).default('all_time'),
    /** Window [from, to): `to` is not included. */
    from: isoDate.optional(),
    to: isoDate.optional(),
    compare: z.enum(COMPARES).optional(),
  })
  .refine((r) => (r.from === undefined) === (r.to === undefined), { message: 'give both from and to (a window is [from, to))', path: ['to'] });

export const computeResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.record(z.string(), z.unknown())),
  row_count: z.number(),
  /** More rows than the limit: only the first `rows.length` are returned. */
  truncated: z.boolean(),
  sql: z.string(),
});

export type MetricsQuery = z.infer<typeof metricsQuerySchema>;
export type MetricsCatalog = z.infer<typeof metricsCatalogSchema>;
export type MetricDetail = z.infer<typeof metricDetailSchema>;
export type ComputeRequest = z.input<typeof computeRequestSchema>;
export type ComputeResult = z.infer<typeof computeResultSchema>;

/** Rows a compute returns at most (the long table of a daily grain over years, sliced, is large). */
export const COMPUTE_ROW_LIMIT = 5000;
/** A web compute is interrupted after this long (a notebook's cells have their own timeouts). */
export const COMPUTE_TIMEOUT_MS = 30_000;

async function withCatalog<T>(ctx: ServiceContext, withDatabase: boolean, fn: (session: DuckSession, catalog: MetricCatalog, errors: QuireError[]) => Promise<T>): Promise<T> {
  const session = await openMetricsSession(ctx.project, withDatabase, ctx.state.get(DUCK_POOL));
  try {
    const { catalog, errors } = await loadCatalog({ project: ctx.project, parser: await session.connect() });
    return await fn(session, catalog, errors);
  } finally {
    session.close();
  }
}

const categoryOf = (m: MetricSpec) => m.category ?? 'uncategorized';
const described = (s: { name: string; display_name?: string; description?: string }) => ({ name: s.name, display_name: s.display_name, description: s.description });

export async function metricsCatalog(ctx: ServiceContext, query: MetricsQuery = {}): Promise<MetricsCatalog> {
  const { q, category } = metricsQuerySchema.parse(query);
  return withCatalog(ctx, false, async (_session, catalog, errors) => {
    const all = [...catalog.metrics.values()];
    const categories = [...new Set(all.map(categoryOf))].sort();
    if (category !== undefined && !categories.includes(category)) {
      const dym = didYouMean(category, categories);
      throw new UserError('E_BAD_ARGUMENT', `no metrics in category '${category}'${dym ? ` — ${dym}` : ''}`, { hint: `categories: ${categories.join(', ')}` });
    }
    const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (m: MetricSpec) => {
      const text = [m.name, m.display_name, m.description, categoryOf(m)].filter(Boolean).join(' ').toLowerCase();
      return words.every((w) => text.includes(w));
    };
    const metrics = all
      .filter((m) => (category === undefined || categoryOf(m) === category) && matches(m))
      .sort((a, b) => categoryOf(a).localeCompare(categoryOf(b)) || a.name.localeCompare(b.name))
      .map((m) => ({ ...described(m), category: categoryOf(m), unit: m.unit ?? 'number', aggregation: m.aggregation, source: m.source }));
    return {
      metrics,
      slices: [...catalog.slices.values()].map(described),
      segments: [...catalog.segments.values()].map(described),
      categories,
      problems: errors.map((e) => errorToJson(e) as z.infer<typeof problemSchema>),
    };
  });
}

/** A metric, slice or segment by name; an unknown name is E_METRIC_UNKNOWN with "did you mean". */
export async function metricDetail(ctx: ServiceContext, name: string): Promise<MetricDetail> {
  return withCatalog(ctx, false, async (session, catalog) => {
    const spec = catalog.metrics.get(name) ?? catalog.slices.get(name) ?? catalog.segments.get(name);
    if (!spec) {
      const all = [...catalog.metrics.keys(), ...catalog.slices.keys(), ...catalog.segments.keys()];
      const dym = didYouMean(name, all);
      const broken = [...catalog.broken].some((b) => b.endsWith(`:${name}`));
      throw new UserError(broken ? 'E_METRIC_BROKEN' : 'E_METRIC_UNKNOWN', broken ? `the spec '${name}' has problems` : `no metric, slice or segment named '${name}'${dym ? ` — ${dym}` : ''}`, {
        hint: broken ? '`quire metrics validate` names them' : 'the metrics catalog lists them all',
      });
    }
    const at = spec.origin.source.locate(spec.origin.path);
    const base = { kind: spec.kind, name: spec.name, definition: specFields(spec), defined_at: `${at.file}:${at.line}` };
    if (spec.kind !== 'metric') return { ...base, sql: null, scans: [] };
    const { compiled } = await planMetrics(await session.connect(), catalog, { metrics: [name] }, ctx.project);
    return { ...base, sql: compiled.sql, scans: compiled.scans.map((s) => ({ source: s.source, metrics: s.metrics, strategy: s.strategy })) };
  });
}

/** Computes a request on the project database (read-only); at most `limit` rows come back. */
export async function computeMetrics(ctx: ServiceContext, request: ComputeRequest, opts: { limit?: number; timeoutMs?: number } = {}): Promise<ComputeResult> {
  const r = computeRequestSchema.parse(request);
  const limit = opts.limit ?? COMPUTE_ROW_LIMIT;
  return withCatalog(ctx, true, async (session, catalog) => {
    const conn = await session.connect();
    const { resolved, compiled } = await planMetrics(
      conn,
      catalog,
      { metrics: r.metrics, slices: r.slices, segments: r.segments, grain: r.grain, window: r.from ? { start: r.from, end: r.to! } : null, compare: r.compare ?? null },
      ctx.project,
    );
    const timeoutMs = opts.timeoutMs ?? COMPUTE_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutMs);
    try {
      const { columns, rows } = await computeRows(conn, resolved, compiled);
      return {
        columns,
        rows: rows.slice(0, limit).map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null]))),
        row_count: rows.length,
        truncated: rows.length > limit,
        sql: compiled.sql,
      };
    } catch (err) {
      if (timedOut) {
        throw new UserError('E_METRIC_TIMEOUT', `computing took longer than ${timeoutMs / 1000} s and was stopped`, {
          hint: 'narrow the window, use a coarser grain or fewer slices; a notebook runs long computations with its own timeout',
          cause: err,
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  });
}
