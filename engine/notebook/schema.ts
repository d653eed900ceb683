import * as z from 'zod';
import { paramsSchema } from '../params/index.js';
import { baseCellShape, type CellTypes } from '../cell-type.js';
import { sourcesSchema } from '../file-sources/index.js';

export const NOTEBOOK_ID = /^[a-z][a-z0-9_-]*$/;

/** Export format names: checked against the exporters by the layer that has them (export/check.ts). */
const formatNames = z.array(z.string().min(1));

const specBodies = z.array(z.record(z.string(), z.unknown()));

export const scheduleSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'schedule names are lowercase letters, digits, - and _'),
  cron: z.string().min(1).describe('5 fields (6 with seconds)'),
  timezone: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
  export: formatNames.optional(),
  email: z
    .strictObject({
      to: z.array(z.string()).min(1),
      cc: z.array(z.string()).optional(),
      subject: z.string().optional(),
      attach: formatNames.optional(),
      owner: z.string().optional(),
      send_if: z.array(z.string()).optional(),
    })
    .optional(),
  missed: z.enum(['skip', 'once', 'all']).optional(),
  overlap: z.enum(['skip', 'queue']).optional(),
  retries: z.number().int().min(0).max(10).optional(),
});

/** The top level; `cells` items are checked one by one against their cell type's schema. */
export const notebookSchema = z.strictObject({
  id: z.string().regex(NOTEBOOK_ID, 'notebook ids are lowercase letters, digits, - and _').optional(),
  title: z.string().min(1).describe('Report title (Liquid over params)'),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  params: paramsSchema.optional(),
  sources: sourcesSchema.optional().describe('Files (.xlsx, .csv, .tsv, .parquet) that become tables of their name, beside those of quire.yaml'),
  definitions: z.strictObject({ metrics: specBodies.optional(), slices: specBodies.optional(), segments: specBodies.optional() }).optional(),
  cells: z.array(z.unknown()).min(1, 'a notebook needs at least one cell'),
  export: formatNames.optional(),
  schedules: z.array(scheduleSchema).optional(),
  theme: z.enum(['light', 'dark']).optional(),
});

export type NotebookTop = z.infer<typeof notebookSchema>;

/** The schema a cell's `type:` is checked against before its own schema. */
export const cellHeadSchema = z.looseObject({ id: baseCellShape.id, type: z.string() });

/** Full schema for documentation and editors: cells as a union of every cell type, formats as an enum of `exportFormats`. */
export function notebookDocumentSchema(cellTypes: CellTypes, exportFormats: readonly string[]) {
  const cells = cellTypes.map((c) => c.schema);
  const formats = z.array(z.enum(exportFormats as [string, ...string[]])).optional();
  const email = scheduleSchema.shape.email.unwrap().extend({ attach: formats });
  return notebookSchema.extend({
    cells: z.array(cells.length === 1 ? cells[0] : z.discriminatedUnion('type', cells as never)).min(1),
    export: formats,
    schedules: z.array(scheduleSchema.extend({ export: formats, email: email.optional() })).optional(),
  });
}
