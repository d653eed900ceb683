/**
 * Relative date words (`today`, `previous_month`, ...) evaluated at a given instant in an IANA
 * timezone. Pure: the clock is passed in. The local calendar date comes from Intl.DateTimeFormat,
 * so 2026-01-01T02:00Z in America/New_York is still 2025-12-31.
 *
 * Each word names a period at that instant: a day (today, yesterday), a month, a quarter or a
 * year. Which words a period param type accepts, and what they mean there:
 *   - date:    all eight words. today/yesterday are that day; the month, quarter and year words
 *              mean the FIRST DAY of that period (current_month = the 1st of this month), the
 *              usual "start date" default.
 *   - month:   today, yesterday, current_month, previous_month: the month holding that day/month.
 *   - quarter: today, yesterday, current_month, previous_month, current_quarter, previous_quarter:
 *              the quarter holding that day/month/quarter.
 *   - year:    all eight words: the year holding that period (previous_month in January is
 *              December of the previous year, so its year is the previous year).
 * A word naming a longer period than the type's (current_quarter for a month, current_year for a
 * quarter) is ambiguous and rejected. Non-period types don't interpret relative words at all
 * (a string param whose value is "today" is the string "today").
 */
import { UserError } from '../util/errors.js';
import { type CalendarDate, type PeriodType, addMonths, formatDate, formatMonth, formatQuarter, previousDay, quarterOfMonth } from './periods.js';

export const RELATIVE_WORDS = ['today', 'yesterday', 'current_month', 'previous_month', 'current_quarter', 'previous_quarter', 'current_year', 'previous_year'] as const;
export type RelativeWord = (typeof RELATIVE_WORDS)[number];

export function isRelativeWord(value: unknown): value is RelativeWord {
  return typeof value === 'string' && (RELATIVE_WORDS as readonly string[]).includes(value);
}

/** The relative words each period type accepts (see the module comment for their meaning). */
export const RELATIVE_WORDS_BY_TYPE: Readonly<Record<PeriodType, readonly RelativeWord[]>> = {
  date: RELATIVE_WORDS,
  month: ['today', 'yesterday', 'current_month', 'previous_month'],
  quarter: ['today', 'yesterday', 'current_month', 'previous_month', 'current_quarter', 'previous_quarter'],
  year: RELATIVE_WORDS,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a UserError 'E_TIMEZONE' when `timezone` is not an IANA timezone this runtime knows. */
export function assertTimezone(timezone: string): void {
  if (timezone !== 'UTC') formatterFor(timezone);
}

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    } catch (cause) {
      throw new UserError('E_TIMEZONE', `unknown timezone ${JSON.stringify(timezone)}`, {
        hint: 'use an IANA timezone name such as UTC, Europe/Prague or America/New_York',
        cause,
      });
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** The calendar date at instant `now` in `timezone`. */
export function localDate(now: Date, timezone: string): CalendarDate {
  if (Number.isNaN(now.getTime())) throw new RangeError('localDate: invalid Date');
  // UTC needs no time zone data (the first Intl formatter with a zone costs ~10 ms to load)
  if (timezone === 'UTC') return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
  const parts = formatterFor(timezone).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    if (!part) throw new RangeError(`localDate: no ${type} in formatted date`);
    return Number(part.value);
  };
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** The period a relative word names at `now` in `timezone`: its grain and first day. */
export function relativePeriod(word: RelativeWord, now: Date, timezone: string): { grain: 'day' | 'month' | 'quarter' | 'year'; start: CalendarDate } {
  const today = localDate(now, timezone);
  switch (word) {
    case 'today':
      return { grain: 'day', start: today };
    case 'yesterday':
      return { grain: 'day', start: previousDay(today) };
    case 'current_month':
      return { grain: 'month', start: { year: today.year, month: today.month, day: 1 } };
    case 'previous_month':
      return { grain: 'month', start: { ...addMonths(today.year, today.month, -1), day: 1 } };
    case 'current_quarter': {
      const first = (quarterOfMonth(today.month) - 1) * 3 + 1;
      return { grain: 'quarter', start: { year: today.year, month: first, day: 1 } };
    }
    case 'previous_quarter': {
      const first = (quarterOfMonth(today.month) - 1) * 3 + 1;
      return { grain: 'quarter', start: { ...addMonths(today.year, first, -3), day: 1 } };
    }
    case 'current_year':
      return { grain: 'year', start: { year: today.year, month: 1, day: 1 } };
    case 'previous_year':
      return { grain: 'year', start: { year: today.year - 1, month: 1, day: 1 } };
  }
}

/**
 * The value of a period param given a relative word, at `now` in `timezone`: 'YYYY-MM-DD' for
 * date, 'YYYY-MM' for month, 'YYYY-Qn' for quarter, a number for year. `undefined` when the type
 * does not accept that word (see RELATIVE_WORDS_BY_TYPE).
 */
export function evaluateRelative(type: PeriodType, word: RelativeWord, now: Date, timezone: string): string | number | undefined {
  if (!RELATIVE_WORDS_BY_TYPE[type].includes(word)) return undefined;
  const { start } = relativePeriod(word, now, timezone);
  switch (type) {
    case 'date':
      return formatDate(start);
    case 'month':
      return formatMonth(start.year, start.month);
    case 'quarter':
      return formatQuarter(start.year, quarterOfMonth(start.month));
    case 'year':
      return start.year;
  }
}
