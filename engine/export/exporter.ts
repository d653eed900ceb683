/**
 * An export format as a plug-in: one file per format (html.ts, pdf.ts, xlsx.ts) exporting one
 * `Exporter`, listed once in index.ts. Adding a format touches its file and one line there.
 */
import type { Logger } from '../util/log.js';
import type { ReportModel } from '../report/model.js';
import type { ChartFailure } from '../report/charts/prepare.js';
import type { Theme } from '../report/charts/theme.js';
import type { PaperSize, PdfRenderer } from '../report/pdf/index.js';
import type { TableSource } from '../report/xlsx/index.js';

/** What an exporter asks of writeExports and of callers that export in batches. */
export interface ExporterNeeds {
  /** Chromium for every report: a batch (sweep, `quire export a b c`) starts one and shares it. */
  browser?: boolean;
  /** Charts in the report's theme with their Vega specs, for a page that draws them in the browser. */
  interactiveCharts?: boolean;
  /** Runs after the other formats and is told which of them failed (the HTML's failure banner). */
  othersFailures?: boolean;
}

export interface ExportFailure {
  format: string;
  file: string;
  error: unknown;
}

/** What one writeExports call hands each exporter; resources in it belong to the caller. */
export interface ExportContext {
  paper?: PaperSize;
  /** Full rows of the tables (a run's Parquet files); default: the model's preview rows. */
  tables?: TableSource;
  logger?: Logger;
  /** The model with its charts drawn in `theme`, drawn once per call and shared by the exporters. */
  charts(theme: Theme): Promise<{ model: ReportModel; failures: ChartFailure[] }>;
  /** One browser, started on first use and closed by whoever owns it (never by an exporter). */
  browser(): Promise<PdfRenderer>;
  /** Formats of this call that failed before this one (set for exporters with `othersFailures`). */
  failures: readonly ExportFailure[];
}

export interface Exporter<F extends string = string> {
  /** The name users write: `--export pdf`, `export: [pdf]`, `email.attach: [pdf]`. */
  format: F;
  /** The file written in the run folder, e.g. report.pdf. */
  file: string;
  /** Its media type (email attachments, web downloads). */
  mediaType: string;
  needs: ExporterNeeds;
  /** Attached by `quire send` when no --attach is given (if the run made none of these: whatever it made). */
  attachByDefault: boolean;
  /**
   * Writes `runDir/<file>` atomically (a temp file renamed into place): when it throws, a report
   * written earlier is still there, whole.
   */
  write(model: ReportModel, runDir: string, ctx: ExportContext): Promise<void>;
}

/** `report.pdf could not be written: ...; report.xlsx ...` */
export function failureText(failures: readonly ExportFailure[]): string {
  return failures.map((f) => `${f.file} could not be written: ${(f.error as Error)?.message ?? String(f.error)}`).join('; ');
}

/** The model as the run will end: `failed`, with why, when another format of this export failed. */
export function withFailures(model: ReportModel, failures: readonly ExportFailure[]): ReportModel {
  const failure = failureText(failures);
  if (!failure) return model;
  return { ...model, run: { ...model.run, status: 'failed', failure: model.run.failure ? `${model.run.failure}; ${failure}` : failure } };
}
