import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { OperationalError, QuireError, UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Logger } from '../util/log.js';
import { prepareCharts } from './charts/prepare.js';
import type { ChartMemo } from './charts/memo.js';
import { svgToPng } from './charts/render.js';
import { renderHtml } from './html.js';
import type { ReportModel } from './model.js';
import { PdfRenderer, type PaperSize } from './pdf/index.js';
import { writeXlsx, type ChartImage, type TableSource } from './xlsx/index.js';

export type ExportFormat = 'html' | 'pdf' | 'xlsx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['html', 'pdf', 'xlsx'];
export const EXPORT_FILES: Record<ExportFormat, string> = { html: 'report.html', pdf: 'report.pdf', xlsx: 'report.xlsx' };

/** `html,pdf` (CLI) → formats; an unknown one is a UserError naming it. */
export function parseExportFormats(value: string, flag = '--export'): ExportFormat[] {
  const items = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!items.length) throw new UserError('E_BAD_ARGUMENT', `${flag} needs at least one format`, { hint: `formats: ${EXPORT_FORMATS.join(', ')}` });
  for (const item of items) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(item)) {
      const dym = didYouMean(item, EXPORT_FORMATS);
      throw new UserError('E_BAD_ARGUMENT', `unknown export format '${item}'${dym ? ` — ${dym}` : ''}`, { hint: `${flag} takes a comma-separated list of ${EXPORT_FORMATS.join(', ')}` });
    }
  }
  return [...new Set(items)] as ExportFormat[];
}

/** `a4` / `letter` (CLI) → a paper size. */
export function parsePaper(value: string): PaperSize {
  const v = value.trim().toLowerCase();
  if (v === 'a4' || v === 'letter') return v;
  throw new UserError('E_BAD_ARGUMENT', `unknown paper size '${value}'`, { hint: '--paper takes a4 or letter' });
}

export interface ExportOptions {
  /** Full rows of the tables for Excel (see store.ts `parquetSource`); default: the model's preview rows. */
  tables?: TableSource;
  paper?: PaperSize;
  /** A PDF renderer shared by a batch of exports (one browser); else one is started and closed here. */
  pdf?: PdfRenderer;
  logger?: Logger;
  /** Charts drawn by earlier runs (see charts/memo.ts). */
  charts?: ChartMemo;
}

/** Some exports failed; `written` lists those that did not. */
export class ExportError extends OperationalError {
  constructor(
    readonly written: Record<string, string>,
    readonly failures: { format: ExportFormat; error: unknown }[],
  ) {
    const first = failures[0]!.error;
    super(
      failures[0]!.error instanceof QuireError ? (failures[0]!.error as QuireError).code : 'E_EXPORT',
      failures.map((f) => `${EXPORT_FILES[f.format]} could not be written: ${(f.error as Error)?.message ?? String(f.error)}`).join('; '),
      { hint: first instanceof QuireError ? first.hint : undefined, cause: first },
    );
    this.name = 'ExportError';
  }
}

/** The model for the print HTML: no compiled Vega specs (the PDF shows the static SVG). */
function forPrint(model: ReportModel): ReportModel {
  return {
    ...model,
    theme: 'light',
    cells: model.cells.map((c) => (c.output?.kind === 'chart' && c.output.rendered?.vega ? { ...c, output: { ...c.output, rendered: { ...c.output.rendered, vega: undefined } } } : c)),
  };
}

/** The SVG's own size in pixels. */
function svgSize(svg: string): { width: number; height: number } {
  const w = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg);
  const h = /^<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  return { width: w ? Number(w[1]) : 720, height: h ? Number(h[1]) : 300 };
}

/**
 * Writes the report of a run in each format into the run folder, each file atomically: PDF and
 * Excel first, then the HTML, which shows a failure banner when another export failed. Returns
 * format → file name for run.json; when any export fails, throws an ExportError after writing the
 * others (so a missing Chromium still leaves report.html and report.xlsx).
 */
export async function writeExports(model: ReportModel, dir: string, formats: readonly ExportFormat[], opts: ExportOptions = {}): Promise<Record<string, string>> {
  const want = new Set(formats);
  const written: Partial<Record<ExportFormat, string>> = {};
  const failures: { format: ExportFormat; error: unknown }[] = [];
  const theme = model.theme ?? 'light';
  let light: ReturnType<typeof prepareCharts> | undefined;
  const lightCharts = () => (light ??= prepareCharts(model, 'light', theme === 'light' && want.has('html'), opts.charts));
  let ownPdf: PdfRenderer | undefined;
  const renderer = async () => opts.pdf ?? (ownPdf ??= await PdfRenderer.launch());

  try {
    if (want.has('pdf')) {
      try {
        const { model: prepared, failures: broken } = await lightCharts();
        if (broken.length) {
          throw new OperationalError('E_PDF_CHART', `${broken.length} chart${broken.length === 1 ? '' : 's'} failed to render, so no PDF was written — ${broken.map((b) => `${b.cellId}: ${b.error}`).join('; ')}`, {
            hint: 'fix the chart (see the run log), or export html/xlsx only',
          });
        }
        const bytes = await (await renderer()).render(forPrint(prepared), { paper: opts.paper });
        writeFileAtomic(join(dir, EXPORT_FILES.pdf), bytes);
        written.pdf = EXPORT_FILES.pdf;
      } catch (err) {
        failures.push({ format: 'pdf', error: err });
      }
    }

    if (want.has('xlsx')) {
      try {
        const { model: prepared } = await lightCharts();
        const images = new Map<string, ChartImage>();
        const missing = new Map<string, string>();
        const plotly: { id: string; figure: Record<string, unknown> }[] = [];
        for (const cell of prepared.cells) {
          const out = cell.output;
          if (cell.status !== 'succeeded' || out?.kind !== 'chart') continue;
          if (out.rendered?.error) missing.set(cell.id, out.rendered.error);
          else if (out.rendered?.svg) images.set(cell.id, { png: await svgToPng(out.rendered.svg, 'light'), ...svgSize(out.rendered.svg) });
          else if (out.rendered?.plotly) plotly.push({ id: cell.id, figure: out.rendered.plotly });
        }
        if (plotly.length) {
          try {
            const pngs = await (await renderer()).plotlyImages(plotly);
            for (const [id, png] of pngs) images.set(id, { png, width: 720, height: 300 });
          } catch (err) {
            for (const p of plotly) missing.set(p.id, `Plotly charts are drawn by Chromium: ${(err as Error).message}`);
          }
        }
        await writeXlsx(prepared, join(dir, EXPORT_FILES.xlsx), { source: opts.tables, images, missingImages: missing });
        written.xlsx = EXPORT_FILES.xlsx;
      } catch (err) {
        failures.push({ format: 'xlsx', error: err });
      }
    }
  } finally {
    await ownPdf?.close();
  }

  if (want.has('html')) {
    try {
      const { model: prepared, failures: broken } = theme === 'dark' ? await prepareCharts(model, 'dark', true, opts.charts) : await lightCharts();
      for (const b of broken) opts.logger?.log('warn', `chart ${b.cellId} could not be drawn: ${b.error}`);
      const failure = failures.map((f) => `${EXPORT_FILES[f.format]} could not be written: ${(f.error as Error)?.message ?? String(f.error)}`).join('; ');
      const shown: ReportModel = failure ? { ...prepared, run: { ...prepared.run, status: 'failed', failure: prepared.run.failure ? `${prepared.run.failure}; ${failure}` : failure } } : prepared;
      writeFileAtomic(join(dir, EXPORT_FILES.html), renderHtml(shown));
      written.html = EXPORT_FILES.html;
    } catch (err) {
      failures.push({ format: 'html', error: err });
    }
  }

  const ordered: Record<string, string> = {};
  for (const f of formats) if (written[f]) ordered[f] = written[f]!;
  if (failures.length) throw new ExportError(ordered, failures);
  return ordered;
}
