import type { ReportCell, ReportError } from '../model.js';
import type { CellOutput } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { sanitizeHtml } from '../../text/sanitize.js';
import { renderTable, SMALL_TABLE_ROWS } from './table.js';
import { renderChart } from './chart.js';
import { renderMetrics } from './metrics.js';
import { renderExperiment } from './experiment.js';

/** The anchor id of a cell's section (`cell-<id>`), unescaped. */
export function cellAnchor(id: string): string {
  return `cell-${id}`;
}

/** A `href` to a cell's section, percent-encoded (then HTML-escaped by `attr`). */
export function cellHref(id: string): string {
  return `#${encodeURIComponent(cellAnchor(id))}`;
}

/** Whether the report shows a cell: hidden cells are left out unless they failed or were skipped. */
export function isShown(cell: ReportCell): boolean {
  return cell.show !== 'hidden' || cell.status !== 'succeeded';
}

/** Rows a `show: summary` table keeps. */
export const SUMMARY_ROWS = 10;

/** A `show: summary` cell's output: tables cut to their first rows (the row line still says how many there are). */
function summarized(output: CellOutput): CellOutput {
  if (output.kind === 'table') return { ...output, rows: output.rows.slice(0, SUMMARY_ROWS) };
  if (output.kind === 'chart' && output.engine === 'table' && output.table) return { ...output, table: { ...output.table, rows: output.table.rows.slice(0, SUMMARY_ROWS) } };
  return output;
}

/** What a cell's heading says: its title, else its id; text cells without a title have none. */
export function cellLabel(cell: ReportCell): string | null {
  if (cell.title) return cell.title;
  return cell.type === 'text' ? null : cell.id;
}

function jsonPretty(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
    return text ?? String(value);
  } catch {
    return String(value);
  }
}

export function renderOutput(output: CellOutput): string {
  switch (output.kind) {
    case 'text':
      // The one string inserted as markup: sanitized again here, so runs stored by older versions are safe too.
      return `<div class="prose">${sanitizeHtml(output.html)}</div>`;
    case 'table':
      return output.chart ? `${renderChart(output.chart)}\n${renderTable(output)}` : renderTable(output);
    case 'value':
      return `<pre class="value">${escapeHtml(jsonPretty(output.value))}</pre>`;
    case 'chart':
      return renderChart(output);
    case 'metrics':
      return renderMetrics(output);
    case 'experiment':
      return renderExperiment(output);
    default: {
      const unknown = output as { kind?: unknown };
      return `<p class="muted">Unsupported output kind ${escapeHtml(String(unknown.kind))}</p>`;
    }
  }
}

export function renderError(error: ReportError | null | undefined): string {
  if (!error) {
    return '<div class="panel panel-error" role="alert"><div class="error-head"><span class="error-label">Error</span></div><p class="error-message">This cell failed.</p></div>';
  }
  const parts = [
    '<div class="panel panel-error" role="alert">',
    `<div class="error-head"><span class="error-label">Error</span><code class="error-code">${escapeHtml(error.code)}</code>${
      error.location ? `<span class="error-location">${escapeHtml(error.location)}</span>` : ''
    }</div>`,
    `<p class="error-message">${escapeHtml(error.message)}</p>`,
  ];
  if (error.snippet) parts.push(`<pre class="snippet">${escapeHtml(error.snippet)}</pre>`);
  if (error.hint) parts.push(`<p class="hint"><span class="hint-label">Hint</span>${escapeHtml(error.hint)}</p>`);
  parts.push('</div>');
  return parts.join('\n');
}

export function renderSkipped(reason: string | undefined): string {
  return `<div class="panel panel-skipped">Skipped${reason ? ` — ${escapeHtml(reason)}` : ''}</div>`;
}

/** Small enough to keep on one printed page. */
function isCompact(cell: ReportCell): boolean {
  if (cell.status !== 'succeeded' || !cell.output) return true;
  if (cell.output.kind === 'table') return cell.output.rows.length <= SMALL_TABLE_ROWS;
  if (cell.output.kind === 'chart') return cell.output.engine !== 'table' || (cell.output.table?.rows.length ?? 0) <= SMALL_TABLE_ROWS;
  return cell.output.kind === 'value';
}

/** One cell as a `<section id="cell-<id>">`: heading, then its output, error panel or skipped note. */
export function renderCell(cell: ReportCell): string {
  let body: string;
  if (cell.status === 'failed') body = renderError(cell.error);
  else if (cell.status === 'skipped') body = renderSkipped(cell.skippedReason);
  else if (cell.output) body = renderOutput(cell.show === 'summary' ? summarized(cell.output) : cell.output);
  else body = '<p class="muted no-output">No output</p>';

  const label = cellLabel(cell);
  const statusNote =
    cell.status === 'failed' ? '<span class="cell-status cell-status-failed">failed</span>' : cell.status === 'skipped' ? '<span class="cell-status cell-status-skipped">skipped</span>' : '';
  const head = label
    ? `<header class="cell-head"><h2>${escapeHtml(label)}</h2><span class="cell-meta">${statusNote}<code>${escapeHtml(cell.id)}</code><span class="cell-type">${escapeHtml(cell.type)}</span></span></header>`
    : '';

  const kind = cell.status === 'succeeded' && cell.output ? cell.output.kind : cell.status;
  const classes = ['cell', `cell-${kind}`, isCompact(cell) ? 'keep-together' : ''].filter(Boolean).join(' ');
  return `<section${attr('class', classes)}${attr('id', cellAnchor(cell.id))}>\n${head}${head ? '\n' : ''}${body}\n</section>`;
}
