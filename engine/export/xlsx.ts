/** report.xlsx: tables as sheets with their charts as pictures (report/xlsx, exceljs streaming). */
import { join } from 'node:path';
import type { ReportModel } from '../report/model.js';
import type { ChartImage } from '../report/xlsx/index.js';
import { withFailures, type ExportContext, type Exporter } from './exporter.js';

/** The SVG's own size in pixels. */
function svgSize(svg: string): { width: number; height: number } {
  const w = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg);
  const h = /^<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  return { width: w ? Number(w[1]) : 720, height: h ? Number(h[1]) : 300 };
}

/** Chart pictures by cell id; Plotly figures need the browser, which starts only for them. */
async function chartImages(prepared: ReportModel, ctx: ExportContext): Promise<{ images: Map<string, ChartImage>; missing: Map<string, string> }> {
  const images = new Map<string, ChartImage>();
  const missing = new Map<string, string>();
  const plotly: { id: string; figure: Record<string, unknown> }[] = [];
  for (const cell of prepared.cells) {
    const out = cell.output;
    if (cell.status !== 'succeeded' || out?.kind !== 'chart') continue;
    if (out.rendered?.error) missing.set(cell.id, out.rendered.error);
    else if (out.rendered?.svg) {
      const { svgToPng } = await import('../report/charts/render.js');
      images.set(cell.id, { png: await svgToPng(out.rendered.svg, 'light'), ...svgSize(out.rendered.svg) });
    } else if (out.rendered?.plotly) plotly.push({ id: cell.id, figure: out.rendered.plotly });
  }
  if (plotly.length) {
    try {
      const pngs = await (await ctx.browser()).plotlyImages(plotly);
      for (const [id, png] of pngs) images.set(id, { png, width: 720, height: 300 });
    } catch (err) {
      for (const p of plotly) missing.set(p.id, `Plotly charts are drawn by Chromium: ${(err as Error).message}`);
    }
  }
  return { images, missing };
}

export const xlsxExporter: Exporter<'xlsx'> = {
  format: 'xlsx',
  file: 'report.xlsx',
  mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  // Written after the others, so its Summary sheet says `failed` when the PDF could not be made.
  needs: { othersFailures: true },
  attachByDefault: true,
  async write(_model, runDir, ctx) {
    const prepared = withFailures((await ctx.charts('light')).model, ctx.failures);
    const { images, missing } = await chartImages(prepared, ctx);
    // writeXlsx streams into a temp file and renames it into place.
    // Loaded here, not at the top: `quire validate` reads this registry and never renders.
    const { writeXlsx } = await import('../report/xlsx/index.js');
    await writeXlsx(prepared, join(runDir, this.file), { source: ctx.tables, images, missingImages: missing });
  },
};
