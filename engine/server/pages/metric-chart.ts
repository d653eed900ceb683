/**
 * The chart of an ad-hoc metric computation: the long table reshaped to (period or slice, series,
 * value) and drawn by the report's own chart code (Vega-Lite → SVG in Node), served as a data: image.
 */
import type { TableOutput } from '../../outputs.js';
import { buildChart } from '../../report/charts/index.js';
import { renderSvg } from '../../report/charts/render.js';
import type { ComputeResult } from '../services/metrics.js';

/** Points drawn at most (the table below shows every returned row). */
const MAX_CHART_ROWS = 2000;

/** Charts drawn at most (one per metric: their units differ). */
const MAX_CHARTS = 6;

function seriesName(row: Record<string, unknown>, many: { slices: boolean; segments: boolean }): string {
  const parts: string[] = [];
  if (many.slices) parts.push(row.slice_type === 'none' ? 'all' : String(row.slice_value));
  if (many.segments) parts.push(String(row.segment_name));
  return parts.join(' · ') || String(row.metric_name);
}

/** One SVG chart per metric of the result (the first few), each drawing its slices or segments as series. */
export async function computeChartSvgs(result: ComputeResult): Promise<{ metric: string; svg: string }[]> {
  const metrics = [...new Set(result.rows.map((r) => String(r.metric_name)))].slice(0, MAX_CHARTS);
  const out: { metric: string; svg: string }[] = [];
  for (const metric of metrics) {
    const svg = await metricChartSvg(result.rows.filter((r) => r.metric_name === metric));
    if (svg) out.push({ metric, svg });
  }
  return out;
}

async function metricChartSvg(all: Record<string, unknown>[]): Promise<string | null> {
  const rows = all.filter((r) => typeof r.metric_value === 'number').slice(0, MAX_CHART_ROWS);
  if (!rows.length) return null;
  const overTime = rows.some((r) => r.period_type !== 'all_time' && r.period_start_date);
  const sliced = rows.some((r) => r.slice_type !== 'none');
  const many = { slices: overTime && sliced, segments: new Set(rows.map((r) => r.segment_name)).size > 1 };
  // Over time: one line per metric (× slice value, × segment). Without periods: bars per slice value (or per metric).
  const shown = overTime || !sliced ? rows : rows.filter((r) => r.slice_type !== 'none');
  const table: TableOutput = overTime
    ? {
        kind: 'table',
        columns: [
          { name: 'period', type: 'DATE' },
          { name: 'series', type: 'VARCHAR' },
          { name: 'value', type: 'DOUBLE' },
        ],
        rows: shown.map((r) => [r.period_start_date as string, seriesName(r, many), r.metric_value as number]),
        rowCount: shown.length,
      }
    : {
        kind: 'table',
        columns: [
          { name: 'group', type: 'VARCHAR' },
          { name: 'series', type: 'VARCHAR' },
          { name: 'value', type: 'DOUBLE' },
        ],
        rows: shown.map((r) => [sliced ? String(r.slice_value) : String(r.segment_name), seriesName(r, { slices: false, segments: many.segments }), r.metric_value as number]),
        rowCount: shown.length,
      };
  const viz = overTime ? { chart: 'line' as const, x: 'period', y: 'value', color: 'series' } : { chart: 'bar' as const, x: 'group', y: 'value', color: 'series' };
  const chart = await buildChart(viz, table, { dataId: 'compute', totalRows: table.rows.length, step: 1 });
  if (chart.engine !== 'vega-lite') return null;
  return (await renderSvg(chart.spec as Record<string, unknown>, 'light')).svg;
}
