/**
 * The columns of its data a visualization names, found without the data: what buildChart would
 * refuse with a FieldError when the data lacks one (so validate can say it before a run).
 */
import type { VizSpec } from './index.js';
import { plotlyColumns } from './plotly.js';
import { vegaLiteColumns } from './vega-lite.js';

type Path = (string | number)[];
export type NamedColumn = { column: string; path: Path };

function ys(y: VizSpec['y']): NamedColumn[] {
  if (y === undefined) return [];
  return Array.isArray(y) ? y.map((column, i) => ({ column, path: ['y', i] })) : [{ column: y, path: ['y'] }];
}

const keysOf = (key: 'format' | 'good', record: object | undefined): NamedColumn[] => Object.keys(record ?? {}).map((column) => ({ column, path: [key, column] }));

/**
 * Each column the cell names, with where (a path inside the cell). A cell without `chart:` names
 * none: the chart picked from the data's types decides which of its keys are read.
 */
export function chartColumns(viz: VizSpec): NamedColumn[] {
  if (viz.vega_lite) return vegaLiteColumns(viz.vega_lite);
  if (viz.plotly) return plotlyColumns(viz.plotly);
  if (viz.chart === undefined) return [];
  const x: NamedColumn[] = viz.x === undefined ? [] : [{ column: viz.x, path: ['x'] }];
  const color: NamedColumn[] = viz.color === undefined ? [] : [{ column: viz.color, path: ['color'] }];
  if (viz.chart === 'table') return [...x, ...ys(viz.y), ...color];
  // KPI cards have no colour; they read `good:` per field.
  if (viz.chart === 'kpi') return [...x, ...ys(viz.y), ...keysOf('format', viz.format), ...(typeof viz.good === 'object' ? keysOf('good', viz.good) : [])];
  return [...x, ...ys(viz.y), ...color, ...keysOf('format', viz.format)];
}
