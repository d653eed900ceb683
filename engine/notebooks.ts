/** Notebooks read with Quire's built-in cell types (cells/index.ts) and export formats (export/index.ts): what commands and programs call. */
import { cellTypes } from '../cells/index.js';
import { PARSED_NOTEBOOKS, readNotebook as readWith, type Notebook } from './notebook/load.js';
import { notebookJsonSchemaOf } from './notebook/json-schema.js';
import { ValidationErrors, type QuireError } from './util/errors.js';
import { processState, type EngineState } from './util/state.js';
import { EXPORT_FORMATS } from './export/index.js';
import { checkExportFormats } from './export/check.js';

export interface LoadOptions {
  /** The engine state whose parse cache serves and keeps the notebook; default: the process's own (processState). */
  state?: EngineState;
}

/** Reads and checks a notebook; every problem found is thrown at once as a ValidationErrors. */
export function loadNotebook(path: string, opts: LoadOptions = {}): Notebook {
  const { notebook, errors } = readNotebook(path, opts);
  if (errors.length || !notebook) throw new ValidationErrors(errors);
  return notebook;
}

/** Reads a notebook leniently: the problems so far and whatever passed (see notebook/load.ts). */
export function readNotebook(path: string, opts: LoadOptions = {}): { notebook: Notebook | null; errors: QuireError[] } {
  const read = readWith(path, cellTypes, (opts.state ?? processState()).get(PARSED_NOTEBOOKS));
  if (!read.notebook) return read;
  const formats = checkExportFormats(read.notebook.source);
  return formats.length ? { notebook: read.notebook, errors: [...read.errors, ...formats] } : read;
}

/** The notebook JSON Schema for editors, over every built-in cell type and export format. */
export function notebookJsonSchema(): Record<string, unknown> {
  return notebookJsonSchemaOf(cellTypes, EXPORT_FORMATS);
}
