/** report.pdf: the print HTML (light, static charts) printed by Chromium (report/pdf). */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { OperationalError, UserError } from '../util/errors.js';
import type { ReportModel } from '../report/model.js';
import { PAPER_SIZES, type PaperSize } from '../report/pdf/paper.js';
import type { Exporter } from './exporter.js';

/** `a4` / `letter` (CLI) → a paper size. */
export function parsePaper(value: string): PaperSize {
  const v = value.trim().toLowerCase();
  const size = PAPER_SIZES.find((p) => p === v);
  if (size) return size;
  throw new UserError('E_BAD_ARGUMENT', `unknown paper size '${value}'`, { hint: `--paper takes ${PAPER_SIZES.join(' or ')}` });
}

/** The model for the print HTML: no compiled Vega specs (the PDF shows the static SVG). */
function forPrint(model: ReportModel): ReportModel {
  return {
    ...model,
    theme: 'light',
    cells: model.cells.map((c) => (c.output?.kind === 'chart' && c.output.rendered?.vega ? { ...c, output: { ...c.output, rendered: { ...c.output.rendered, vega: undefined } } } : c)),
  };
}

export const pdfExporter: Exporter<'pdf'> = {
  format: 'pdf',
  file: 'report.pdf',
  mediaType: 'application/pdf',
  needs: { browser: true },
  attachByDefault: true,
  async write(_model, runDir, ctx) {
    const { model: prepared, failures: broken } = await ctx.charts('light');
    if (broken.length) {
      throw new OperationalError(
        'E_PDF_CHART',
        `${broken.length} chart${broken.length === 1 ? '' : 's'} failed to render, so no PDF was written — ${broken.map((b) => `${b.cellId}: ${b.error}`).join('; ')}`,
        {
          hint: 'fix the chart (see the run log), or export html/xlsx only',
        },
      );
    }
    const bytes = await (await ctx.browser()).render(forPrint(prepared), { paper: ctx.paper });
    writeFileAtomic(join(runDir, this.file), bytes);
  },
};
