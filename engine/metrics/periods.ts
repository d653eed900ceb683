/**
 * Time in metric requests: windows `[start, end)` of dates, grains (weeks start on Monday),
 * and the comparison period of `compare`. Dates are 'YYYY-MM-DD' strings in JS and bound DATE
 * values in SQL; nothing here splices a user value into SQL text.
 */
import type { Compare, Grain } from './specs.js';

export interface Window {
  start: string;
  end: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date 'YYYY-MM-DD', or null. */
export function parseIsoDate(s: string): Date | null {
  const m = DATE.exec(s.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? d : null;
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `d` plus `n` months, the day clamped to the month's length (Mar 31 - 1 month = Feb 28/29). */
function addMonths(d: Date, n: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86_400_000);
}

const MONTHS: Partial<Record<Grain, number>> = { monthly: 1, quarterly: 3, yearly: 12 };
const DAYS: Partial<Record<Grain, number>> = { daily: 1, weekly: 7 };

/** Start of the period holding `d`. */
export function truncDate(grain: Grain, d: Date): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (grain) {
    case 'weekly':
      return addDays(d, -((d.getUTCDay() + 6) % 7));
    case 'monthly':
      return new Date(Date.UTC(y, m, 1));
    case 'quarterly':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'yearly':
      return new Date(Date.UTC(y, 0, 1));
    default:
      return d;
  }
}

export function addPeriods(grain: Grain, d: Date, n: number): Date {
  const months = MONTHS[grain];
  return months ? addMonths(d, n * months) : addDays(d, n * (DAYS[grain] ?? 0));
}

/** SQL INTERVAL of one period of `grain`. */
export function stepSql(grain: Grain): string {
  return { daily: 'INTERVAL 1 DAY', weekly: 'INTERVAL 7 DAY', monthly: 'INTERVAL 1 MONTH', quarterly: 'INTERVAL 3 MONTH', yearly: 'INTERVAL 1 YEAR', all_time: '' }[grain];
}

/** SQL of the period start (DATE) of a time value. ISO weeks: DuckDB truncates to Monday. */
export function truncSql(grain: Grain, expr: string): string {
  if (grain === 'daily') return `CAST(${expr} AS DATE)`;
  const part = { weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year' }[grain as 'weekly'];
  return `CAST(date_trunc('${part}', ${expr}) AS DATE)`;
}

/** How far back `previous_year` looks: a year; for weeks 52 weeks, so Mondays stay Mondays. */
export function previousYearSql(grain: Grain, expr: string): string {
  return grain === 'weekly' ? `CAST(${expr} - INTERVAL 364 DAY AS DATE)` : `CAST(${expr} - INTERVAL 1 YEAR AS DATE)`;
}

function wholeMonths(w: { start: Date; end: Date }): number | null {
  if (w.start.getUTCDate() !== 1 || w.end.getUTCDate() !== 1) return null;
  return (w.end.getUTCFullYear() - w.start.getUTCFullYear()) * 12 + w.end.getUTCMonth() - w.start.getUTCMonth();
}

/**
 * The window a request compares against, for `all_time`: previous_period is the same length
 * right before (whole calendar months when the window is whole months, else the same number
 * of days); previous_year is the window a year earlier.
 */
export function comparisonWindow(w: Window, compare: Compare): Window {
  const start = parseIsoDate(w.start)!;
  const end = parseIsoDate(w.end)!;
  if (compare === 'previous_year') return { start: isoDate(addMonths(start, -12)), end: isoDate(addMonths(end, -12)) };
  const months = wholeMonths({ start, end });
  if (months) return { start: isoDate(addMonths(start, -months)), end: w.start };
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000);
  return { start: isoDate(addDays(start, -days)), end: w.start };
}

/**
 * What the scan must read with a grain and `compare`: the window plus the periods compared
 * against (one period earlier, or the window a year earlier). For windows on period boundaries.
 */
export function grainComparisonWindow(w: Window, grain: Grain, compare: Compare): Window {
  const start = parseIsoDate(w.start)!;
  const end = parseIsoDate(w.end)!;
  if (compare === 'previous_period') return { start: isoDate(addPeriods(grain, truncDate(grain, start), -1)), end: w.start };
  return { start: isoDate(shiftBack(grain, compare, start)), end: isoDate(shiftBack(grain, compare, end)) };
}

/** Whether both window bounds fall on period boundaries (always so for days). */
export function windowOnBoundaries(w: Window, grain: Grain): boolean {
  return [w.start, w.end].every((s) => {
    const d = parseIsoDate(s)!;
    return truncDate(grain, d).getTime() === d.getTime();
  });
}

/** `d` moved to the comparison period: one period back, or a year (52 weeks for weeks); day of month clamped. */
function shiftBack(grain: Grain, compare: Compare, d: Date): Date {
  if (compare === 'previous_period') return addPeriods(grain, d, -1);
  return grain === 'weekly' ? addDays(d, -364) : addMonths(d, -12);
}

/**
 * The comparison rows of a window that cuts its first or last period: the window's days moved
 * back one period (or a year), each moved date clamped to its month. Inside, every period is
 * compared with a whole one; a cut first period `[start, P + 1)` with `[shift(start), P')`, a
 * cut last one `[P, end)` with `[P', shift(end - 1 day) + 1 day)` (its last day, moved).
 */
export function clippedComparisonWindow(w: Window, grain: Grain, compare: Compare): Window {
  const start = parseIsoDate(w.start)!;
  const end = parseIsoDate(w.end)!;
  const endOnBoundary = truncDate(grain, end).getTime() === end.getTime();
  const cmpEnd = endOnBoundary ? shiftBack(grain, compare, end) : addDays(shiftBack(grain, compare, addDays(end, -1)), 1);
  return { start: isoDate(shiftBack(grain, compare, start)), end: isoDate(cmpEnd) };
}
