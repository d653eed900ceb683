/** Notebooks read with Quire's built-in cell types (cells/index.ts): what commands and programs call. */
import { cellTypes } from '../cells/index.js';
import { loadNotebook as loadWith, readNotebook as readWith, type Notebook } from './notebook/load.js';
import { notebookJsonSchemaOf } from './notebook/json-schema.js';
import { PARSED_NOTEBOOKS } from './notebook/load.js';
import type { QuireError } from './util/errors.js';
import { processState, type EngineState } from './util/state.js';

export interface LoadOptions {
  /** The engine state whose parse cache serves and keeps the notebook; default: the process's own (processState). */
  state?: EngineState;
}

/** Reads and checks a notebook; every problem found is thrown at once as a ValidationErrors. */
export function loadNotebook(path: string, opts: LoadOptions = {}): Notebook {
  return loadWith(path, cellTypes, (opts.state ?? processState()).get(PARSED_NOTEBOOKS));
}

/** Reads a notebook leniently: the problems so far and whatever passed (see notebook/load.ts). */
export function readNotebook(path: string, opts: LoadOptions = {}): { notebook: Notebook | null; errors: QuireError[] } {
  return readWith(path, cellTypes, (opts.state ?? processState()).get(PARSED_NOTEBOOKS));
}

/** The notebook JSON Schema for editors, over every built-in cell type. */
export function notebookJsonSchema(): Record<string, unknown> {
  return notebookJsonSchemaOf(cellTypes);
}
