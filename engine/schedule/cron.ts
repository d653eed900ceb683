/**
 * Cron fire times in a timezone. cron-parser matches the fields; it iterates the schedule's
 * local wall clock (as if it were UTC, so it never meets DST), and `tz.ts` maps each wall time to
 * an instant. The DST rules, documented here and tested in test/unit/schedule.test.ts ("cron fire times across 2026 DST changes"):
 *
 * - spring forward: a fire time inside the gap fires ONCE, at the first valid instant after it
 *   (the end of the gap). Several fire times in one gap (`*\/15`) merge into that one fire;
 * - fall back: a fire time inside the repeated hour fires ONCE, at its first occurrence; nothing
 *   fires during the second pass of that hour;
 * - `nextFire(after)` is always strictly after `after`, never undefined: an expression that
 *   never fires is rejected when parsed.
 *
 * cron-parser's own `tz` option is not used: across the 2026 changes it shifts some gap times by
 * the DST amount (Prague 02:30 → 03:30) and skips others (Lord Howe 02:15 on 4 October).
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { UserError } from '../util/errors.js';
import { fromWall, repeatEnd, toWall } from './tz.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far a search for the next fire looks (covers 29 February and rare weekday+date pairs). */
const SEARCH_DAYS = 366 * 9;

/** A parsed expression: cron-parser's fields, walked here day by day on the wall clock. */
interface Compiled {
  expr: CronExpression;
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: Set<number>;
  dayMatches: (day: number) => boolean;
}

const compiled = new Map<string, Compiled>();

function numbers(values: readonly (number | string)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
}

function compile(exprText: string): Compiled {
  let c = compiled.get(exprText);
  if (c) return c;
  const fields = exprText.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(`cron expressions have 5 fields (minute hour day month weekday) or 6 with seconds first; '${exprText}' has ${fields.length}`);
  }
  const names = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;
  if (fields.some((f) => /H/i.test(f.replace(names, '')))) {
    throw new Error(`'H' (a random value) is not supported: fire times must stay the same across restarts`);
  }
  const expr = CronExpressionParser.parse(exprText, { currentDate: new Date(Date.UTC(2000, 0, 1)), tz: 'UTC' });
  const f = expr.fields;
  const seconds = numbers(f.second.values);
  const minutes = numbers(f.minute.values);
  const hours = numbers(f.hour.values);
  const dom = f.dayOfMonth;
  const dow = f.dayOfWeek;
  const plainDom = dom.values.every((v) => typeof v === 'number');
  const plainDow = dow.values.every((v) => typeof v === 'number') && !dow.nthDay;
  const domSet = new Set<unknown>(dom.values);
  const dowSet = new Set<unknown>(dow.values.map((v) => (v === 7 ? 0 : v)));
  const domAny = dom.isWildcard || dom.hasQuestionMarkChar;
  const dowAny = dow.isWildcard || dow.hasQuestionMarkChar;
  const probe = hours[0]! * HOUR + minutes[0]! * MINUTE + seconds[0]! * SECOND;
  const dayMatches = (day: number): boolean => {
    const date = new Date(day * DAY);
    if (domAny && dowAny) return true;
    if (dowAny && plainDom) return domSet.has(date.getUTCDate());
    if (domAny && plainDow) return dowSet.has(date.getUTCDay());
    return expr.includesDate(new Date(day * DAY + probe));
  };
  c = { expr, seconds, minutes, hours, months: new Set(numbers(f.month.values)), dayMatches };
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(exprText, c);
  return c;
}

/** The first time of day (ms) strictly after `tod`, or null. */
function firstTimeAfter(c: Compiled, tod: number): number | null {
  for (const h of c.hours) {
    if ((h + 1) * HOUR <= tod) continue;
    for (const m of c.minutes) {
      if (h * HOUR + (m + 1) * MINUTE <= tod) continue;
      for (const s of c.seconds) {
        const v = h * HOUR + m * MINUTE + s * SECOND;
        if (v > tod) return v;
      }
    }
  }
  return null;
}

/** The last time of day (ms) strictly before `tod`, or null. */
function lastTimeBefore(c: Compiled, tod: number): number | null {
  for (let i = c.hours.length - 1; i >= 0; i--) {
    const h = c.hours[i]!;
    if (h * HOUR >= tod) continue;
    for (let j = c.minutes.length - 1; j >= 0; j--) {
      const m = c.minutes[j]!;
      if (h * HOUR + m * MINUTE >= tod) continue;
      for (let k = c.seconds.length - 1; k >= 0; k--) {
        const v = h * HOUR + m * MINUTE + c.seconds[k]! * SECOND;
        if (v < tod) return v;
      }
    }
  }
  return null;
}

/** The first matching wall time strictly after `wall`. */
function nextWall(c: Compiled, wall: number): number {
  let day = Math.floor(wall / DAY);
  let tod = wall - day * DAY;
  for (let i = 0; i < SEARCH_DAYS; i++, day++, tod = -1) {
    const date = new Date(day * DAY);
    if (!c.months.has(date.getUTCMonth() + 1)) {
      day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY - 1;
      continue;
    }
    if (!c.dayMatches(day)) continue;
    const t = firstTimeAfter(c, tod);
    if (t !== null) return day * DAY + t;
  }
  throw new UserError('E_CRON', `cron '${c.expr.toString()}' has no fire time within ${SEARCH_DAYS / 366} years after ${new Date(wall).toISOString().slice(0, 19)}`);
}

/** The last matching wall time strictly before `wall`, or null when none within the search window. */
function prevWall(c: Compiled, wall: number): number | null {
  let day = Math.floor(wall / DAY);
  let tod = wall - day * DAY;
  for (let i = 0; i < SEARCH_DAYS; i++, day--, tod = DAY + 1) {
    const date = new Date(day * DAY);
    if (!c.months.has(date.getUTCMonth() + 1)) {
      day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY;
      continue;
    }
    if (!c.dayMatches(day)) continue;
    const t = lastTimeBefore(c, tod);
    if (t !== null) return day * DAY + t;
  }
  return null;
}

/** Parses a 5-field (minute precision) or 6-field (leading seconds) expression; throws a message. */
export function parseCron(expr: string): void {
  if (expr.trim().startsWith('@')) throw new Error('write the 5 or 6 fields, not an @macro');
  const c = compile(expr);
  try {
    nextWall(c, Date.UTC(2000, 0, 1));
  } catch {
    throw new Error('it never fires (no matching date)');
  }
}

/** A problem with a cron expression, as a sentence; null when it is fine. */
export function cronProblem(expr: string): string | null {
  try {
    parseCron(expr);
    return null;
  } catch (err) {
    return `invalid cron expression '${expr}': ${(err as Error).message}`;
  }
}

/** Where a forward walk starts: the wall time of `after`, or the end of a repeated hour it is in. */
function startWall(after: number, tz: string): number {
  const start = toWall(after, tz);
  const end = repeatEnd(after, tz);
  // In the second pass of a repeated hour, every wall time up to its end already fired.
  return end !== null && end > start ? end - 1 : start;
}

/** The first fire time strictly after `after` (ms since epoch) of `expr` in `tz`. */
export function nextFire(expr: string, tz: string, after: number): number {
  return nextFires(expr, tz, after, 1)[0]!;
}

/** The next `n` fire times after `after`, each once (DST-merged times are not repeated). */
export function nextFires(expr: string, tz: string, after: number, n: number): number[] {
  const c = compile(expr);
  const out: number[] = [];
  let wall = startWall(after, tz);
  let last = after;
  while (out.length < n) {
    wall = nextWall(c, wall);
    const t = fromWall(wall, tz);
    if (t > last) {
      out.push(t);
      last = t;
    }
  }
  return out;
}

/**
 * Fire times in (after, until], newest first, at most `limit`; `more` is true when older ones
 * in the range were left out. Walks back from `until`, so a long downtime costs `limit` steps.
 */
export function firesBackward(expr: string, tz: string, after: number, until: number, limit: number): { times: number[]; more: boolean } {
  const c = compile(expr);
  let wall: number | null = startWall(until, tz) + 1;
  const times: number[] = [];
  for (;;) {
    wall = prevWall(c, wall);
    if (wall === null) return { times, more: false };
    const t = fromWall(wall, tz);
    if (t > until || t === times[times.length - 1]) continue;
    if (t <= after) return { times, more: false };
    if (times.length === limit) return { times, more: true };
    times.push(t);
  }
}

/** How many fire times lie in (after, until], counting at most `cap` (then `cap` is returned). */
export function countFires(expr: string, tz: string, after: number, until: number, cap: number): number {
  const c = compile(expr);
  let n = 0;
  let wall = startWall(after, tz);
  let last = after;
  while (n < cap) {
    wall = nextWall(c, wall);
    const t = fromWall(wall, tz);
    if (t > until) break;
    if (t > last) {
      n++;
      last = t;
    }
  }
  return n;
}
