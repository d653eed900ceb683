import type { TableOutput } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { columnKind, formatCell, isNumericKind, timestampsNeedSeconds } from './format.js';
import { countOf, formatInteger } from './numbers.js';

/**
 * Tables up to this many preview rows are kept on one printed page. Kept low (about a quarter
 * page): a longer block that does not fit moves whole to the next page and leaves a half-blank one.
 */
export const SMALL_TABLE_ROWS = 10;

/** A date or date-time written as text (`2026-11-01`, `2026-11`): never wrapped at its hyphens. */
const DATE_TEXT = /^\d{4}-\d{2}(?:-\d{2})?(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/;

/** The line under a table: `Showing first 100 of 12,345 rows`, `12,345 rows`, `1 row`, `No rows`. */
export function rowCountLine(shown: number, total: number): string {
  if (total === 0 && shown === 0) return 'No rows';
  if (shown < total) return `Showing first ${formatInteger(shown) ?? shown} of ${countOf(total, 'row')}`;
  return countOf(Math.max(shown, total), 'row');
}

/** A table output: typed, escaped cells in a horizontally scrolling box, and its row count. */
export function renderTable(output: TableOutput): string {
  const columns = output.columns;
  const kinds = columns.map((c) => columnKind(c.type));
  const withSeconds = kinds.map((k, i) => k === 'timestamp' && timestampsNeedSeconds(output.rows.map((r) => r[i] ?? null)));

  const head = columns
    .map((c, i) => {
      const cls = isNumericKind(kinds[i]!) ? ' class="num"' : '';
      return `<th scope="col"${cls}${attr('title', `${c.name} · ${c.type}`)}><span class="col-name">${escapeHtml(c.name)}</span><span class="col-type">${escapeHtml(c.type)}</span></th>`;
    })
    .join('');

  const body = output.rows
    .map((row) => {
      const cells = columns.map((_, i) => {
        const kind = kinds[i]!;
        const cell = formatCell(row[i], kind, { withSeconds: withSeconds[i] });
        const numeric = cell.numeric || isNumericKind(kind);
        const dated = kind === 'date' || kind === 'timestamp' || (typeof row[i] === 'string' && DATE_TEXT.test(row[i] as string));
        const classes = [numeric ? 'num' : '', kind === 'text' && !numeric ? 'text' : '', dated ? 'date' : ''].filter(Boolean);
        return `<td${classes.length ? ` class="${classes.join(' ')}"` : ''}>${cell.html}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');

  const footer = `<p class="table-foot">${escapeHtml(rowCountLine(output.rows.length, output.rowCount))}</p>`;
  if (columns.length === 0) return `<p class="table-foot">No columns</p>`;

  return [
    '<div class="table-wrap">',
    '<table class="data">',
    `<thead><tr>${head}</tr></thead>`,
    body ? `<tbody>\n${body}\n</tbody>` : '<tbody></tbody>',
    '</table>',
    '</div>',
    footer,
  ].join('\n');
}
