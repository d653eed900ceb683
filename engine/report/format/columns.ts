/**
 * The one formatting model of report tables: per column a human header, a hover title with the
 * DuckDB type, and a value format taken from (in order) the cell's `format:` / metric units, else a
 * default by column name and type.
 */
import type { TableColumn, TableValue } from '../../outputs.js';
import { columnKind } from '../html/format.js';
import type { ValueFormat } from './values.js';

export interface ColumnFormat {
  name: string;
  type: string;
  /** What the header says: a label given by a metric spec, else the title-cased name. */
  header: string;
  /** Hover text: the column name and its DuckDB type. */
  title: string;
  /** null: the renderer's default for the column's type (dates, text, booleans...). */
  format: ValueFormat | null;
}

const ID_NAME = /(^|_)(id|ids|key|code|zip|postcode|year)$|^(id|year)(_|$)/i;
const PVALUE_NAME = /^(p|pval|p_?value)$|_p_?value$|^p_value_/i;
const RATE_NAME = /(rate|share|pct|percent|ratio|conversion|churn|retention|margin|fraction|prop)(_|$)/i;

const ACRONYMS = new Map([
  ['id', 'ID'],
  ['ids', 'IDs'],
  ['url', 'URL'],
  ['sku', 'SKU'],
  ['mrr', 'MRR'],
  ['arr', 'ARR'],
  ['aov', 'AOV'],
  ['kpi', 'KPI'],
  ['pct', '%'],
  ['srm', 'SRM'],
]);

/** `avg_order_value` → `Avg Order Value`, `customerId` → `Customer ID`. */
export function humanHeader(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\s.-]+/)
    .filter(Boolean);
  if (!words.length) return name;
  return words.map((w) => ACRONYMS.get(w.toLowerCase()) ?? w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

function isFraction(values: readonly TableValue[]): boolean {
  const numbers = values.filter((v): v is number | string => v !== null && (typeof v === 'number' || typeof v === 'string')).map(Number);
  return numbers.length > 0 && numbers.every((n) => Number.isFinite(n) && Math.abs(n) <= 1.5);
}

/** The format a column gets when nobody chose one: ids plain, rates as percent, p-values floored. */
export function defaultFormat(column: TableColumn, values: readonly TableValue[]): ValueFormat | null {
  const kind = columnKind(column.type);
  if (kind === 'integer') return ID_NAME.test(column.name) ? 'id' : 'integer';
  if (kind !== 'decimal') return null;
  if (PVALUE_NAME.test(column.name)) return 'pvalue';
  if (RATE_NAME.test(column.name) && isFraction(values)) return 'percent';
  return null; // the decimal default of the renderer
}

/**
 * Formats of a table's columns. `formats`: chosen formats by column name (`format:` of a
 * visualization, metric units); `labels`: headers by column name (metric labels).
 */
export function tableColumnFormats(
  columns: readonly TableColumn[],
  rows: readonly TableValue[][],
  opts: { formats?: Record<string, ValueFormat>; labels?: Record<string, string> } = {},
): ColumnFormat[] {
  return columns.map((c, i) => ({
    name: c.name,
    type: c.type,
    header: opts.labels?.[c.name] ?? humanHeader(c.name),
    title: `${c.name} · ${c.type}`,
    format:
      opts.formats?.[c.name] ??
      defaultFormat(
        c,
        rows.map((r) => r[i] ?? null),
      ),
  }));
}
