/**
 * How one number reads in a table cell, by its column's format. Every renderer (HTML, PDF through
 * HTML, XLSX number formats, CSV) takes its formats from ./columns.ts and its text from here.
 */
import { formatDecimal, formatInteger } from '../html/numbers.js';
import { excelFormat, formatNumber, NUMBER_FORMATS, type NumberFormat } from '../charts/format.js';

/** A column format: the `format:` names of a visualization, plus `id` (plain digits) and `pvalue`. */
export type ValueFormat = NumberFormat | 'id' | 'pvalue';

/** p-values below this print as `< 0.0001`. */
export const PVALUE_FLOOR = 0.0001;

export function isNumberFormat(name: string): name is NumberFormat {
  return (NUMBER_FORMATS as readonly string[]).includes(name);
}

/**
 * A float without binary noise: `684325.5600000008` → `684325.56`, `0.1 + 0.2` → `0.3`. The shortest
 * decimal within 1e-13 relative of the value: sums of decimals drift only in their last digits.
 */
export function cleanNumber(n: number): number {
  if (!Number.isFinite(n) || Number.isInteger(n)) return n;
  for (let p = 1; p <= 17; p++) {
    const rounded = Number(n.toPrecision(p));
    if (Math.abs(rounded - n) <= Math.abs(n) * 1e-13) return rounded;
  }
  return n;
}

/** A number or digit string in a format; null when the value is not a number. */
export function formatValue(value: number | string, format: ValueFormat): string | null {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && (value.trim() === '' || !Number.isFinite(n))) return null;
  switch (format) {
    case 'id':
      return typeof value === 'string' ? value.trim() : Number.isInteger(n) ? String(n) : String(cleanNumber(n));
    case 'pvalue':
      if (n >= 0 && n < PVALUE_FLOOR) return `< ${PVALUE_FLOOR}`;
      return String(Number(n.toFixed(4)));
    case 'integer':
      return formatInteger(typeof value === 'string' ? value : Math.round(n)) ?? formatInteger(Math.round(n));
    case 'decimal':
      return formatDecimal(value);
    case 'currency': {
      const text = formatDecimal(typeof value === 'number' ? cleanNumber(n) : value);
      if (text === null) return null;
      return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
    }
    case 'percent':
      return formatNumber(n, 'percent');
    default:
      return formatNumber(cleanNumber(n), 'number');
  }
}

/** Excel number format of a column format. */
export function excelValueFormat(format: ValueFormat): string {
  if (format === 'id') return '0';
  if (format === 'pvalue') return '[<0.0001]"< 0.0001";0.0000';
  return excelFormat(format);
}

/** The column format of a metric unit (metrics-format.md units). */
export function unitValueFormat(unit: string): ValueFormat {
  switch (unit) {
    case 'currency':
      return 'currency';
    case 'percentage':
      return 'percent';
    case 'count':
      return 'integer';
    default:
      return 'number';
  }
}
