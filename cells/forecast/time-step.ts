/**
 * The spacing of a series' timestamps (µs since the epoch, UTC wall time) and the times after its end:
 * a fixed step (days, hours...) or whole calendar months (monthly, quarterly, yearly data).
 */
export type TimeStep = { kind: 'fixed'; us: number } | { kind: 'months'; months: number };

const monthIndex = (us: number): { months: number; rest: number } => {
  const d = new Date(us / 1000);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return { months: d.getUTCFullYear() * 12 + d.getUTCMonth(), rest: us - start * 1000 };
};

/** The step between consecutive times, or null when they are not evenly spaced (a gap, a repeat). */
export function inferStep(times: ArrayLike<number>): TimeStep | null {
  if (times.length < 2) return null;
  const first = times[1] - times[0];
  if (first > 0) {
    let fixed = true;
    for (let i = 2; i < times.length && fixed; i++) fixed = times[i] - times[i - 1] === first;
    if (fixed) return { kind: 'fixed', us: first };
  }
  const a = monthIndex(times[0]);
  const b = monthIndex(times[1]);
  const months = b.months - a.months;
  if (months < 1 || a.rest !== b.rest) return null;
  for (let i = 1; i < times.length; i++) {
    const p = monthIndex(times[i - 1]);
    const c = monthIndex(times[i]);
    if (c.months - p.months !== months || c.rest !== a.rest) return null;
  }
  return { kind: 'months', months };
}

/** The `count` times after `last`. */
export function futureTimes(last: number, step: TimeStep, count: number): number[] {
  const out: number[] = [];
  if (step.kind === 'fixed') {
    for (let k = 1; k <= count; k++) out.push(last + k * step.us);
    return out;
  }
  const { months, rest } = monthIndex(last);
  for (let k = 1; k <= count; k++) {
    const m = months + k * step.months;
    out.push(Date.UTC(Math.floor(m / 12), m % 12, 1) * 1000 + rest);
  }
  return out;
}

const DAY_US = 86_400_000_000;

/** The usual season length of data at this step: 7 for daily, 52 for weekly, 24 for hourly, 12 for monthly, 4 for quarterly. */
export function defaultPeriod(step: TimeStep): number | null {
  if (step.kind === 'months') return step.months === 1 ? 12 : step.months === 3 ? 4 : null;
  if (step.us === DAY_US) return 7;
  if (step.us === 7 * DAY_US) return 52;
  if (step.us === DAY_US / 24) return 24;
  return null;
}

/** A step in words, for messages: "1 day", "1 month". */
export function stepText(step: TimeStep): string {
  if (step.kind === 'months') return `${step.months} month${step.months === 1 ? '' : 's'}`;
  if (step.us % DAY_US === 0) return `${step.us / DAY_US} day${step.us === DAY_US ? '' : 's'}`;
  return `${step.us / 1e6} s`;
}
