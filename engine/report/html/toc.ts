import type { ReportCell } from '../model.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { cellHref, cellLabel, isShown } from './cell.js';

/** Fewer cells with titles or outputs than this and the report gets no table of contents. */
export const TOC_MIN_ENTRIES = 3;

/** A list of links to each shown cell with a heading, each label once; empty for short reports. */
export function renderToc(all: readonly ReportCell[]): string {
  const cells = all.filter(isShown);
  const seen = new Set<string>();
  const substantial = cells.filter((c) => c.title || c.output);
  if (substantial.length < TOC_MIN_ENTRIES) return '';
  const items = cells
    .map((cell) => {
      const label = cellLabel(cell);
      if (label === null || seen.has(label)) return '';
      seen.add(label);
      const status = cell.status === 'failed' ? ' <span class="toc-status toc-failed">failed</span>' : cell.status === 'skipped' ? ' <span class="toc-status toc-skipped">skipped</span>' : '';
      // The page number's slot, filled in the PDF only (pdf/toc-pages.ts).
      return `<li><a${attr('href', cellHref(cell.id))}>${escapeHtml(label)}</a>${status}<span class="toc-page"${attr('data-for', cellHref(cell.id).slice(1))}></span></li>`;
    })
    .filter(Boolean);
  if (items.length === 0) return '';
  return `<nav class="toc" aria-label="Contents"><h2 class="label">Contents</h2>\n<ol>\n${items.join('\n')}\n</ol>\n</nav>`;
}
