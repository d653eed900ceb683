/** From a visualization cell's keys and its data to a ChartOutput every renderer can draw. */
import type { ChartOutput, Polarity, TableOutput } from '../../outputs.js';
import { pickChart } from './auto.js';
import { capNote, ChartSpecError, chartRecords, columnOf } from './data.js';
import type { NumberFormat } from './format.js';
import { kpiCards } from './kpi.js';
import { plotlyFigure, type PlotlyFigure } from './plotly.js';
import { checkVegaLite } from './render.js';
import { shorthandSpec, type ShorthandChart } from './shorthand.js';
import { vegaLiteSpec } from './vega-lite.js';

export { MAX_POINTS, FieldError, ChartSpecError } from './data.js';
export const CHART_TYPES = ['line', 'bar', 'area', 'scatter', 'pie', 'heatmap', 'table', 'kpi'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
/** Rows a `chart: table` shows (the table line says how many there are). */
export const TABLE_ROWS = 100;

export interface VizSpec {
  chart?: ChartType;
  x?: string;
  y?: string | string[];
  color?: string;
  format?: Record<string, NumberFormat>;
  /** KPI cards: which change is good news. */
  good?: Polarity | Record<string, Polarity>;
  vega_lite?: Record<string, unknown>;
  plotly?: PlotlyFigure;
}

export interface BuildContext {
  /** The data cell's id. */
  dataId: string;
  /** Rows the data cell has (the table given may hold fewer). */
  totalRows: number;
  /** 1 when the table holds the first rows; k when it holds every k-th row. */
  step: number;
  /** Where the choice of an automatic chart and compiler warnings go. */
  log?: (message: string) => void;
}

/** Which columns a shorthand chart reads (the others are left out of the embedded data). */
function usedColumns(table: TableOutput, viz: { x?: string; y?: string | string[]; color?: string }): TableOutput {
  const names = [viz.x, ...(Array.isArray(viz.y) ? viz.y : viz.y === undefined ? [] : [viz.y]), viz.color].filter((n): n is string => n !== undefined);
  const idx = [...new Set(names)].map((n) => table.columns.findIndex((c) => c.name === n)).filter((i) => i >= 0);
  return { ...table, columns: idx.map((i) => table.columns[i]!), rows: table.rows.map((r) => idx.map((i) => r[i]!)) };
}

export async function buildChart(viz: VizSpec, table: TableOutput, ctx: BuildContext): Promise<ChartOutput> {
  const common = {
    data: ctx.dataId,
    points: table.rows.length,
    totalRows: ctx.totalRows,
    note: capNote(table.rows.length, ctx.totalRows, ctx.step),
    formats: viz.format && Object.keys(viz.format).length ? { ...viz.format } : null,
  };

  if (viz.vega_lite) {
    const spec = vegaLiteSpec(viz.vega_lite, table, chartRecords(table, 'epoch'), ctx.dataId);
    await checkCompiles(spec, ['vega_lite'], ctx);
    return { kind: 'chart', engine: 'vega-lite', chart: 'vega_lite', spec, ...common };
  }
  if (viz.plotly) {
    const figure = plotlyFigure(viz.plotly, table, ctx.dataId);
    return { kind: 'chart', engine: 'plotly', chart: 'plotly', spec: figure as unknown as Record<string, unknown>, ...common };
  }

  let shape: VizSpec = viz;
  if (!viz.chart) {
    const pick = pickChart(table);
    const named = pick as unknown as Record<string, unknown>;
    const keys =
      pick.chart === 'kpi'
        ? `y: ${pick.y.join(', ')}`
        : pick.chart === 'table'
          ? 'all columns'
          : ['x', 'y', 'color'].flatMap((k) => (named[k] === undefined ? [] : [`${k}: ${String(named[k])}`])).join(', ');
    ctx.log?.(`no chart named: picked ${pick.chart} (${keys}) from ${pick.reason}`);
    shape = { ...viz, ...pick } as VizSpec;
  }

  if (shape.chart === 'table') {
    const shown = shape.x || shape.y || shape.color ? usedColumns(table, shape) : table;
    for (const n of [shape.x, ...(Array.isArray(shape.y) ? shape.y : [shape.y]), shape.color]) if (n !== undefined) columnOf(table, n, [], ctx.dataId);
    const rows = shown.rows.slice(0, TABLE_ROWS);
    return { kind: 'chart', engine: 'table', chart: 'table', table: { ...shown, rows, rowCount: ctx.totalRows }, ...common, points: rows.length, note: ctx.step > 1 ? common.note : null };
  }
  if (shape.chart === 'kpi') {
    return { kind: 'chart', engine: 'kpi', chart: 'kpi', kpis: kpiCards(table, shape, ctx.dataId), ...common, note: null };
  }
  const spec = shorthandSpec({ ...shape, chart: shape.chart as ShorthandChart }, table, ctx.dataId);
  spec.data = { values: chartRecords(usedColumns(table, shape), 'epoch') };
  spec.$schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  await checkCompiles(spec, [], ctx);
  return { kind: 'chart', engine: 'vega-lite', chart: shape.chart!, spec, ...common };
}

async function checkCompiles(spec: Record<string, unknown>, path: (string | number)[], ctx: BuildContext): Promise<void> {
  try {
    for (const w of await checkVegaLite(spec)) ctx.log?.(`vega-lite: ${w}`);
  } catch (err) {
    throw new ChartSpecError(`the Vega-Lite spec does not compile: ${(err as Error).message}`, path, 'check it against https://vega.github.io/vega-lite/docs/');
  }
}
