import type { TableOutput } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { columnKind, formatCell, isNumericKind, timestampsNeedSeconds } from './format.js';
import { countOf, formatInteger } from './numbers.js';
import { tableColumnFormats } from '../format/columns.js';
import { formatValue, type ValueFormat } from '../format/values.js';

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

/**
 * Columns named with a leading `_` are helpers (a sort key, a chart label): charts read them,
 * tables in HTML/PDF leave them out; XLSX and the run folder keep them.
 */
export function withoutHelperColumns(output: TableOutput): TableOutput {
  const keep = output.columns.map((c, i) => (c.name.startsWith('_') ? -1 : i)).filter((i) => i >= 0);
  if (keep.length === output.columns.length || keep.length === 0) return output;
  return { ...output, columns: keep.map((i) => output.columns[i]!), rows: output.rows.map((r) => keep.map((i) => r[i]!)) };
}

/** A table output: typed, escaped cells in a horizontally scrolling box, and its row count. `formats`: chosen formats by column. */
export function renderTable(full: TableOutput, opts: { formats?: Record<string, ValueFormat>; labels?: Record<string, string> } = {}): string {
  const output = withoutHelperColumns(full);
  const columns = output.columns;
  const plans = tableColumnFormats(columns, output.rows, opts);
  const kinds = columns.map((c) => columnKind(c.type));
  const withSeconds = kinds.map((k, i) => k === 'timestamp' && timestampsNeedSeconds(output.rows.map((r) => r[i] ?? null)));

  const head = columns
    .map((_c, i) => {
      const cls = isNumericKind(kinds[i]!) ? ' class="num"' : '';
      return `<th scope="col"${cls}${attr('title', plans[i]!.title)}${attr('data-name', columns[i]!.name)}><span class="col-name">${escapeHtml(plans[i]!.header)}</span></th>`;
    })
    .join('');

  const body = output.rows
    .map((row) => {
      const cells = columns.map((_, i) => {
        const kind = kinds[i]!;
        const value = row[i];
        const format = plans[i]!.format;
        const chosen = format && (typeof value === 'number' || typeof value === 'string') ? formatValue(value, format) : null;
        const cell = chosen !== null ? { html: escapeHtml(chosen), numeric: true } : formatCell(value, kind, { withSeconds: withSeconds[i] });
        const numeric = cell.numeric || isNumericKind(kind);
        const dated = kind === 'date' || kind === 'timestamp' || (typeof row[i] === 'string' && DATE_TEXT.test(row[i] as string));
        const classes = [numeric ? 'num' : '', kind === 'text' && !numeric ? 'text' : '', dated ? 'date' : ''].filter(Boolean);
        return `<td${classes.length ? ` class="${classes.join(' ')}"` : ''}>${cell.html}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');

  if (columns.length === 0) return `<p class="table-foot">No columns</p>`;
  // The row count is the table's last row, not a paragraph after it: printed, it can't start the next page alone.
  const footer = `<tfoot><tr><td class="table-foot" colspan="${columns.length}">${escapeHtml(rowCountLine(output.rows.length, output.rowCount))}</td></tr></tfoot>`;

  return ['<div class="table-wrap">', '<table class="data">', `<thead><tr>${head}</tr></thead>`, body ? `<tbody>\n${body}\n</tbody>` : '<tbody></tbody>', footer, '</table>', '</div>'].join('\n');
}
