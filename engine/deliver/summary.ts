/**
 * What a report email shows of a run: headline numbers (KPI cards and overall metric values)
 * and the first rows of the first table, read from the run's stored outputs.
 */
import type { RunManifest } from '../runs/runs.js';
import type { CellOutput, MetricsOutput, Polarity, TableOutput, TableValue } from '../outputs.js';
import { loadStoredOutputs, type StoredOutputs } from '../runs/tables.js';

export interface SummaryKpi {
  label: string;
  text: string;
  change: string | null;
  direction: 'up' | 'down' | 'flat' | null;
  /** Which direction is good news (default up). */
  good?: Polarity;
}

export interface SummaryTable {
  title: string;
  columns: string[];
  rows: string[][];
  rowCount: number;
}

export interface RunSummary {
  kpis: SummaryKpi[];
  table: SummaryTable | null;
  dataAsOf: string | null;
}

const MAX_KPIS = 8;
const MAX_ROWS = 5;
const MAX_COLS = 6;

const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function formatMetric(value: number, unit: string): string {
  switch (unit) {
    case 'currency':
      return fmt(value, 2);
    case 'percentage':
      return `${fmt(value * 100, 1)}%`;
    case 'count':
      return fmt(value, 0);
    case 'duration_s':
      return `${fmt(value, 1)} s`;
    default:
      return fmt(value, Number.isInteger(value) ? 0 : 2);
  }
}

function cellText(v: TableValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? fmt(v, 0) : fmt(v, 2);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

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
      label: m.display_name || m.name,
      text: formatMetric(value, m.unit),
      change: Number.isFinite(change) && at(best, 'change_pct') !== null ? `${change >= 0 ? '+' : ''}${fmt(change * 100, 1)}%` : null,
      direction: Number.isFinite(change) && at(best, 'change_pct') !== null ? (change > 0 ? 'up' : change < 0 ? 'down' : 'flat') : null,
      good: m.good,
    });
  }
  return kpis;
}

function tableSummary(title: string, t: TableOutput): SummaryTable {
  const cols = t.columns.slice(0, MAX_COLS);
  return {
    title,
    columns: cols.map((c) => c.name),
    rows: t.rows.slice(0, MAX_ROWS).map((r) => cols.map((_, i) => cellText(r[i] ?? null))),
    rowCount: t.rowCount,
  };
}

/** The summary of a run; a run without stored outputs gives an empty one. */
export function summarizeRun(runDir: string, manifest: RunManifest): RunSummary {
  let stored: StoredOutputs;
  try {
    stored = loadStoredOutputs(runDir, manifest.id);
  } catch {
    return { kpis: [], table: null, dataAsOf: null };
  }
  const kpis: SummaryKpi[] = [];
  let table: SummaryTable | null = null;
  for (const cell of manifest.cells) {
    const out: CellOutput | undefined = stored.outputs[cell.id];
    if (!out || cell.status !== 'succeeded') continue;
    const title = cell.title ?? cell.id;
    if (out.kind === 'chart' && out.engine === 'kpi' && out.kpis) {
      for (const k of out.kpis) kpis.push({ label: k.label, text: k.text, change: k.change?.text ?? null, direction: k.change?.direction ?? null, good: k.good });
    } else if (out.kind === 'metrics') {
      kpis.push(...metricKpis(out));
    } else if (out.kind === 'table' && !table) {
      table = tableSummary(title, out);
    } else if (out.kind === 'chart' && out.engine === 'table' && out.table && !table) {
      table = tableSummary(title, out.table);
    }
  }
  return { kpis: kpis.slice(0, MAX_KPIS), table, dataAsOf: stored.data?.asOf ?? null };
}
