/** The PDF page footer: title and run date, provenance, page numbers (Chromium's print template). */
import type { ReportModel } from '../model.js';
import { escapeHtml } from '../../text/escape.js';
import { formatInstant } from '../html/time.js';
import { provenanceText } from '../provenance.js';

export function footerTemplate(model: ReportModel): string {
  const date = formatInstant(model.run.finishedAt ?? model.run.startedAt);
  const style = [
    'width:100%',
    'box-sizing:border-box',
    'padding:0 13mm',
    'font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,"Liberation Sans",sans-serif',
    'font-size:7.5px',
    'line-height:1.45',
    'color:#667085',
    '-webkit-print-color-adjust:exact',
  ].join(';');
  return (
    `<div style='${style}'><div style="border-top:0.5px solid #d0d5dd;padding-top:4px">` +
    `<div style="display:flex;justify-content:space-between;gap:12px">` +
    `<span style="color:#1d2433;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">${escapeHtml(model.title)}</span>` +
    `<span style="white-space:nowrap">${escapeHtml(date)} · Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>` +
    `</div>` +
    `<div style="overflow-wrap:anywhere">${escapeHtml(provenanceText(model))}</div>` +
    `</div></div>`
  );
}

export const HEADER_TEMPLATE = '<span></span>';
