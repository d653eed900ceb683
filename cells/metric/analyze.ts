// What validate checks of a metric cell, loaded only for notebooks with one: it reads the metric catalog and resolves the request.
import type { AnalyzeContext, CellAnalysis } from '../../engine/cell-type.js';
import { UserError, type QuireError } from '../../engine/util/errors.js';
import { analyzeTemplate, isTemplate } from '../../engine/text/liquid.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { notebookCatalog } from '../../engine/metrics/notebook-catalog.js';
import { resolveRequest, type MetricRequest } from '../../engine/metrics/request.js';
import { specLabel } from '../../engine/metrics/specs.js';
import { locator, request, type MetricCellSpec } from './spec.js';

/** The cell's references (the cells and tables its metrics read) and its problems. */
export async function analyzeMetric(spec: MetricCellSpec, ctx: AnalyzeContext): Promise<CellAnalysis> {
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
}
