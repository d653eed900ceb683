/**
 * Spreadsheet cell values as typed values: what exceljs hands over (numbers, strings, Dates,
 * booleans, rich text, formulas with their results, hyperlinks, errors) becomes one of a few
 * kinds, each with a canonical text DuckDB casts exactly.
 */

export type ValueKind = 'integer' | 'number' | 'date' | 'timestamp' | 'time' | 'boolean' | 'text';

export interface SheetValue {
  kind: ValueKind;
  /** Text DuckDB casts to the column's type: integers and numbers as JS prints them (exact), ISO dates and timestamps. */
  text: string;
}

/** An Excel error value (#N/A, #DIV/0!...) where data was expected. */
export class CellErrorValue {
  constructor(readonly error: string) {}
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A Date exceljs made from a date-formatted cell: its UTC fields are the sheet's wall clock. */
function dateValue(d: Date): SheetValue {
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const ms = d.getUTCHours() * 3_600_000 + d.getUTCMinutes() * 60_000 + d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  // A time-only cell is a fraction of Excel's day 0, which exceljs dates 1899-12-30.
  if (day === '1899-12-30' || day === '1899-12-31') return { kind: 'time', text: time };
  if (ms === 0) return { kind: 'date', text: day };
  return { kind: 'timestamp', text: `${day} ${time}` };
}

/** Excel's serial day number (1900 system) as the wall-clock Date exceljs would make. */
function excelSerialDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** Whether a number format shows a date or time (`yyyy-mm-dd`, `d/m/y h:mm`...), quoted text and [colors] aside. */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const bare = numFmt
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

function numberValue(n: number): SheetValue | CellErrorValue {
  if (!Number.isFinite(n)) return new CellErrorValue('#NUM!');
  return Number.isSafeInteger(n) ? { kind: 'integer', text: String(n) } : { kind: 'number', text: String(n) };
}

/** null for an empty cell (blank text too); a CellErrorValue for an error cell. */
export function sheetValue(value: unknown, numFmt?: string): SheetValue | CellErrorValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return numberValue(value);
  if (typeof value === 'string') return value.trim() === '' ? null : { kind: 'text', text: value };
  if (typeof value === 'boolean') return { kind: 'boolean', text: String(value) };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : dateValue(value);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; formula?: string; sharedFormula?: string; result?: unknown; text?: unknown; error?: string; hyperlink?: string };
    if (v.error !== undefined) return new CellErrorValue(v.error);
    if (Array.isArray(v.richText)) return sheetValue(v.richText.map((r) => r.text).join(''));
    if (v.formula !== undefined || v.sharedFormula !== undefined) {
      const result = v.result;
      if (typeof result === 'number' && Number.isNaN(result)) return new CellErrorValue('#VALUE!');
      if (typeof result === 'number' && isDateFormat(numFmt)) return dateValue(excelSerialDate(result));
      if (result && typeof result === 'object' && 'error' in result) return new CellErrorValue(String((result as { error: unknown }).error));
      return sheetValue(result, numFmt);
    }
    if (v.hyperlink !== undefined) return sheetValue(v.text ?? v.hyperlink);
  }
  return { kind: 'text', text: String(value) };
}

/** The DuckDB type a column of these kinds becomes: one kind keeps its type, integers with numbers are DOUBLE, dates with timestamps TIMESTAMP, any other mix VARCHAR. */
export function columnType(kinds: ReadonlySet<ValueKind>): string {
  const only = (...ks: ValueKind[]) => [...kinds].every((k) => ks.includes(k));
  if (kinds.size === 0) return 'VARCHAR';
  if (only('integer')) return 'BIGINT';
  if (only('integer', 'number')) return 'DOUBLE';
  if (only('date')) return 'DATE';
  if (only('date', 'timestamp')) return 'TIMESTAMP';
  if (only('time')) return 'TIME';
  if (only('boolean')) return 'BOOLEAN';
  return 'VARCHAR';
}

/** `C` for column 3, `AA` for 27. */
export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}
