/**
 * report.xlsx: a Summary sheet, then one sheet per table (query, code and metric cells) with real
 * types and number formats, and each chart as a picture beside its data. Written with exceljs's
 * streaming writer to a temporary file that is renamed into place.
 */
import type ExcelJS from 'exceljs';
import { createWriteStream, existsSync, renameSync, unlinkSync, type WriteStream } from 'node:fs';
import type { ReportModel } from '../model.js';
import { tableOf, type MetricsOutput } from '../../outputs.js';
import type { NumberFormat } from '../charts/format.js';
import { OperationalError } from '../../util/errors.js';
import { drawings, type Picture } from './drawing.js';
import { unitFormat } from './columns.js';
import { MAX_SHEET_ROWS, writeTableSheet, type RowFormats } from './sheet.js';
import { previewSource, type TableSource } from './source.js';
import { writeSummary, type ContentsEntry } from './summary.js';

export type { TableSource } from './source.js';
export { parquetSource, previewSource } from './source.js';

/** A chart picture: PNG at 2× and its display size in pixels. */
export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
}

export interface XlsxOptions {
  /** Full rows of the tables (default: the preview rows in the model). */
  source?: TableSource;
  /** Pictures of chart cells by cell id. */
  images?: ReadonlyMap<string, ChartImage>;
  /** Why a chart has no picture, by cell id (shown on the Summary). */
  missingImages?: ReadonlyMap<string, string>;
}

const RESERVED = new Set(['summary', 'history']);
/** Above this many rows in all, the workbook is compressed for speed rather than size. */
const BIG_WORKBOOK_ROWS = 250_000;

/** `text` in at most `max` characters, cut at a word with an ellipsis when it is longer. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space > max / 2) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;.\-–—]+$/, '')}…`;
}

/** Excel sheet names: ≤ 31 characters, none of []:*?/\, unique without regard to case. */
export function sheetNames(labels: readonly string[]): string[] {
  const used = new Set<string>(RESERVED);
  return labels.map((label) => {
    const clean =
      label
        .replace(/[[\]:*?/\\]/g, ' ')
        .replace(/\s+/g, ' ')
        .replace(/^'+|'+$/g, '')
        .trim() || 'Sheet';
    let name = truncate(clean, 31);
    for (let i = 2; used.has(name.toLowerCase()); i++) {
      const suffix = ` (${i})`;
      name = truncate(clean, 31 - suffix.length) + suffix;
    }
    used.add(name.toLowerCase());
    return name;
  });
}

/** A metric cell's long table: each value formatted by its metric's unit, changes as percentages. */
function metricFormats(output: MetricsOutput): { numFmts: Record<string, string>; rowFormats: RowFormats } {
  return {
    numFmts: { change_pct: '0.0%' },
    rowFormats: { key: 'metric_name', columns: ['metric_value', 'comparison_value'], formats: Object.fromEntries(output.metrics.map((m) => [m.name, unitFormat(m.unit)])) },
  };
}

/** Stops writing and waits until the file is closed: a stream still opening would otherwise create it after its removal. */
function closed(file: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (file.closed) return resolve();
    file.once('close', () => resolve());
    file.destroy();
  });
}

/**
 * exceljs's streaming writer alone: the package's entry also loads the reader and the in-memory
 * workbook (unzipper and more), which doubles its load time. exceljs has no `exports` map, so the
 * file is importable; the types are the package's own.
 */
async function loadWorkbookWriter(): Promise<typeof ExcelJS.stream.xlsx.WorkbookWriter> {
  // @ts-expect-error: the file has no type declarations of its own
  return ((await import('exceljs/lib/stream/xlsx/workbook-writer.js')) as { default: typeof ExcelJS.stream.xlsx.WorkbookWriter }).default;
}

export async function writeXlsx(model: ReportModel, path: string, opts: XlsxOptions = {}): Promise<void> {
  const source = opts.source ?? previewSource();
  const tmp = `${path}.${process.pid}.tmp`;
  const tableCells = model.cells.filter((c) => c.status === 'succeeded' && tableOf(c.output));
  const names = sheetNames(tableCells.map((c) => c.title || c.id));
  const charts = model.cells.filter((c) => c.status === 'succeeded' && c.output?.kind === 'chart');

  const contents: ContentsEntry[] = tableCells.map((cell, i) => {
    const table = tableOf(cell.output)!;
    const shown = source.complete(cell.id, table) ? Math.min(table.rowCount, MAX_SHEET_ROWS) : table.rows.length;
    const note =
      table.rowCount > MAX_SHEET_ROWS
        ? `first ${shown.toLocaleString('en-US')} of ${table.rowCount.toLocaleString('en-US')} rows (Excel's limit)`
        : !source.complete(cell.id, table)
          ? `first ${table.rows.length.toLocaleString('en-US')} of ${table.rowCount.toLocaleString('en-US')} rows (the full table was not stored)`
          : '';
    return { sheet: names[i]!, cellId: cell.id, title: cell.title || cell.id, rows: shown, note };
  });
  const notes: string[] = [];
  for (const c of charts) {
    const why = opts.missingImages?.get(c.id);
    if (why) notes.push(`chart ${c.title ?? c.id} has no picture: ${why}`);
  }

  // Big workbooks compress fast (level 1: ~25% quicker, ~25% larger); others small (zlib's default).
  const totalRows = tableCells.reduce((n, c) => n + Math.min(tableOf(c.output)!.rowCount, MAX_SHEET_ROWS), 0);
  const zlib = { level: totalRows > BIG_WORKBOOK_ROWS ? 1 : 6 };
  // Our own file stream, so a failed write can close it before the temp file is removed.
  const file = createWriteStream(tmp);
  // A write error (a full disk) fails the commit, even one that came before it.
  const failed = new Promise<never>((_, reject) => file.on('error', reject));
  failed.catch(() => undefined);
  const WorkbookWriter = await loadWorkbookWriter();
  const workbook = new WorkbookWriter({ stream: file, useStyles: true, useSharedStrings: false, zip: { zlib } });
  workbook.creator = 'Quire';
  workbook.title = model.title;
  const pictures = drawings(workbook);
  try {
    writeSummary(workbook, model, contents, notes);
    for (const [i, cell] of tableCells.entries()) {
      const table = tableOf(cell.output)!;
      // Charts of this table go beside it, one under the other.
      const formats: Record<string, NumberFormat> = {};
      const images: Picture[] = [];
      let row = 1;
      for (const chart of charts) {
        if (chart.output?.kind !== 'chart' || chart.output.data !== cell.id) continue;
        Object.assign(formats, chart.output.formats ?? {});
        const image = opts.images?.get(chart.id);
        if (!image) continue;
        const width = Math.min(640, image.width);
        const height = Math.round((image.height * width) / image.width);
        images.push({ png: image.png, col: table.columns.length + 1, row, width, height, name: chart.title ?? chart.id });
        row += Math.ceil(height / 20) + 2;
      }
      const metrics = cell.output?.kind === 'metrics' ? metricFormats(cell.output) : {};
      await writeTableSheet({ workbook, pictures, name: names[i]!, cellId: cell.id, table, source, formats, images, ...metrics });
    }
    await Promise.race([workbook.commit(), failed]);
    renameSync(tmp, path);
  } catch (err) {
    await closed(file);
    try {
      if (existsSync(tmp)) unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    if (err instanceof OperationalError) throw err;
    throw new OperationalError('E_XLSX', `cannot write ${path}: ${(err as Error).message}`, { hint: 'check that the runs folder is writable and the disk is not full', cause: err });
  } finally {
    source.close();
  }
}
