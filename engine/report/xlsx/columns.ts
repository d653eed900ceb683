/** How each DuckDB column becomes an Excel column: value kind, SQL to read it, number format, width. */
import type { TableColumn, TableValue } from '../../outputs.js';
import { columnKind } from '../html/format.js';
import { formatDecimal, formatInteger } from '../html/numbers.js';
import { toEpochMs, toNumber } from '../charts/data.js';
import { excelFormat, type NumberFormat } from '../charts/format.js';
import { quoteIdent } from '../../duck/sql-text.js';
import { defaultFormat } from '../format/columns.js';
import { excelValueFormat } from '../format/values.js';

/** A cell value as the sheet writer takes it: numbers (dates as Excel serials), text, booleans. */
export type XlsxValue = number | string | boolean | null;

export type XlsxKind = 'number' | 'date' | 'timestamp' | 'time' | 'boolean' | 'text';

export interface ColumnPlan {
  name: string;
  type: string;
  kind: XlsxKind;
  /** SQL expression reading the column as DOUBLE / BOOLEAN / VARCHAR from Parquet. */
  sql: string;
  /** Excel number format; null for text and booleans. */
  numFmt: string | null;
  /** Column width in characters. */
  width: number;
}

/** Days between Excel's epoch (1899-12-30) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;
/** Excel holds at most this many characters in a cell. */
export const MAX_CELL_CHARS = 32767;

function decimalScale(type: string): number | null {
  const m = /^DECIMAL\s*\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(type.trim());
  return m ? Number(m[1]) : null;
}

function kindOf(type: string): XlsxKind {
  const t = type.trim().toUpperCase();
  const kind = columnKind(t);
  if (kind === 'integer' || kind === 'decimal') return 'number';
  if (kind === 'date') return 'date';
  if (kind === 'timestamp') return 'timestamp';
  if (kind === 'boolean') return 'boolean';
  if (/^TIME(\s|$)/.test(t) && !/^TIMESTAMP/.test(t)) return 'time';
  return 'text';
}

function numFmtOf(col: TableColumn, kind: XlsxKind, format: NumberFormat | undefined, values: readonly TableValue[]): string | null {
  if (kind === 'date') return 'yyyy-mm-dd';
  if (kind === 'timestamp') return 'yyyy-mm-dd hh:mm:ss';
  if (kind === 'time') return 'hh:mm:ss';
  if (kind !== 'number') return null;
  if (format) return excelFormat(format);
  // The report's defaults by column name and type (ids, rates, p-values), as in HTML and PDF.
  const byDefault = defaultFormat(col, values);
  if (byDefault) return excelValueFormat(byDefault);
  const scale = decimalScale(col.type);
  if (scale !== null) return scale === 0 ? '#,##0' : `#,##0.${'0'.repeat(Math.min(scale, 6))}`;
  return '#,##0.00##';
}

function sqlOf(name: string, type: string, kind: XlsxKind): string {
  const c = quoteIdent(name);
  const t = type.trim().toUpperCase();
  switch (kind) {
    case 'number':
      return `CAST(${c} AS DOUBLE)`;
    case 'date':
      return `CASE WHEN isfinite(${c}) THEN CAST(date_diff('day', DATE '1899-12-30', ${c}) AS DOUBLE) END`;
    case 'timestamp':
      return `CASE WHEN isfinite(${c}) THEN epoch_ms(${c}) / 86400000.0 + ${EXCEL_EPOCH_DAYS} END`;
    case 'time':
      return `CAST(epoch(${c}) AS DOUBLE) / 86400.0`;
    case 'boolean':
      return c;
    default:
      return /\[\d*\]$|^(STRUCT|MAP|UNION)\s*\(/.test(t) ? `CAST(to_json(${c}) AS VARCHAR)` : `CAST(${c} AS VARCHAR)`;
  }
}

/** A preview value (the report model's JSON form) as an Excel value of its column's kind. */
export function previewValue(v: TableValue | undefined, kind: XlsxKind): XlsxValue {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'number':
      return toNumber(v);
    case 'date':
    case 'timestamp': {
      const ms = typeof v === 'string' ? toEpochMs(v) : null;
      return ms === null ? (typeof v === 'string' ? v : null) : ms / 86_400_000 + EXCEL_EPOCH_DAYS;
    }
    case 'time': {
      const m = typeof v === 'string' ? /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(v) : null;
      return m ? (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) / 86400 : typeof v === 'string' ? v : null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : String(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** How long a value reads in the sheet, for column widths. */
function shownLength(v: TableValue | undefined, col: TableColumn, kind: XlsxKind, numFmt: string | null): number {
  if (v === null || v === undefined) return 0;
  if (kind === 'date') return 10;
  if (kind === 'timestamp') return 19;
  if (kind === 'number') {
    const n = toNumber(v);
    if (n === null) return String(v).length;
    if (numFmt?.includes('%')) return (n * 100).toFixed(1).length + 1;
    const text = columnKind(col.type) === 'integer' ? formatInteger(typeof v === 'number' ? v : String(v)) : formatDecimal(n);
    return (text ?? String(v)).length + (numFmt?.includes('$') ? 1 : 0);
  }
  if (typeof v === 'string') return v.length;
  return JSON.stringify(v).length;
}

/** Plans for the columns of a table, widths measured on its preview rows. */
export function planColumns(columns: readonly TableColumn[], preview: readonly TableValue[][], formats: Record<string, NumberFormat> = {}): ColumnPlan[] {
  return columns.map((col, i) => {
    const kind = kindOf(col.type);
    const numFmt = numFmtOf(
      col,
      kind,
      formats[col.name],
      preview.map((r) => r[i] ?? null),
    );
    let longest = col.name.length + 3; // room for the filter button
    for (const row of preview.slice(0, 200)) longest = Math.max(longest, shownLength(row[i], col, kind, numFmt));
    return { name: col.name, type: col.type, kind, sql: sqlOf(col.name, col.type, kind), numFmt, width: Math.min(60, Math.max(8, longest + 2)) };
  });
}

/** Excel number formats of a metric unit (metrics-format.md units). */
export function unitFormat(unit: string): string {
  switch (unit) {
    case 'currency':
      return '"$"#,##0.00';
    case 'percentage':
      return '0.0%';
    case 'count':
      return '#,##0';
    case 'duration_s':
      return '#,##0.0 "s"';
    default:
      return '#,##0.00##';
  }
}
