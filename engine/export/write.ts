/**
 * Writes a run's reports: each requested format by its exporter (index.ts), each file atomically.
 * Exporters that show the others' failures (the HTML) run last.
 */
import { OperationalError, QuireError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { prepareCharts, type ChartFailure } from '../report/charts/prepare.js';
import type { ChartMemo } from '../report/charts/memo.js';
import type { Theme } from '../report/charts/theme.js';
import type { ReportModel } from '../report/model.js';
import type { PaperSize, PdfRenderer } from '../report/pdf/index.js';
import type { TableSource } from '../report/xlsx/index.js';
import { BrowserLease } from './browser.js';
import { failureText, type ExportContext, type ExportFailure, type Exporter } from './exporter.js';
import { exportersOf } from './index.js';

export interface ExportOptions {
  /** Full rows of the tables for Excel (see runs/tables.ts `parquetSource`); default: the model's preview rows. */
  tables?: TableSource;
  paper?: PaperSize;
  /** A PDF renderer shared by a batch of exports (one browser); else one is started and closed here. */
  pdf?: PdfRenderer;
  /** The websocket endpoint of a browser another process keeps warm (the scheduler's); joined instead of starting one. */
  browserEndpoint?: string;
  /** The URL of a blank page that browser opened for this export (export/warm-browser.ts), printed in instead of opening one. */
  browserPage?: string;
  logger?: Logger;
  /** Charts drawn by earlier runs (see charts/memo.ts). */
  charts?: ChartMemo;
}

/** Some exports failed; `written` lists those that did not. */
export class ExportError extends OperationalError {
  constructor(
    readonly written: Record<string, string>,
    readonly failures: ExportFailure[],
  ) {
    const first = failures[0]!.error;
    super(first instanceof QuireError ? first.code : 'E_EXPORT', failureText(failures), { hint: first instanceof QuireError ? first.hint : undefined, cause: first });
    this.name = 'ExportError';
  }
}

/**
 * Charts drawn once per theme for every exporter of the call; in the report's own theme they
 * carry Vega specs when an exporter draws them in the browser.
 */
function chartDrawer(model: ReportModel, exporters: readonly Exporter[], memo?: ChartMemo): (theme: Theme) => Promise<{ model: ReportModel; failures: ChartFailure[] }> {
  const drawn = new Map<Theme, ReturnType<typeof prepareCharts>>();
  const interactive = exporters.some((e) => e.needs.interactiveCharts);
  const own = model.theme ?? 'light';
  return (theme) => {
    let charts = drawn.get(theme);
    if (!charts) {
      charts = prepareCharts(model, theme, interactive && theme === own, memo);
      drawn.set(theme, charts);
    }
    return charts;
  };
}

/**
 * Writes the report of a run in each format into the run folder. Returns format → file name for
 * run.json; when any export fails, throws an ExportError after writing the others (so a missing
 * Chromium still leaves report.html and report.xlsx).
 */
export async function writeExports(model: ReportModel, dir: string, formats: readonly string[], opts: ExportOptions = {}): Promise<Record<string, string>> {
  const exporters = exportersOf(formats);
  const ordered = [...exporters.filter((e) => !e.needs.othersFailures), ...exporters.filter((e) => e.needs.othersFailures)];
  const browser = new BrowserLease({ renderer: opts.pdf, endpoint: opts.browserEndpoint, page: opts.browserPage, logger: opts.logger });
  // Chromium's start (the bulk of a PDF) overlaps drawing the charts and the exporters before it.
  if (exporters.some((e) => e.needs.browser)) browser.warm();
  const failures: ExportFailure[] = [];
  const written: Record<string, string> = {};
  const charts = chartDrawer(model, exporters, opts.charts);
  try {
    for (const exporter of ordered) {
      const ctx: ExportContext = { paper: opts.paper, tables: opts.tables, logger: opts.logger, charts, browser: () => browser.get(), failures: [...failures] };
      try {
        await exporter.write(model, dir, ctx);
        written[exporter.format] = exporter.file;
      } catch (err) {
        failures.push({ format: exporter.format, file: exporter.file, error: err });
      }
    }
  } finally {
    await browser.release();
  }
  const result: Record<string, string> = {};
  for (const e of exporters) if (written[e.format]) result[e.format] = written[e.format]!;
  if (failures.length) throw new ExportError(result, failures);
  return result;
}
