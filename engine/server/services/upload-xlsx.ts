/**
 * An uploaded workbook's first sheet as CSV for DuckDB, with each column's type taken from the
 * cells themselves (numbers, dates, booleans, text): read with exceljs's streaming reader, so a
 * large sheet is never held whole. Bad cells (Excel errors, values right of the header) are
 * UserErrors naming the sheet row and column.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type ExcelJS from 'exceljs';
import { UserError } from '../../util/errors.js';

export interface SheetAsCsv {
  sheet: string;
  /** DuckDB types by column position, for read_csv's `types`. */
  types: string[];
  /** Sheet row number of each CSV line (index 0: line 1, the header). */
  rowOfLine: number[];
}

type Kind = 'int' | 'float' | 'bool' | 'date' | 'timestamp' | 'string';

/** A column's letters as Excel shows them (1 → A, 28 → AB). */
export function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

function typeOf(kinds: Set<Kind>): string {
  if (!kinds.size) return 'VARCHAR';
  const only = (...allowed: Kind[]) => [...kinds].every((k) => allowed.includes(k));
  if (only('int')) return 'BIGINT';
  if (only('int', 'float')) return 'DOUBLE';
  if (only('bool')) return 'BOOLEAN';
  if (only('date')) return 'DATE';
  if (only('date', 'timestamp')) return 'TIMESTAMP';
  return 'VARCHAR';
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A cell's value as CSV text and its kind; formulas give their result, rich text its text. */
function cellText(value: ExcelJS.CellValue, at: () => string): { text: string; kind: Kind } | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return { text: String(value), kind: Number.isSafeInteger(value) ? 'int' : 'float' };
  if (typeof value === 'boolean') return { text: String(value), kind: 'bool' };
  if (typeof value === 'string') return { text: value, kind: 'string' };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new UserError('E_UPLOAD_BAD_CELL', `${at()} holds a date Excel can't represent`, { hint: 'fix the cell in the workbook and upload it again' });
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? { text: iso.slice(0, 10), kind: 'date' } : { text: iso.slice(0, 23).replace('T', ' '), kind: 'timestamp' };
  }
  const v = value as unknown as Record<string, unknown>;
  if ('error' in v) {
    throw new UserError('E_UPLOAD_BAD_CELL', `${at()} holds the Excel error ${String(v.error)}`, { hint: 'fix the formula (or clear the cell) in the workbook and upload it again' });
  }
  if ('richText' in v && Array.isArray(v.richText)) return { text: v.richText.map((r: { text?: string }) => r.text ?? '').join(''), kind: 'string' };
  if ('formula' in v || 'sharedFormula' in v) return cellText((v.result ?? null) as ExcelJS.CellValue, at);
  if ('text' in v) return { text: String(v.text), kind: 'string' };
  return { text: JSON.stringify(v), kind: 'string' };
}

async function loadWorkbookReader(): Promise<typeof ExcelJS.stream.xlsx.WorkbookReader> {
  // @ts-expect-error: the file has no type declarations of its own (the reader alone, as report/xlsx loads the writer alone)
  return ((await import('exceljs/lib/stream/xlsx/workbook-reader.js')) as { default: typeof ExcelJS.stream.xlsx.WorkbookReader }).default;
}

/** Writes the first sheet of `xlsx` to `csv`; the first non-empty row is the header. */
export async function sheetToCsv(xlsx: string, csv: string): Promise<SheetAsCsv> {
  const WorkbookReader = await loadWorkbookReader();
  const out = createWriteStream(csv);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  let result: SheetAsCsv | null = null;
  try {
    const reader = new WorkbookReader(xlsx, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name ?? 'Sheet1';
      let width = 0;
      const kinds: Set<Kind>[] = [];
      const rowOfLine: number[] = [];
      for await (const row of sheet) {
        const values = (row.values as ExcelJS.CellValue[]) ?? [];
        const at = (col: number) => () => `sheet '${name}', row ${row.number}, column ${columnLetter(col)}`;
        const cells = values.map((v, col) => (col === 0 ? null : cellText(v, at(col))));
        const last = cells.reduce((m, c, i) => (c ? i : m), 0);
        if (!last) continue; // an empty row
        if (!width) {
          width = last;
          for (let c = 1; c <= width; c++) kinds.push(new Set());
          rowOfLine.push(row.number);
          await write(Array.from({ length: width }, (_, i) => csvField(cells[i + 1]?.text ?? '')).join(','));
          continue;
        }
        if (last > width) {
          throw new UserError('E_UPLOAD_BAD_CELL', `${at(last)()} has a value right of the header's ${width} column${width === 1 ? '' : 's'}`, {
            hint: 'give the column a header in the first row, or clear the cell',
          });
        }
        for (let c = 1; c <= width; c++) if (cells[c]) kinds[c - 1]!.add(cells[c]!.kind);
        rowOfLine.push(row.number);
        await write(Array.from({ length: width }, (_, i) => csvField(cells[i + 1]?.text ?? '')).join(','));
      }
      result = { sheet: name, types: kinds.map(typeOf), rowOfLine };
      break; // the first sheet only
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('E_UPLOAD_CORRUPT', `the file is not a readable XLSX workbook: ${(err as Error).message.split('\n')[0]}`, {
      hint: 'save it again from Excel as .xlsx (not .xls), or upload it as CSV',
      cause: err,
    });
  } finally {
    out.end();
    await once(out, 'close');
  }
  if (!result?.types.length) {
    throw new UserError('E_UPLOAD_EMPTY', 'the workbook has no sheet with a header row', { hint: 'put the column names in the first row of the first sheet' });
  }
  return result;
}
