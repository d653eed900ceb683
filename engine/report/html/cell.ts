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

/** Whether the report shows a cell: hidden cells are left out unless they failed, were skipped or warn. */
export function isShown(cell: ReportCell): boolean {
  return cell.show !== 'hidden' || cell.status !== 'succeeded' || Boolean(cell.warnings?.length);
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

/** A located problem as a panel: label, code, `file:line:col`, message, snippet, hint. */
function problemPanel(problem: ReportError, label: string, tone: 'error' | 'warning', role: string): string {
  const parts = [
    `<div class="panel panel-${tone}" role="${role}">`,
    `<div class="${tone}-head"><span class="${tone}-label">${label}</span><code class="${tone}-code">${escapeHtml(problem.code)}</code>${
      problem.location ? `<span class="${tone}-location">${escapeHtml(problem.location)}</span>` : ''
    }</div>`,
    `<p class="${tone}-message">${escapeHtml(problem.message)}</p>`,
  ];
  if (problem.snippet) parts.push(`<pre class="snippet">${escapeHtml(problem.snippet)}</pre>`);
  if (problem.hint) parts.push(`<p class="hint"><span class="hint-label">Hint</span>${escapeHtml(problem.hint)}</p>`);
  parts.push('</div>');
  return parts.join('\n');
}

export function renderError(error: ReportError | null | undefined): string {
  if (!error) {
    return '<div class="panel panel-error" role="alert"><div class="error-head"><span class="error-label">Error</span></div><p class="error-message">This cell failed.</p></div>';
  }
  return problemPanel(error, 'Error', 'error', 'alert');
}

/** A succeeded cell's warnings (e.g. an `expect:` with `on_fail: warn` that failed), above its output. */
export function renderWarnings(warnings: readonly ReportError[] | undefined): string {
  return (warnings ?? []).map((w) => problemPanel(w, 'Warning', 'warning', 'note')).join('\n');
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
  else if (cell.show === 'hidden')
    body = ''; // shown only for its warnings
  else if (cell.output) body = renderOutput(cell.show === 'summary' ? summarized(cell.output) : cell.output);
  else body = '<p class="muted no-output">No output</p>';
  if (cell.status === 'succeeded' && cell.warnings?.length) body = [renderWarnings(cell.warnings), body].filter(Boolean).join('\n');

  const label = cellLabel(cell);
  const statusNote =
    cell.status === 'failed'
      ? '<span class="cell-status cell-status-failed">failed</span>'
      : cell.status === 'skipped'
        ? '<span class="cell-status cell-status-skipped">skipped</span>'
        : cell.warnings?.length
          ? '<span class="cell-status cell-status-warning">warning</span>'
          : '';
  const head = label
    ? `<header class="cell-head"><h2>${escapeHtml(label)}</h2><span class="cell-meta">${statusNote}<code>${escapeHtml(cell.id)}</code><span class="cell-type">${escapeHtml(cell.type)}</span></span></header>`
    : '';

  const kind = cell.status === 'succeeded' && cell.output ? cell.output.kind : cell.status;
  const classes = ['cell', `cell-${kind}`, isCompact(cell) ? 'keep-together' : ''].filter(Boolean).join(' ');
  return `<section${attr('class', classes)}${attr('id', cellAnchor(cell.id))}>\n${head}${head ? '\n' : ''}${body}\n</section>`;
}
