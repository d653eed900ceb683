/** HTML renderer of a report: one self-contained, printable HTML5 file. */
import type { ReportModel } from './model.js';
import { renderPage } from './html/page.js';

export { escapeHtml } from './html/escape.js';

/** Renders a report model as a complete HTML document (inline CSS, no JS, no external URLs). */
export function renderHtml(model: ReportModel): string {
  return renderPage(model);
}
