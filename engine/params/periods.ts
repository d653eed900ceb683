/**
 * Calendar periods of the period param types (`date`, `month`, `quarter`, `year`): strict parsing
 * of their values and their bounds. `start` is the first day of the period, `end` the first day
 * AFTER it (exclusive), both as 'YYYY-MM-DD'. Pure proleptic-Gregorian arithmetic, no Date objects,
 * so no timezone can shift a day.
 */

export const PERIOD_TYPES = ['date', 'month', 'quarter', 'year'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

export function isPeriodType(type: string): type is PeriodType {
  return (PERIOD_TYPES as readonly string[]).includes(type);
}

/** A calendar day. `month` is 1-12, `day` 1-31. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** A parsed period value: `value` is its canonical form (year as a number), plus its bounds. */
export interface Period {
  type: PeriodType;
  value: string | number;
  /** First day of the period, 'YYYY-MM-DD'. */
  start: string;
  /** First day after the period (exclusive), 'YYYY-MM-DD'. */
  end: string;
}

/** Years accepted in period values: four digits, 0001-9999. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 'YYYY-MM-DD'. */
export function formatDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** 'YYYY-MM'. */
export function formatMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** 'YYYY-Qn'. */
export function formatQuarter(year: number, quarter: number): string {
  return `${pad(year, 4)}-Q${quarter}`;
}

/** Quarter (1-4) holding a month (1-12). */
export function quarterOfMonth(month: number): number {
  return Math.floor((month - 1) / 3) + 1;
}

/** The day after `d`. */
export function nextDay(d: CalendarDate): CalendarDate {
  if (d.day < daysInMonth(d.year, d.month)) return { ...d, day: d.day + 1 };
  if (d.month < 12) return { year: d.year, month: d.month + 1, day: 1 };
  return { year: d.year + 1, month: 1, day: 1 };
}

/** The day before `d`. */
export function previousDay(d: CalendarDate): CalendarDate {
  if (d.day > 1) return { ...d, day: d.day - 1 };
  if (d.month > 1) return { year: d.year, month: d.month - 1, day: daysInMonth(d.year, d.month - 1) };
  return { year: d.year - 1, month: 12, day: 31 };
}

/** Adds `n` months (may be negative) to a (year, month) pair. */
export function addMonths(year: number, month: number, n: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + n;
  return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1 };
}

function validYear(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/** Strictly parses 'YYYY-MM-DD' (a real day: 2026-02-30 and 2025-02-29 are invalid). */
export function parseDate(text: string): CalendarDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!validYear(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** Strictly parses 'YYYY-MM' (month 01-12). */
export function parseMonth(text: string): { year: number; month: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (!validYear(year) || month < 1 || month > 12) return undefined;
  return { year, month };
}

/** Strictly parses 'YYYY-Qn' (n 1-4, upper-case Q). */
export function parseQuarter(text: string): { year: number; quarter: number } | undefined {
  const m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (!validYear(year)) return undefined;
  return { year, quarter: Number(m[2]) };
}

/**
 * Strictly parses a year: 'YYYY' text (0001-9999) or an integer number of four digits
 * (1000-9999, so a typo like 26 is not taken as the year 26).
 */
export function parseYear(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1000 && value <= MAX_YEAR ? value : undefined;
  if (!/^\d{4}$/.test(value)) return undefined;
  const year = Number(value);
  return validYear(year) ? year : undefined;
}

/**
 * Parses a value of a period type into its canonical value and bounds; `undefined` when the value
 * is not a valid value of that type. Only `year` accepts a number.
 */
export function parsePeriod(type: PeriodType, value: string | number): Period | undefined {
  if (type === 'year') {
    const year = parseYear(value);
    if (year === undefined) return undefined;
    return { type, value: year, start: formatDate({ year, month: 1, day: 1 }), end: formatDate({ year: year + 1, month: 1, day: 1 }) };
  }
  if (typeof value !== 'string') return undefined;
  switch (type) {
    case 'date': {
      const d = parseDate(value);
      if (!d) return undefined;
      return { type, value: formatDate(d), start: formatDate(d), end: formatDate(nextDay(d)) };
    }
    case 'month': {
      const m = parseMonth(value);
      if (!m) return undefined;
      const after = addMonths(m.year, m.month, 1);
      return {
        type,
        value: formatMonth(m.year, m.month),
        start: formatDate({ ...m, day: 1 }),
        end: formatDate({ ...after, day: 1 }),
      };
    }
    case 'quarter': {
      const q = parseQuarter(value);
      if (!q) return undefined;
      const firstMonth = (q.quarter - 1) * 3 + 1;
      const after = addMonths(q.year, firstMonth, 3);
      return {
        type,
        value: formatQuarter(q.year, q.quarter),
        start: formatDate({ year: q.year, month: firstMonth, day: 1 }),
        end: formatDate({ ...after, day: 1 }),
      };
    }
  }
}

/** `_start` / `_end` of a period value. Throws a RangeError on an invalid value (validate first). */
export function periodBounds(type: PeriodType, value: string | number): { start: string; end: string } {
  const p = parsePeriod(type, value);
  if (!p) throw new RangeError(`invalid ${type} value ${JSON.stringify(value)}`);
  return { start: p.start, end: p.end };
}
