/**
 * Wall clock ↔ instant in an IANA timezone, with the DST rules of the scheduler:
 *
 * - a wall time that does not exist (inside a spring-forward gap) maps to the first valid instant
 *   after it, which is the instant the gap ends (02:30 in Prague on 2026-03-29 → 03:00 CEST);
 * - a wall time that exists twice (inside a fall-back repeated hour) maps to its first
 *   occurrence, the earlier instant (01:30 in New York on 2026-11-01 → 01:30 EDT).
 *
 * "Wall" values are milliseconds of a local calendar time read as if it were UTC.
 */
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when this runtime knows `tz` as an IANA timezone. */
export function isTimezone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** A UserError naming the timezone (and a close known one), or null when it is valid. */
export function timezoneProblem(tz: string): string | null {
  if (isTimezone(tz)) return null;
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const dym = didYouMean(tz, [...known, 'UTC']);
  return `unknown timezone '${tz}'${dym ? ` — ${dym}` : ''}`;
}

export function assertTimezone(tz: string): void {
  const problem = timezoneProblem(tz);
  if (problem) throw new UserError('E_TIMEZONE', problem, { hint: 'use an IANA timezone name such as UTC, Europe/Prague or America/New_York' });
}

const offsetCache = new Map<string, Map<number, number>>();

/**
 * UTC offset in milliseconds at instant `t`. Memoized per minute: every transition of the
 * modern tz database falls on a whole minute, so all instants of a minute share one offset.
 */
export function offsetAt(t: number, tz: string): number {
  const minute = Math.floor(t / MINUTE);
  let cache = offsetCache.get(tz);
  if (!cache) {
    cache = new Map();
    offsetCache.set(tz, cache);
  }
  let off = cache.get(minute);
  if (off === undefined) {
    off = computeOffset(minute * MINUTE, tz);
    if (cache.size > 200_000) cache.clear();
    cache.set(minute, off);
  }
  return off;
}

function computeOffset(t: number, tz: string): number {
  const base = Math.floor(t / 1000) * 1000;
  const parts = formatter(tz).formatToParts(new Date(base));
  const n: Record<string, number> = {};
  for (const p of parts) if (p.type !== 'literal') n[p.type] = Number(p.value);
  const wall = Date.UTC(n.year!, n.month! - 1, n.day!, n.hour!, n.minute!, n.second!);
  return wall - base;
}

/** The local wall time of instant `t`. */
export function toWall(t: number, tz: string): number {
  return t + offsetAt(t, tz);
}

/** First instant in (lo, hi] whose offset is not `before` (a transition lies there). */
function transitionBetween(lo: number, hi: number, before: number, tz: string): number {
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(mid * 1000, tz) === before) a = mid;
    else b = mid;
  }
  return b * 1000;
}

/** The instant a wall time stands for, under the module's DST rules (gap → its end; repeat → first). */
export function fromWall(wall: number, tz: string): number {
  // The instant is within [wall - 14 h, wall + 12 h]: the offsets at both ends cover any one transition.
  const offsets = [...new Set([offsetAt(wall - 15 * HOUR, tz), offsetAt(wall + 15 * HOUR, tz)])];
  const valid = offsets.map((o) => wall - o).filter((t) => offsetAt(t, tz) === wall - t);
  if (valid.length) return Math.min(...valid);
  // In a gap: before it the smaller offset applies, after it the larger one.
  const lo = Math.min(...offsets);
  const hi = Math.max(...offsets);
  return transitionBetween(wall - hi, wall - lo, lo, tz);
}

/**
 * When instant `t` lies in the second pass of a repeated (fall-back) hour: the wall time at
 * which that repetition ends; else null.
 */
export function repeatEnd(t: number, tz: string): number | null {
  const earlier = offsetAt(t - 3 * HOUR, tz);
  const now = offsetAt(t, tz);
  if (earlier <= now) return null;
  const x = transitionBetween(t - 3 * HOUR, t, earlier, tz);
  const end = x + earlier;
  return toWall(t, tz) < end ? end : null;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const m = Math.round(Math.abs(ms) / MINUTE);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** `2026-03-29 03:00:00 +02:00`: the instant as the wall clock of `tz` shows it, with the offset. */
export function formatInZone(t: number, tz: string): string {
  const off = offsetAt(t, tz);
  const d = new Date(t + off);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${formatOffset(off)}`;
}
