/** What a cell run returns, by kind: the vocabulary the executor, cache, runs and reports share. */

/** A column's DuckDB type name as DuckDB prints it: INTEGER, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP, VARCHAR, BOOLEAN, ... */
export interface TableColumn {
  name: string;
  type: string;
}

/** JSON-safe cell values: numbers; BIGINT/HUGEINT/DECIMAL as strings of digits; dates 'YYYY-MM-DD'; timestamps 'YYYY-MM-DD HH:MM:SS[.fff]'; lists/structs as JSON values. */
export type TableValue = string | number | boolean | null | TableValue[] | { [k: string]: TableValue };

export interface TableOutput {
  kind: 'table';
  columns: TableColumn[];
  /** The first rows only (a preview), row-major. */
  rows: TableValue[][];
  rowCount: number;
  /** A picture of the table drawn above it (a forecast cell's history, forecast band and anomalies). */
  chart?: ChartOutput | null;
}

/** Rendered, already-escaped HTML of a text cell. */
export interface TextOutput {
  kind: 'text';
  html: string;
}

export interface ValueOutput {
  kind: 'value';
  value: unknown;
}

/** Which way of change is good news for a number: `up` (revenue), `down` (churn, refund rate), `neutral`. */
export type Polarity = 'up' | 'down' | 'neutral';
export const POLARITIES = ['up', 'down', 'neutral'] as const;

/** How a change reads given its polarity (default `up`): good (green), bad (red) or neutral (grey). */
export function changeTone(direction: 'up' | 'down' | 'flat' | null | undefined, good: Polarity = 'up'): 'good' | 'bad' | 'neutral' {
  if (!direction || direction === 'flat' || good === 'neutral') return 'neutral';
  return direction === good ? 'good' : 'bad';
}

/** A KPI card: a headline number with an optional change against a previous value. */
export interface KpiCard {
  label: string;
  /** The value as shown (formatted). */
  text: string;
  value: number | null;
  /** Number format: number, integer, currency, percent (also used for Excel). */
  format: string;
  change?: { text: string; direction: 'up' | 'down' | 'flat'; against: string } | null;
  /** Which direction of change is good (default up): colours follow it, arrows follow the direction. */
  good?: Polarity;
}

/**
 * A visualization: a Vega-Lite spec (data inlined), a Plotly figure (arrays filled), a table
 * view or KPI cards. Static renderers draw it without a browser except for Plotly.
 */
export interface ChartOutput {
  kind: 'chart';
  /** What draws it. */
  engine: 'vega-lite' | 'plotly' | 'table' | 'kpi';
  /** The chart type: line, bar, area, scatter, pie, heatmap, table, kpi, vega_lite or plotly. */
  chart: string;
  /** The cell whose table is plotted (its sheet carries the chart image in Excel). */
  data: string;
  /** vega-lite: a complete Vega-Lite spec with `data.values`; plotly: `{ data, layout, config }`. */
  spec?: Record<string, unknown> | null;
  /** engine table: the rows shown. */
  table?: TableOutput | null;
  /** engine kpi: the cards. */
  kpis?: KpiCard[] | null;
  /** Rows of the data cell used, and how many it has (they differ when the data was capped). */
  points: number;
  totalRows: number;
  /** A note shown under the chart, e.g. when the data was capped. */
  note?: string | null;
  /** Number formats of the data's columns (`format:` of the cell), for Excel and KPI cards. */
  formats?: Record<string, string> | null;
  /** Filled by the exporter just before rendering, never stored (see charts/prepare.ts). */
  rendered?: RenderedChart | null;
}

export interface RenderedChart {
  /** Static SVG drawn in Node (Vega-Lite charts). */
  svg?: string;
  /** Compiled Vega spec for the interactive HTML. */
  vega?: Record<string, unknown>;
  /** Themed Plotly figure `{ data, layout, config }`. */
  plotly?: Record<string, unknown>;
  /** Why the chart could not be drawn. */
  error?: string;
  /** The data cell had no rows: nothing is drawn (no `NaN` axes or legend), a note says so. */
  empty?: boolean;
}

/** One metric of a metrics output, for formatting. */
export interface MetricInfo {
  name: string;
  display_name: string;
  /** count | currency | percentage | number | duration_s */
  unit: string;
  description?: string;
  /** Which direction of change is good (default up). */
  good?: Polarity;
}

/**
 * A metric cell's result: the long table of metrics-format.md (`table`, a preview of the result
 * table that later cells and exports read) plus what the report needs to show it as KPIs.
 */
export interface MetricsOutput {
  kind: 'metrics';
  table: TableOutput;
  metrics: MetricInfo[];
  /** all_time | daily | weekly | monthly | quarterly | yearly */
  grain: string;
  /** previous_period | previous_year, when compared. */
  compare?: string | null;
}

/**
 * An experiment cell's readout: the table of one row per (variant, metric) — control first, its
 * comparisons NULL — plus what the report's scorecard needs.
 */
export interface ExperimentOutput {
  kind: 'experiment';
  table: TableOutput;
  /** The control variant. */
  control: string;
  alpha: number;
  /** holm | bh | none */
  correction: string;
  /** Units per variant, control first. */
  units: { variant: string; units: number }[];
  /** Units left out: seen with several variants, or none. */
  excludedUnits: number;
  srmPValue: number | null;
  metrics: { name: string; kind: string; method: string; good?: Polarity }[];
}

export type CellOutput = TableOutput | TextOutput | ValueOutput | ChartOutput | MetricsOutput | ExperimentOutput;

/** Output kinds backed by a DuckDB table (see tableOf): what charts, code and exports can read rows of. */
export const TABLE_KINDS: readonly CellOutput['kind'][] = ['table', 'metrics', 'experiment'];

/** The DuckDB-backed table behind an output, if it has one (row counts, text-cell rows, exports). */
export function tableOf(output: CellOutput | null | undefined): TableOutput | null {
  if (!output) return null;
  if (output.kind === 'table') return output;
  if (output.kind === 'metrics' || output.kind === 'experiment') return output.table;
  return null;
}

/** Provenance of the data a run shows. */
export interface DataStamp {
  /** Last modification of the project's database file(s), ISO 8601; null for an in-memory database. */
  asOf: string | null;
  /** Short hex digest of every result table's columns and contents: equal data, equal fingerprint. */
  fingerprint: string;
}
