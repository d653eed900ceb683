import type { TableColumn, TableValue } from '../outputs.js';
import { cleanNumber } from '../report/format/values.js';

/** A value as printed in a text table: numbers with at most 6 decimals, NULL as empty. */
function textOf(v: TableValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Aligned columns, numbers right-aligned. */
export function formatTextTable(columns: TableColumn[], rows: TableValue[][]): string {
  const cells = rows.map((r) => r.map(textOf));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((_, i) => rows.some((r) => typeof r[i] === 'number'));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.name)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

function csvField(v: TableValue): string {
  // Floats without binary noise (684325.56, not 684325.5600000008), still exact enough to compute with.
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(cleanNumber(v)) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(columns: TableColumn[], rows: TableValue[][]): string {
  return `${[columns.map((c) => csvField(c.name)).join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n')}\n`;
}

export function formatJson(columns: TableColumn[], rows: TableValue[][]): string {
  return `${JSON.stringify(
    rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i] ?? null]))),
    null,
    2,
  )}\n`;
}
