/**
 * What a report email shows of a run: the headline (the first text cell), the KPI cards and
 * overall metric values, and the first drawn chart, read from the run's stored outputs. No table
 * excerpt: a few rows of a table rarely are the month under review, and the report is linked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../runs/runs.js';
import type { CellOutput, MetricsOutput, Polarity, TableValue } from '../outputs.js';
import { humanize } from '../report/charts/kpi.js';
import { formatMetric } from '../report/html/metrics.js';
import { loadStoredOutputs, type StoredOutputs } from '../runs/tables.js';

export interface SummaryKpi {
  label: string;
  text: string;
  change: string | null;
  direction: 'up' | 'down' | 'flat' | null;
  /** Which direction is good news (default up). */
  good?: Polarity;
}

export interface SummaryChart {
  title: string;
  /** The chart's static SVG as the report drew it. */
  svg: string;
}

export interface RunSummary {
  /** Paragraphs of the first text cell, as plain text. */
  headline: string[];
  kpis: SummaryKpi[];
  chart: SummaryChart | null;
  dataAsOf: string | null;
}

const MAX_KPIS = 8;
const MAX_HEADLINE_CHARS = 700;

const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function metricKpis(out: MetricsOutput): SummaryKpi[] {
  const cols = out.table.columns.map((c) => c.name);
  const at = (row: TableValue[], name: string) => row[cols.indexOf(name)];
  const kpis: SummaryKpi[] = [];
  for (const m of out.metrics) {
    let best: TableValue[] | undefined;
    for (const row of out.table.rows) {
      if (at(row, 'metric_name') !== m.name || at(row, 'slice_type') !== 'none' || at(row, 'segment_name') !== 'all') continue;
      if (!best || String(at(row, 'period_start_date') ?? '') > String(at(best, 'period_start_date') ?? '')) best = row;
    }
    const value = best ? Number(at(best, 'metric_value')) : NaN;
    if (!best || !Number.isFinite(value)) continue;
    const change = cols.includes('change_pct') ? Number(at(best, 'change_pct')) : NaN;
    kpis.push({
      label: m.display_name && m.display_name !== m.name ? m.display_name : humanize(m.name),
      text: formatMetric(value, m.unit),
      change: Number.isFinite(change) && at(best, 'change_pct') !== null ? `${change >= 0 ? '+' : ''}${fmt(change * 100, 1)}%` : null,
      direction: Number.isFinite(change) && at(best, 'change_pct') !== null ? (change > 0 ? 'up' : change < 0 ? 'down' : 'flat') : null,
      good: m.good,
    });
  }
  return kpis;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** The paragraphs of a text cell's HTML as plain text (the mail re-escapes them). */
export function headlineOf(html: string): string[] {
  const text = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    // A line break in the source inside a paragraph (Markdown's soft break) is a space, not a new paragraph.
    .replace(/\s+/g, ' ')
    .replace(/<\/(p|h[1-6]|li|div|blockquote)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e]!);
  const out: string[] = [];
  let used = 0;
  for (const para of text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim())) {
    if (!para) continue;
    if (used + para.length > MAX_HEADLINE_CHARS) {
      out.push(`${para.slice(0, Math.max(0, MAX_HEADLINE_CHARS - used)).replace(/\s+\S*$/, '')} …`);
      break;
    }
    out.push(para);
    used += para.length;
  }
  return out;
}

/**
 * The static SVG of chart `cellId` in the run's report.html (every Vega-Lite chart is drawn there
 * before rendering), so the mail needs no chart engine of its own.
 */
function chartSvg(runDir: string, reportHtml: string | undefined, cellId: string): string | null {
  if (!reportHtml) return null;
  let html: string;
  try {
    html = readFileSync(join(runDir, reportHtml), 'utf8');
  } catch {
    return null;
  }
  const at = html.indexOf(`id="cell-${cellId}"`);
  if (at < 0) return null;
  const figure = html.indexOf('<figure class="chart chart-vega"', at);
  const next = html.indexOf('id="cell-', at + 1);
  if (figure < 0 || (next >= 0 && figure > next)) return null;
  const start = html.indexOf('<svg', figure);
  const end = html.indexOf('</svg>', start);
  return start >= 0 && end > start ? html.slice(start, end + 6) : null;
}

/** The summary of a run; a run without stored outputs gives an empty one. */
export function summarizeRun(runDir: string, manifest: RunManifest): RunSummary {
  let stored: StoredOutputs;
  try {
    stored = loadStoredOutputs(runDir, manifest.id);
  } catch {
    return { headline: [], kpis: [], chart: null, dataAsOf: null };
  }
  const kpis: SummaryKpi[] = [];
  let headline: string[] = [];
  let chart: SummaryChart | null = null;
  for (const cell of manifest.cells) {
    const out: CellOutput | undefined = stored.outputs[cell.id];
    if (!out || cell.status !== 'succeeded' || cell.show === 'hidden') continue; // the mail shows what the report shows
    const title = cell.title ?? cell.id;
    if (out.kind === 'chart' && out.engine === 'kpi' && out.kpis) {
      for (const k of out.kpis) kpis.push({ label: k.label, text: k.text, change: k.change?.text ?? null, direction: k.change?.direction ?? null, good: k.good });
    } else if (out.kind === 'metrics') {
      kpis.push(...metricKpis(out));
    } else if (out.kind === 'text' && !headline.length) {
      headline = headlineOf(out.html);
    } else if (out.kind === 'chart' && out.engine === 'vega-lite' && !chart) {
      const svg = chartSvg(runDir, manifest.exports.html, cell.id);
      if (svg) chart = { title, svg };
    }
  }
  return { headline, kpis: kpis.slice(0, MAX_KPIS), chart, dataAsOf: stored.data?.asOf ?? null };
}
