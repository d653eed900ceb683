/**
 * `sources:` in quire.yaml or a notebook: files that become DuckDB tables query cells read by
 * name, e.g. `budget: { file: data/budget.xlsx, sheet: FY26 }`. A notebook's sources add to the
 * project's (a name in both: the notebook's wins).
 */
import { extname } from 'node:path';
import * as z from 'zod';

export const SOURCE_FORMATS = ['xlsx', 'csv', 'tsv', 'parquet'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** A spreadsheet range such as `A1:F200` (the first row of it is the header, unless `header_row` says otherwise). */
export const RANGE = /^([A-Z]{1,3})([1-9][0-9]*):([A-Z]{1,3})([1-9][0-9]*)$/;

export const sourceSpecSchema = z
  .strictObject({
    file: z.string().min(1).describe('The file, relative to the project root: .xlsx, .csv, .tsv or .parquet (inside allowed_directories)'),
    sheet: z.string().min(1).optional().describe('xlsx: the worksheet (default: the first)'),
    header_row: z.number().int().positive().optional().describe('xlsx: the row holding the column names (default: the first row of `range`, else 1)'),
    range: z.string().regex(RANGE, 'a range is two cells such as A1:F200').optional().describe('xlsx: the cells to read, e.g. A1:F200 (default: every used cell)'),
  })
  .superRefine((spec, ctx) => {
    const format = formatOf(spec.file);
    if (!format) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: `a source file is ${SOURCE_FORMATS.map((f) => `.${f}`).join(', ')}; '${spec.file}' is none of them` });
      return;
    }
    if (format !== 'xlsx') {
      for (const key of ['sheet', 'header_row', 'range'] as const) {
        if (spec[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` is for .xlsx files; ${spec.file} is .${format}` });
      }
    }
  });

export type SourceSpec = z.infer<typeof sourceSpecSchema>;

/** Source names are table names: lowercase letters, digits and _. */
export const sourcesSchema = z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'source names are lowercase letters, digits and _'), sourceSpecSchema);
export type SourceSpecs = z.infer<typeof sourcesSchema>;

export function formatOf(file: string): SourceFormat | null {
  const ext = extname(file).slice(1).toLowerCase();
  return (SOURCE_FORMATS as readonly string[]).includes(ext) ? (ext as SourceFormat) : null;
}

/** A source as a run uses it: its spec, its absolute path, and where it was declared. */
export interface ResolvedSource {
  name: string;
  spec: SourceSpec;
  format: SourceFormat;
  path: string;
  /** `quire.yaml` or the notebook's display path. */
  declaredIn: string;
}
