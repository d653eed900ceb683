/**
 * Before a report is rendered: every Vega-Lite chart drawn to SVG in the report's theme (and, for
 * interactive HTML, compiled to Vega for the browser); Plotly figures themed. Renderers then stay
 * synchronous and pure.
 */
import type { ReportModel } from '../model.js';
import type { ChartOutput, RenderedChart } from '../../outputs.js';
import { renderSvg } from './render.js';
import { chartKey, chartLibraries, type ChartMemo } from './memo.js';
import { quireVersion } from '../../util/package-root.js';
import { CHART_FONT, PALETTE, chartBackground, type Theme } from './theme.js';

export type PreparedChart = RenderedChart;

export interface ChartFailure {
  cellId: string;
  error: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function plotlyTheme(theme: Theme): Record<string, unknown> {
  const dark = theme === 'dark';
  const grid = dark ? '#2c3340' : '#eaecf0';
  const text = dark ? '#e4e7ec' : '#1d2433';
  const axis = { gridcolor: grid, zerolinecolor: grid, linecolor: dark ? '#667085' : '#98a2b3', tickfont: { color: dark ? '#98a2b3' : '#667085', size: 11 }, automargin: true };
  return {
    font: { family: CHART_FONT, size: 12, color: text },
    colorway: PALETTE,
    paper_bgcolor: chartBackground(theme),
    plot_bgcolor: chartBackground(theme),
    margin: { l: 56, r: 16, t: 24, b: 44 },
    height: 300,
    xaxis: axis,
    yaxis: axis,
    legend: { orientation: 'h', y: 1.12, x: 0 },
    hoverlabel: { font: { family: CHART_FONT } },
  };
}

/** The chart of a cell as renderers need it; a Vega-Lite drawing comes from `memo` when it has it. */
export async function prepareChart(output: ChartOutput, theme: Theme, interactive: boolean, memo?: ChartMemo): Promise<PreparedChart> {
  if ((output.engine === 'vega-lite' || output.engine === 'plotly') && output.totalRows === 0) return { empty: true };
  try {
    if (output.engine === 'vega-lite' && output.spec) {
      const key = memo && chartKey(output.spec, theme, interactive, `quire@${quireVersion()} ${chartLibraries()}`);
      const known = key ? memo.get(key) : null;
      if (known) return known;
      const { svg, vega } = await renderSvg(output.spec, theme);
      const drawn = interactive ? { svg, vega } : { svg };
      if (key) memo.set(key, drawn);
      return drawn;
    }
    if (output.engine === 'plotly' && output.spec) {
      const fig = output.spec as { data?: unknown; layout?: Record<string, unknown>; config?: Record<string, unknown> };
      return { plotly: { data: fig.data ?? [], layout: merge(plotlyTheme(theme), fig.layout ?? {}), config: fig.config ?? {} } };
    }
    return {};
  } catch (err) {
    return { error: (err as Error).message || String(err) };
  }
}

/**
 * A copy of the model whose chart outputs carry `rendered` (the input is not changed);
 * `failures` lists the charts that could not be drawn.
 */
export async function prepareCharts(model: ReportModel, theme: Theme, interactive: boolean, memo?: ChartMemo): Promise<{ model: ReportModel; failures: ChartFailure[] }> {
  const failures: ChartFailure[] = [];
  const cells = [];
  for (const cell of model.cells) {
    if (cell.status === 'succeeded' && cell.output?.kind === 'table' && cell.output.chart) {
      const rendered = await prepareChart(cell.output.chart, theme, interactive, memo);
      if (rendered.error) failures.push({ cellId: cell.id, error: rendered.error });
      cells.push({ ...cell, output: { ...cell.output, chart: { ...cell.output.chart, rendered } } });
      continue;
    }
    if (cell.status !== 'succeeded' || cell.output?.kind !== 'chart') {
      cells.push(cell);
      continue;
    }
    const rendered = await prepareChart(cell.output, theme, interactive, memo);
    if (rendered.error) failures.push({ cellId: cell.id, error: rendered.error });
    cells.push({ ...cell, output: { ...cell.output, rendered } });
  }
  return { model: { ...model, cells }, failures };
}
