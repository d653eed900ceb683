// The run of a metric cell, loaded when one runs: the metric compiler and its scans.
import type { RunContext } from '../../engine/cell-type.js';
import { QuireError, UserError, ValidationErrors } from '../../engine/util/errors.js';
import { isTemplate, plainLiquid } from '../../engine/text/liquid.js';
import { notebookCatalog } from '../../engine/metrics/notebook-catalog.js';
import { planMetrics, computeIntoTable } from '../../engine/metrics/compute.js';
import type { MetricRequest } from '../../engine/metrics/request.js';
import type { MetricsOutput } from '../../engine/outputs.js';
import { locator, request, type MetricCellSpec } from './spec.js';

/** Rows of the result kept in the report model (the KPI view pivots them; the table holds all). */
const PREVIEW_ROWS = 5000;

/** A single error as itself; several as one error carrying every message. */
function oneError(errors: QuireError[]): QuireError {
  if (errors.length === 1) return errors[0];
  return new UserError(errors[0].code, errors.map((e) => e.message).join('; '), { location: errors[0].location, hint: errors[0].hint });
}

/** Runs the cell (interrupted after `timeoutMs`): the long metrics table into the results catalog, and its output. */
export async function runMetric(spec: MetricCellSpec, ctx: RunContext, timeoutMs: number | undefined): Promise<MetricsOutput> {
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
    await computeIntoTable(ctx.conn, resolved, compiled, spec.id, { connection: (name) => ctx.connection(name), signal: ctx.signal, timeoutMs });
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
}
