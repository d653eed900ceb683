import type { TableValue } from '../../outputs.js';
import { escapeHtml } from '../../text/escape.js';
import { formatDecimal, formatInteger } from './numbers.js';

/** How a column's values are shown, decided from its DuckDB type name. */
export type ColumnKind = 'integer' | 'decimal' | 'date' | 'timestamp' | 'boolean' | 'nested' | 'text';

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'INT',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
  'INT1',
  'INT2',
  'INT4',
  'INT8',
  'SHORT',
  'LONG',
  'SIGNED',
  'VARINT',
  'BIGNUM',
]);
const DECIMAL_TYPES = new Set(['DOUBLE', 'FLOAT', 'REAL', 'FLOAT4', 'FLOAT8', 'DECIMAL', 'NUMERIC']);

export function columnKind(type: string): ColumnKind {
  const t = type.trim().toUpperCase();
  if (/\[\d*\]$/.test(t) || /^(STRUCT|MAP|UNION)\s*\(/.test(t)) return 'nested';
  const base = t.replace(/\s*\(.*$/, '');
  if (INTEGER_TYPES.has(base)) return 'integer';
  if (DECIMAL_TYPES.has(base)) return 'decimal';
  if (base === 'DATE') return 'date';
  if (/^(TIMESTAMP|DATETIME)/.test(base)) return 'timestamp';
  if (base === 'BOOLEAN' || base === 'BOOL' || base === 'LOGICAL') return 'boolean';
  return 'text';
}

export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'integer' || kind === 'decimal';
}

const TIMESTAMP_RE = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(.*)$/;

/** Whether any timestamp in a column has non-zero seconds (then the whole column shows seconds). */
export function timestampsNeedSeconds(values: readonly TableValue[]): boolean {
  return values.some((v) => {
    if (typeof v !== 'string') return false;
    const sec = TIMESTAMP_RE.exec(v.trim())?.[3];
    return sec !== undefined && sec !== '00';
  });
}

/** `YYYY-MM-DD HH:MM[:SS]` (fractional seconds dropped, zone suffix kept); `null` if not a timestamp. */
export function formatTimestamp(value: string, withSeconds: boolean): string | null {
  const m = TIMESTAMP_RE.exec(value.trim());
  if (!m) return null;
  const zone = m[4] ? ` ${m[4]}` : '';
  return `${m[1]} ${m[2]}${withSeconds ? `:${m[3] ?? '00'}` : ''}${zone}`;
}

export interface FormattedCell {
  /** Safe HTML for the cell's content. */
  html: string;
  /** Whether the cell holds a number (right-aligned, tabular figures). */
  numeric: boolean;
}

export interface FormatOptions {
  /** For timestamp columns: show seconds. */
  withSeconds?: boolean;
}

/** Strings longer than this wrap within a bounded width. */
const LONG_TEXT = 48;

const NULL_HTML = '<span class="null" title="NULL">∅</span>';

function compactJson(value: TableValue): string {
  return JSON.stringify(value) ?? String(value);
}

function jsonHtml(json: string): string {
  return `<span class="json${json.length > LONG_TEXT ? ' long' : ''}">${escapeHtml(json)}</span>`;
}

/** One table value as safe HTML, formatted by its column's kind. */
export function formatCell(value: TableValue | undefined, kind: ColumnKind, opts: FormatOptions = {}): FormattedCell {
  if (value === null) return { html: NULL_HTML, numeric: false };
  if (value === undefined) return { html: '', numeric: false };

  if (typeof value === 'object') {
    return { html: jsonHtml(compactJson(value)), numeric: false };
  }

  if (typeof value === 'boolean') {
    // No colour and no ✓/✗: whether true is good depends on the column (an SRM `mismatch` is good when false).
    return { html: `<span class="bool" title="${value}">${value ? 'Yes' : 'No'}</span>`, numeric: false };
  }

  if (kind === 'integer') {
    // A non-integral value in an integer column is shown as a decimal rather than as raw text.
    const text = formatInteger(value) ?? formatDecimal(value);
    if (text !== null) return { html: escapeHtml(text), numeric: true };
  }

  if (kind === 'decimal') {
    const text = formatDecimal(value);
    if (text !== null) return { html: escapeHtml(text), numeric: true };
  }

  if (kind === 'timestamp' && typeof value === 'string') {
    const text = formatTimestamp(value, opts.withSeconds ?? false);
    if (text !== null) return { html: escapeHtml(text), numeric: false };
  }

  if (typeof value === 'number') {
    // A number in a non-numeric column (or a non-finite one): still shown as a number.
    const text = Number.isInteger(value) ? formatInteger(value) : formatDecimal(value);
    return { html: escapeHtml(text ?? String(value)), numeric: true };
  }

  if (kind === 'nested') return { html: jsonHtml(value), numeric: false };

  // Long text wraps inside a bounded block instead of stretching its column across the page.
  const html = escapeHtml(value);
  return { html: value.length > LONG_TEXT ? `<span class="long">${html}</span>` : html, numeric: false };
}
