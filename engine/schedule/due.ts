/**
 * What to do with the ticks that came due: a pure function of the stored next time, the clock
 * and the schedule's `missed` policy.
 *
 * - Due ticks are the fire times in [next_due, now]. The newest is *on time* when it is at most
 *   `graceMs` old; the others are *missed* (the scheduler was down, or its event loop blocked).
 * - missed: all  → every due tick runs, oldest first (at most `cap`, the newest kept);
 *   missed: once → one run, for the newest due tick;
 *   missed: skip → only an on-time tick runs; missed ones are logged and dropped.
 * - The next stored time is the first fire time after `now`.
 */
import { countFires, firesBackward, nextFire } from './cron.js';

export type MissedPolicy = 'skip' | 'once' | 'all';

export interface DueDecision {
  /** Ticks to run, oldest first (ms). */
  run: number[];
  /** Ticks that are late (everything due but an on-time newest one). */
  missed: number;
  /** Late ticks that will not run. */
  dropped: number;
  /** True when there were more due ticks than COUNT_CAP (then `missed` is a lower bound). */
  capped: boolean;
  /** Oldest and newest due tick. */
  first: number;
  last: number;
  nextDue: number;
}

export interface DueOptions {
  graceMs: number;
  cap: number;
}

/** How many due ticks are counted exactly before "at least" is reported. */
export const COUNT_CAP = 10_000;

export function decideDue(cron: string, tz: string, policy: MissedPolicy, nextDue: number, now: number, opts: DueOptions): DueDecision | null {
  if (nextDue > now) return null;
  const keep = policy === 'all' ? opts.cap : 1;
  const { times } = firesBackward(cron, tz, nextDue - 1, now, keep);
  const newest = times[0] ?? nextDue;
  const counted = countFires(cron, tz, nextDue - 1, now, COUNT_CAP);
  const total = Math.max(times.length, counted);
  const onTime = now - newest <= opts.graceMs;
  const missed = total - (onTime ? 1 : 0);
  let run: number[];
  if (policy === 'all') run = [...times].reverse();
  else if (policy === 'once') run = [newest];
  else run = onTime ? [newest] : [];
  return { run, missed, dropped: total - run.length, capped: counted >= COUNT_CAP, first: nextDue, last: newest, nextDue: nextFire(cron, tz, now) };
}
