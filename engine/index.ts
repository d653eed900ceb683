/**
 * Quire's public API for programs. Everything else is internal.
 *
 * @example
 *   import { loadNotebook, runNotebook } from 'quire';
 *   const nb = loadNotebook('notebooks/monthly-review.yaml');
 *   const { manifest, reportPath } = await runNotebook(nb, { params: { month: '2026-10', region: 'EU' } });
 */
export { loadNotebook } from './notebook/load.js';
export type { Notebook, NotebookCell } from './notebook/load.js';
export { validateNotebook } from './validate.js';
export { runNotebook } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { listRuns, findRun } from './runs.js';
export type { RunManifest, CellRecord } from './runs.js';
export { notebookJsonSchema } from './notebook/json-schema.js';
export { QuireError, UserError, OperationalError, ValidationErrors, formatError } from './errors.js';
export type { CellType } from './cell-type.js';
export { cellTypes } from '../cells/index.js';
