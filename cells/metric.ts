import * as z from 'zod';
import { cellSchema, SQL_TIMEOUT, type AnalyzeContext, type CellType, type RunContext } from '../engine/cell-type.js';
import { QuireError, UserError, ValidationErrors } from '../engine/util/errors.js';
import { analyzeTemplate, isTemplate, plainLiquid } from '../engine/text/liquid.js';
import { didYouMean } from '../engine/util/suggest.js';
import { notebookCatalog } from '../engine/metrics/notebook-catalog.js';
import { planMetrics, computeIntoTable } from '../engine/metrics/compute.js';
import { resolveRequest, type MetricRequest, type RequestLocator } from '../engine/metrics/request.js';
import { COMPARES, GRAINS, specLabel } from '../engine/metrics/specs.js';
import type { MetricsOutput } from '../engine/outputs.js';

const schema = cellSchema('metric', {
  metrics: z.array(z.string()).min(1, 'list at least one metric').describe('Metric names (from the metrics folders or the notebook definitions)'),
  slices: z.array(z.string()).optional().describe('Slice names; several give their cross-product ("region|device")'),
  segments: z.array(z.string()).optional().describe('Segment names; "all" (no filter) is always included'),
  time_window: z.tuple([z.string(), z.string()]).optional().describe('[start, end) dates, Liquid over params'),
  grain: z.enum(GRAINS).optional().describe('all_time (default) | daily | weekly | monthly | quarterly | yearly'),
  compare: z.enum(COMPARES).optional().describe('previous_period | previous_year: adds comparison_value and change_pct'),
  timeout_ms: SQL_TIMEOUT.optional(),
});
export type MetricCellSpec = z.infer<typeof schema>;

/** Rows of the result kept in the report model (the KPI view pivots them; the table holds all). */
const PREVIEW_ROWS = 5000;

function locator(spec: MetricCellSpec, ctx: AnalyzeContext | RunContext): RequestLocator {
  return {
    who: `cell ${spec.id}`,
    item: (field, i) => ctx.source.locate([...ctx.path, field, i]),
    field: (f) => ctx.source.locate([...ctx.path, f]),
  };
}

function request(spec: MetricCellSpec, window: MetricRequest['window']): MetricRequest {
  return { metrics: spec.metrics, slices: spec.slices, segments: spec.segments, window, grain: spec.grain, compare: spec.compare };
}

/** A single error as itself; several as one error carrying every message. */
function oneError(errors: QuireError[]): QuireError {
  if (errors.length === 1) return errors[0];
  return new UserError(errors[0].code, errors.map((e) => e.message).join('; '), { location: errors[0].location, hint: errors[0].hint });
}

export const metricCell: CellType<MetricCellSpec> = {
  type: 'metric',
  description: 'Metrics × slices × segments over a time window, as the long metrics table',
  schema,
  timeoutMs: (spec, project) => spec.timeout_ms ?? project.config.sql_timeout_ms,
  outputKind: 'metrics',

  async analyze(spec, ctx) {
    const errors: QuireError[] = [];
    const { catalog, errors: specErrors } = await notebookCatalog(ctx.source, ctx.project, ctx.definitions, ctx.parser);
    errors.push(...specErrors);

    let window: MetricRequest['window'] = null;
    if (spec.time_window) {
      const [start, end] = spec.time_window.map((text, i) => {
        const path = [...ctx.path, 'time_window', i];
        const t = analyzeTemplate(text, ctx.source, path);
        if (t.error) errors.push(t.error);
        for (const v of t.variables.filter((v) => v !== 'params')) {
          errors.push(
            new UserError('E_LIQUID_VARIABLE', `time_window of cell ${spec.id} uses '${v}'; it sees only params`, {
              location: ctx.source.locate(path),
              hint: 'e.g. "{{ params.month_start }}"',
            }),
          );
        }
        // A template's value is known only at run time: check the rest with a stand-in date.
        return isTemplate(text) ? (i === 0 ? '2000-01-01' : '2000-01-02') : text;
      });
      window = { start, end };
    }
    const { resolved, errors: requestErrors } = resolveRequest(catalog, request(spec, window), ctx.project, locator(spec, ctx));
    errors.push(...requestErrors);

    const references = new Set<string>();
    const ids = [...ctx.cellIds];
    for (const m of resolved.closure) {
      const src = resolved.sources.get(m.name);
      if (src?.reference) references.add(src.reference);
      for (const e of [m.num, m.den, ...m.filterExprs]) for (const t of e?.tables ?? []) references.add(t);
      if (src?.kind === 'cell') {
        const id = src.reference!;
        const at = m.origin.source.locate([...m.origin.path, 'source']);
        if (id === spec.id || !ids.includes(id)) {
          const dym = didYouMean(
            id,
            ids.filter((x) => x !== spec.id),
          );
          errors.push(
            new UserError(
              'E_METRIC_SOURCE',
              id === spec.id ? `${specLabel(m)} reads cell:${id}, the metric cell itself` : `${specLabel(m)} reads cell:${id}, which is not a cell of this notebook${dym ? ` — ${dym}` : ''}`,
              {
                location: at,
                hint: `cell ${spec.id} uses this metric; cell:<id> names an earlier cell whose table the metric reads`,
              },
            ),
          );
        }
      }
    }
    for (const s of [...resolved.slices, ...resolved.segments]) for (const t of s.tables) references.add(t);
    references.delete(spec.id);
    // Server data has no file to fingerprint: the cell is keyed on its (first) server connection's
    // declared `cache:`, and never cached without one.
    const server = resolved.closure.map((m) => resolved.sources.get(m.name)?.server?.connection).find((c) => c !== undefined);
    return { references: [...references], errors, ...(server ? { reads: { connection: server } } : {}) };
  },

  async run(spec, ctx) {
    const { catalog, allErrors } = await notebookCatalog(ctx.source, ctx.project, ctx.definitions, ctx.conn);
    if (allErrors.length) throw oneError(allErrors);
    let window: MetricRequest['window'] = null;
    if (spec.time_window) {
      const [start, end] = spec.time_window.map((text) => {
        if (!isTemplate(text)) return text;
        return plainLiquid().parseAndRenderSync(text, { params: ctx.params.values }).trim();
      });
      window = { start, end };
    }
    let planned: Awaited<ReturnType<typeof planMetrics>>;
    try {
      planned = await planMetrics(ctx.conn, catalog, request(spec, window), ctx.project, locator(spec, ctx));
    } catch (err) {
      throw err instanceof ValidationErrors ? oneError(err.errors) : err;
    }
    const { resolved, compiled } = planned;
    ctx.logger.log(
      'info',
      `cell ${spec.id}: ${resolved.metrics.length} metric(s) in ${compiled.scans.length} scan(s): ${compiled.scans.map((s) => `${s.connection ? `${s.connection} (on the server): ` : ''}${s.source} [${s.metrics.join(', ')}]`).join('; ')}`,
    );
    try {
      await computeIntoTable(ctx.conn, resolved, compiled, spec.id, { connection: (name) => ctx.connection(name), signal: ctx.signal, timeoutMs: metricCell.timeoutMs!(spec, ctx.project) });
    } catch (err) {
      if (err instanceof ValidationErrors) throw oneError(err.errors);
      if (err instanceof QuireError && !err.location) {
        throw new UserError(err.code, `cell ${spec.id}: ${err.message}`, { location: ctx.source.locate(ctx.path), hint: err.hint, cause: err });
      }
      throw err;
    }
    const output: MetricsOutput = {
      kind: 'metrics',
      table: await ctx.readTable(spec.id, PREVIEW_ROWS),
      metrics: resolved.metrics.map((m) => ({
        name: m.name,
        display_name: m.display_name ?? m.name,
        unit: m.unit ?? 'number',
        ...(m.description ? { description: m.description } : {}),
        ...(m.good ? { good: m.good } : {}),
      })),
      grain: resolved.grain,
      compare: resolved.compare,
    };
    return output;
  },
};
