/** `quire schedule list`: every schedule under a folder with its next fire times. */
import { nextFires } from './cron.js';
import { ScheduleScanner, type ScheduleDef } from './discover.js';
import { formatInZone } from './tz.js';

export interface ListedSchedule {
  key: string;
  notebook: string;
  notebook_id: string;
  name: string;
  cron: string;
  timezone: string;
  missed: string;
  overlap: string;
  retries: number;
  email: string[];
  next: { local: string; utc: string }[];
}

export function listSchedules(root: string, opts: { timezone: string; from: number; count: number; exclude?: string[] }): { schedules: ListedSchedule[]; problems: string[] } {
  const scanned = new ScheduleScanner(root, opts.timezone, opts.exclude ?? []).scan();
  // Many schedules share a cron and timezone: compute their fire times once.
  const memo = new Map<string, ListedSchedule['next']>();
  const next = (cron: string, tz: string) => {
    const key = `${cron}\0${tz}`;
    let n = memo.get(key);
    if (!n) {
      n = nextFires(cron, tz, opts.from, opts.count).map((t) => ({ local: formatInZone(t, tz), utc: new Date(t).toISOString() }));
      memo.set(key, n);
    }
    return n;
  };
  const schedules = scanned
    .flatMap((nb) => nb.schedules)
    .map((d: ScheduleDef) => ({
      key: d.key,
      notebook: d.notebookRel,
      notebook_id: d.notebookId,
      name: d.spec.name,
      cron: d.spec.cron,
      timezone: d.timezone,
      missed: d.missed,
      overlap: d.overlap,
      retries: d.retries,
      email: d.spec.email?.to ?? [],
      next: next(d.spec.cron, d.timezone),
    }));
  return { schedules, problems: scanned.flatMap((nb) => nb.problems) };
}
