import type { ReportModel } from '../model.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { formatDuration, formatInstant } from './time.js';

const STATUS_LABELS: Record<string, string> = {
  succeeded: 'Succeeded',
  partial: 'Partial',
  failed: 'Failed',
  running: 'Running',
};

/** The run status as a coloured pill: succeeded green, partial amber, failed red, running grey. */
export function statusBadge(status: string): string {
  const known = Object.hasOwn(STATUS_LABELS, status);
  const cls = known ? `badge badge-${status}` : 'badge badge-running';
  return `<span${attr('class', cls)}>${escapeHtml(known ? STATUS_LABELS[status] : status)}</span>`;
}

/** A param value as text: strings as they are, everything else as compact JSON. */
export function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

export function timeTag(iso: string): string {
  return `<time${attr('datetime', iso)}>${escapeHtml(formatInstant(iso))}</time>`;
}

function renderParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params ?? {});
  const chips = entries.length
    ? entries.map(([k, v]) => `<span class="chip"><span class="chip-k">${escapeHtml(k)}</span><span class="chip-v">${escapeHtml(paramText(v))}</span></span>`).join('\n')
    : '<span class="muted">none</span>';
  return `<div class="params"><span class="label">Parameters</span>\n${chips}\n</div>`;
}

function renderRunLine(run: ReportModel['run']): string {
  const parts = [statusBadge(run.status), `<span>Started ${timeTag(run.startedAt)}</span>`];
  if (run.durationMs !== null && run.durationMs !== undefined) {
    parts.push(`<span>Took <strong>${escapeHtml(formatDuration(run.durationMs))}</strong></span>`);
  } else if (run.status === 'running') {
    parts.push('<span>Still running</span>');
  }
  return `<div class="run-line">${parts.join('<span class="sep" aria-hidden="true">·</span>')}</div>`;
}

function renderProvenance(model: ReportModel): string {
  const { notebook, run } = model;
  const shortSha = notebook.sha256.slice(0, 12);
  return [
    '<p class="provenance">',
    `<span>Run <code>${escapeHtml(run.id)}</code></span>`,
    `<span>Notebook <code>${escapeHtml(notebook.id)}</code> @ <code${attr('title', `sha256 ${notebook.sha256}`)}>${escapeHtml(shortSha)}</code></span>`,
    `<span class="path"><code>${escapeHtml(notebook.path)}</code></span>`,
    model.data
      ? `<span class="data-stamp">${model.data.asOf ? `Data as of ${timeTag(model.data.asOf)} · ` : 'Data '}fingerprint <code${attr('title', 'digest of every result table: equal data, equal fingerprint')}>${escapeHtml(model.data.fingerprint)}</code></span>`
      : '',
    '</p>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A red banner when the whole run failed for a reason outside any one cell. */
export function renderFailureBanner(failure: string | null | undefined): string {
  if (!failure) return '';
  return `<div class="banner banner-failed" role="alert"><strong>Run failed</strong><span>${escapeHtml(failure)}</span></div>`;
}

/** Title, description, run status and timing, params, provenance. */
export function renderHeader(model: ReportModel): string {
  return [
    '<header class="report-header">',
    `<h1>${escapeHtml(model.title)}</h1>`,
    model.description ? `<p class="description">${escapeHtml(model.description)}</p>` : '',
    renderRunLine(model.run),
    renderParams(model.params),
    renderProvenance(model),
    '</header>',
  ]
    .filter(Boolean)
    .join('\n');
}
