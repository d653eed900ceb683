/**
 * One table as a sheet: bold frozen header with a filter, typed cells with number formats, widths
 * from the data. Rows go straight from DuckDB chunks to sheet XML into exceljs's streaming writer
 * (its row objects cost ~25 µs a cell; this costs ~0.3), waiting for the zip stream to drain so
 * memory stays flat however long the table is.
 */
import type ExcelJS from 'exceljs';
import type { TableOutput } from '../../outputs.js';
import type { NumberFormat } from '../charts/format.js';
import { MAX_CELL_CHARS, planColumns, type ColumnPlan } from './columns.js';
import type { drawings, Picture } from './drawing.js';
import type { TableSource } from './source.js';
import { humanHeader } from '../format/columns.js';

/** Excel's row limit, less the header. */
export const MAX_SHEET_ROWS = 1_048_575;
/** Bytes the zip may hold unread before the writer waits. */
const HIGH_WATER = 4 * 1024 * 1024;

export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true, color: { argb: 'FF1D2433' } },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F4F7' } },
  border: { bottom: { style: 'thin', color: { argb: 'FFD0D5DD' } } },
  alignment: { vertical: 'bottom' },
};

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

// Characters XML 1.0 does not allow; Excel refuses files that hold them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function xmlText(s: string): string {
  const clipped = s.length > MAX_CELL_CHARS ? s.slice(0, MAX_CELL_CHARS) : s;
  return clipped.replace(INVALID_XML, '').replace(/[&<>"]/g, (c) => XML_ESCAPES[c]!);
}

interface SheetInternals {
  stream: { write(data: string): Promise<unknown> | unknown; pipes?: { _writableState?: { length: number }; once(ev: string, fn: () => void): void }[] };
}

async function drain(ws: ExcelJS.Worksheet): Promise<void> {
  const dest = (ws as unknown as SheetInternals).stream.pipes?.[0];
  while (dest && (dest._writableState?.length ?? 0) > HIGH_WATER) await new Promise<void>((resolve) => dest.once('drain', resolve));
}

export interface TableSheetResult {
  rows: number;
  /** All the table's rows are on the sheet. */
  complete: boolean;
  /** Rows left out by Excel's row limit. */
  truncated: number;
  plans: ColumnPlan[];
}

/** Number formats that depend on another column of the row (a metric's unit by its name). */
export interface RowFormats {
  /** The column whose value picks the format, e.g. metric_name. */
  key: string;
  /** Columns formatted by it, e.g. metric_value, comparison_value. */
  columns: string[];
  /** key value → Excel number format. */
  formats: Record<string, string>;
}

export async function writeTableSheet(opts: {
  workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  pictures: ReturnType<typeof drawings>;
  name: string;
  cellId: string;
  table: TableOutput;
  source: TableSource;
  formats?: Record<string, NumberFormat>;
  /** Fixed Excel number formats by column (win over the types'). */
  numFmts?: Record<string, string>;
  rowFormats?: RowFormats;
  images?: Picture[];
}): Promise<TableSheetResult> {
  const { workbook, table } = opts;
  const plans = planColumns(table.columns, table.rows, opts.formats).map((p) => (opts.numFmts?.[p.name] && p.kind === 'number' ? { ...p, numFmt: opts.numFmts[p.name]! } : p));
  const limit = Math.min(MAX_SHEET_ROWS, table.rowCount);
  const lastCol = columnLetter(Math.max(0, plans.length - 1));
  const ws = workbook.addWorksheet(opts.name, {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 0, activeCell: 'A2', showGridLines: true }],
  });
  ws.columns = plans.map((p) => ({ key: p.name, width: p.width }));
  // Human headers as in the report (one formatting model); the data keeps its column names in the run folder's Parquet.
  const header = ws.addRow(plans.map((p) => humanHeader(p.name)));
  header.eachCell((cell) => {
    cell.style = HEADER_STYLE;
  });
  header.commit();

  const styles = (workbook as unknown as { styles: { addStyleModel(m: object, t?: number): number } }).styles;
  const styleIds = plans.map((p) => (p.numFmt ? styles.addStyleModel({ numFmt: p.numFmt }, 2) : 0));
  const letters = plans.map((_, i) => columnLetter(i));
  // Per-row styles: for each formatted column, key value → style id.
  const keyIndex = opts.rowFormats ? plans.findIndex((p) => p.name === opts.rowFormats!.key) : -1;
  const rowStyled = plans.map((p) => keyIndex >= 0 && p.kind === 'number' && opts.rowFormats!.columns.includes(p.name));
  const keyStyles = new Map(Object.entries(opts.rowFormats?.formats ?? {}).map(([k, fmt]) => [k, styles.addStyleModel({ numFmt: fmt }, 2)]));
  const sheet = ws as unknown as SheetInternals;

  const rows = await opts.source.open(opts.cellId, table, plans, limit);
  let r = 1;
  for await (const { columns, length } of rows.chunks()) {
    let xml = '';
    for (let i = 0; i < length; i++) {
      r++;
      xml += `<row r="${r}">`;
      for (let c = 0; c < plans.length; c++) {
        const v = columns[c]![i];
        if (v === null || v === undefined) continue;
        const ref = letters[c]! + r;
        if (typeof v === 'number') {
          const style = rowStyled[c] ? (keyStyles.get(String(columns[keyIndex]![i])) ?? styleIds[c]) : styleIds[c];
          if (Number.isFinite(v)) xml += style ? `<c r="${ref}" s="${style}"><v>${v}</v></c>` : `<c r="${ref}"><v>${v}</v></c>`;
        } else if (typeof v === 'boolean') {
          xml += `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
        } else {
          xml += `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(String(v))}</t></is></c>`;
        }
      }
      xml += '</row>';
    }
    await sheet.stream.write(xml);
    await drain(ws);
  }
  ws.autoFilter = `A1:${lastCol}${Math.max(1, r)}`;
  if (opts.images?.length) opts.pictures.attach(ws, opts.images);
  ws.commit();
  return { rows: r - 1, complete: rows.complete && limit >= table.rowCount, truncated: Math.max(0, table.rowCount - limit), plans };
}
