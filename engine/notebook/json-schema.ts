import * as z from 'zod';
import { notebookDocumentSchema } from './schema.js';
import type { CellTypes } from '../cell-type.js';

/** The notebook JSON Schema for editors (yaml-language-server), generated from the zod schemas. */
export function notebookJsonSchemaOf(cellTypes: CellTypes, exportFormats: readonly string[]): Record<string, unknown> {
  const schema = z.toJSONSchema(notebookDocumentSchema(cellTypes, exportFormats), { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://quire.dev/schema/notebook.schema.json',
    title: 'Quire notebook',
    description: 'A Quire notebook: params, cells (query, text, ...), exports and schedules',
  };
}
