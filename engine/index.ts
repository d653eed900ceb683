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
export type { RunOptions, RunResult } from './exec/run.js';
export { listRuns, findRun } from './runs/runs.js';
export type { RunManifest, CellRecord } from './runs/runs.js';
export { notebookJsonSchema } from './notebooks.js';
export { QuireError, UserError, OperationalError, ValidationErrors, formatError } from './util/errors.js';
export type { CellType } from './cell-type.js';
export { cellTypes } from '../cells/index.js';

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
