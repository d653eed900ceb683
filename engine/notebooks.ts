/** Notebooks read with Quire's built-in cell types (cells/index.ts): what commands and programs call. */
import { cellTypes } from '../cells/index.js';
import { loadNotebook as loadWith, readNotebook as readWith, type Notebook } from './notebook/load.js';
import { notebookJsonSchemaOf } from './notebook/json-schema.js';
import type { QuireError } from './util/errors.js';

/** Reads and checks a notebook; every problem found is thrown at once as a ValidationErrors. */
export function loadNotebook(path: string): Notebook {
  return loadWith(path, cellTypes);
}

/** Reads a notebook leniently: the problems so far and whatever passed (see notebook/load.ts). */
export function readNotebook(path: string): { notebook: Notebook | null; errors: QuireError[] } {
  return readWith(path, cellTypes);
}

/** The notebook JSON Schema for editors, over every built-in cell type. */
export function notebookJsonSchema(): Record<string, unknown> {
  return notebookJsonSchemaOf(cellTypes);
}
