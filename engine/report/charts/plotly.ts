/** Plotly figures from a notebook: trace keys given as field names are filled with the data cell's columns. */
import type { TableOutput } from '../../outputs.js';
import { chartColumn, columnOf } from './data.js';

type Spec = Record<string, unknown>;

/** Trace keys that hold data arrays: a string there must name a column of the data. */
const DATA_KEYS = ['x', 'y', 'z', 'labels', 'values', 'parents', 'ids', 'customdata', 'lat', 'lon', 'r', 'theta', 'open', 'high', 'low', 'close', 'a', 'b', 'c'];
/** Keys that take a constant or an array: a string is filled only when it names a column. */
const EITHER_KEYS = ['text', 'hovertext', 'base', 'width'];
const MARKER_KEYS = ['color', 'size'];

const isObject = (v: unknown): v is Spec => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PlotlyFigure {
  data: Spec[];
  layout?: Spec;
  config?: Spec;
}

/** The columns a figure's traces must find in the data: a string under a data key, and `marker.size`. */
export function plotlyColumns(user: PlotlyFigure): { column: string; path: (string | number)[] }[] {
  return user.data.flatMap((trace, i) => {
    const named = DATA_KEYS.filter((key) => typeof trace[key] === 'string').map((key) => ({ column: trace[key] as string, path: ['plotly', 'data', i, key] }));
    const size = isObject(trace.marker) ? trace.marker.size : undefined;
    return typeof size === 'string' ? [...named, { column: size, path: ['plotly', 'data', i, 'marker', 'size'] }] : named;
  });
}

/** A copy of the figure with named columns filled in; a FieldError names a field the data lacks. */
export function plotlyFigure(user: PlotlyFigure, table: TableOutput, dataId: string): PlotlyFigure {
  const fill = (name: string, path: (string | number)[]) => {
    columnOf(table, name, path, dataId);
    return chartColumn(table, name, 'text');
  };
  const data = user.data.map((trace, i) => {
    const out: Spec = structuredClone(trace);
    for (const key of DATA_KEYS) {
      if (typeof trace[key] === 'string') out[key] = fill(trace[key] as string, ['plotly', 'data', i, key]);
    }
    for (const key of EITHER_KEYS) {
      const v = trace[key];
      if (typeof v === 'string' && table.columns.some((c) => c.name === v)) out[key] = fill(v, ['plotly', 'data', i, key]);
    }
    if (isObject(trace.marker)) {
      const marker = out.marker as Spec;
      for (const key of MARKER_KEYS) {
        const v = (trace.marker as Spec)[key];
        // A colour name stays a colour; only a column name is filled.
        if (typeof v === 'string' && (key === 'size' || table.columns.some((c) => c.name === v))) marker[key] = fill(v, ['plotly', 'data', i, 'marker', key]);
      }
    }
    return out;
  });
  return { data, layout: withTitleObjects(structuredClone(user.layout ?? {})), config: structuredClone(user.config ?? {}) };
}

/**
 * Plotly 3+ ignores a title given as a plain string (`yaxis: { title: Revenue }`), which older
 * examples and most notebooks write: such titles become `{ text }`, for the figure and each axis.
 */
export function withTitleObjects(layout: Spec): Spec {
  const fix = (holder: Spec) => {
    if (typeof holder.title === 'string' || typeof holder.title === 'number') holder.title = { text: String(holder.title) };
  };
  fix(layout);
  for (const [key, value] of Object.entries(layout)) {
    if (/^(?:[xyz]axis\d*|coloraxis\d*|polar\d*|scene\d*)$/.test(key) && isObject(value)) fix(value);
  }
  return layout;
}
