/** HTML renderer of a report: one self-contained, printable HTML5 file. */
import type { ReportModel } from './model.js';
import { renderPage, type PageOptions } from './html/page.js';

export { escapeHtml } from '../text/escape.js';

/**
 * Renders a report model as a complete HTML document (inline CSS and scripts, no external URLs).
 * Charts need `prepareCharts` first (export.ts does it); a model without charts needs nothing.
 */
export function renderHtml(model: ReportModel, opts: PageOptions = {}): string {
  return renderPage(model, opts);
}
