/** The data side of charts: column roles, chart records, and field checks that name the culprit. */
import type { TableColumn, TableOutput, TableValue } from '../../outputs.js';
import { columnKind } from '../html/format.js';
import { didYouMean } from '../../util/suggest.js';

/** At most this many rows of a cell's table go into one chart (a note says so when capped). */
export const MAX_POINTS = 5000;

/** How a column can be encoded: Vega-Lite's measurement types. */
export type FieldType = 'quantitative' | 'temporal' | 'nominal';

export function fieldType(column: TableColumn): FieldType {
  const kind = columnKind(column.type);
  if (kind === 'integer' || kind === 'decimal') return 'quantitative';
  if (kind === 'date' || kind === 'timestamp') return 'temporal';
  return 'nominal';
}

/** A field that is not a column of the data: the message names it and lists the columns. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    /** Where the field sits inside the visualization cell, e.g. ['y', 1] or ['vega_lite', 'encoding', 'x', 'field']. */
    readonly path: (string | number)[],
    readonly columns: readonly TableColumn[],
    readonly dataId: string,
    readonly reason?: string,
  ) {
    const names = columns.map((c) => c.name);
    const dym = didYouMean(field, names);
    super(reason ?? `field '${field}' is not a column of '${dataId}'${dym ? ` — ${dym}` : ''}; its columns are ${names.length ? names.map((n) => `'${n}'`).join(', ') : '(none)'}`);
    this.name = 'FieldError';
  }
}

/** A problem with a chart spec that is not about one field (bad combination of keys...). */
export class ChartSpecError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ChartSpecError';
  }
}

export function columnOf(table: TableOutput, field: string, path: (string | number)[], dataId: string): TableColumn {
  const col = table.columns.find((c) => c.name === field);
  if (!col) throw new FieldError(field, path, table.columns, dataId);
  return col;
}

/** A value as a JS number (BIGINT/DECIMAL arrive as digit strings); null when it is not one. */
export function toNumber(v: TableValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})$/;
const TS_RE = /^(-?\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A DATE / TIMESTAMP value as epoch milliseconds in UTC (charts then format in UTC, never local time). */
export function toEpochMs(v: TableValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const d = DATE_RE.exec(v);
  if (d) return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
  const t = TS_RE.exec(v.trim());
  if (!t) return null;
  let zone = t[3] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  const ms = Date.parse(`${t[1]}T${t[2]}${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

/** A value as chart data: numbers for numeric columns, epoch ms for temporal ones, text otherwise. */
export function chartValue(v: TableValue | undefined, type: FieldType, temporalAs: 'epoch' | 'text'): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (type === 'quantitative') return toNumber(v);
  if (type === 'temporal') return temporalAs === 'epoch' ? toEpochMs(v) : typeof v === 'string' ? v : String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** Row objects of the given columns (all when omitted), typed for charts. */
export function chartRecords(table: TableOutput, temporalAs: 'epoch' | 'text' = 'epoch'): Record<string, string | number | boolean | null>[] {
  const types = table.columns.map(fieldType);
  return table.rows.map((row) => {
    const rec: Record<string, string | number | boolean | null> = {};
    table.columns.forEach((c, i) => {
      rec[c.name] = chartValue(row[i], types[i]!, temporalAs);
    });
    return rec;
  });
}

/** One column's values, typed for charts. */
export function chartColumn(table: TableOutput, name: string, temporalAs: 'epoch' | 'text'): (string | number | boolean | null)[] {
  const i = table.columns.findIndex((c) => c.name === name);
  const type = fieldType(table.columns[i]!);
  return table.rows.map((row) => chartValue(row[i], type, temporalAs));
}

/** The note under a capped chart. */
export function capNote(points: number, total: number, step: number): string | null {
  if (points >= total) return null;
  const f = (n: number) => n.toLocaleString('en-US');
  return `Showing ${f(points)} of ${f(total)} rows${step > 1 ? ` (1 in every ${f(step)})` : ''}: charts are capped at ${f(MAX_POINTS)} points.`;
}
