/**
 * Quire's public API for programs. Everything else is internal.
 *
 * @example
 *   import { loadNotebook, runNotebook } from 'quire';
 *   const nb = loadNotebook('notebooks/monthly-review.yaml');
 *   const { manifest, reportPath } = await runNotebook(nb, { params: { month: '2026-10', region: 'EU' } });
 */
export { loadNotebook } from './notebooks.js';
export type { Notebook, NotebookCell } from './notebook/load.js';
export { validateNotebook } from './validate.js';
export { runNotebook } from './exec/run.js';
export type { CacheMode, RunOptions, RunResult } from './exec/run.js';
export { listRuns, findRun } from './runs/runs.js';
export type { RunManifest, CellRecord } from './runs/runs.js';
export { notebookJsonSchema } from './notebooks.js';
export { QuireError, UserError, OperationalError, ValidationErrors, formatError } from './util/errors.js';
export type { CellType } from './cell-type.js';
export { cellTypes } from '../cells/index.js';
export type { LoadOptions } from './notebooks.js';

/**
 * The pools and caches runs keep (DuckDB instances, parsed notebooks, the code cell's workers),
 * owned by one object: a long-lived program makes one, passes it to every call, and closes it;
 * two states share nothing. Calls given none use the process's own (`processState()`).
 *
 * @example
 *   const state = new EngineState();
 *   try {
 *     const nb = loadNotebook('notebooks/monthly-review.yaml', { state });
 *     await runNotebook(nb, { params: { month: '2026-10' }, state });
 *   } finally {
 *     await state.close(); // no timer or handle of it is left
 *   }
 */
export { EngineState, processState } from './util/state.js';
export type { StateKey } from './util/state.js';

/**
 * Reports of a run in other formats; one PdfRenderer (one Chromium) can serve many exports.
 *
 * @example
 *   const pdf = await PdfRenderer.launch();
 *   await runNotebook('notebooks/monthly-review.yaml', { exports: ['html', 'pdf'], pdf });
 *   await pdf.close();
 */
export { writeExports, ExportError } from './export/write.js';
export { EXPORTERS, EXPORT_FORMATS } from './export/index.js';
export type { ExportFormat, Exporter } from './export/index.js';
export { PdfRenderer } from './report/pdf/index.js';

/**
 * The metric engine without a notebook.
 *
 * @example
 *   const { catalog } = await loadCatalog({ project, parser: conn });
 *   const { resolved, compiled } = await planMetrics(conn, catalog, { metrics: ['total_revenue'], grain: 'monthly' }, project);
 *   const { rows } = await computeRows(conn, resolved, compiled);
 */
export { loadCatalog, planMetrics, computeRows } from './metrics/index.js';
export { loadProject } from './project.js';
