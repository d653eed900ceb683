/** The project's schedules as the server shows them: cron in words, next fire times, paused or not, last runs. */
import cronstrue from 'cronstrue';
import { readPaused } from '../../schedule/paused.js';
import type { ListedSchedule } from '../../schedule/list.js';
import type { RunIndexEntry } from '../../runs/index-file.js';
import type { ServerContext } from '../context.js';
import { HttpProblem } from '../problem.js';

export interface ScheduleView {
  /** `<notebook id>.<schedule name>`: how the API names a schedule. */
  id: string;
  key: string;
  notebook: string;
  notebook_id: string;
  name: string;
  cron: string;
  /** The cron in words ("At 07:00 AM, on day 1 of the month"). */
  description: string;
  timezone: string;
  next: { local: string; utc: string }[];
  paused: { by: string; at: string } | null;
  last_runs: RunIndexEntry[];
}

export const SCHEDULE_ID = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/;

export function cronInWords(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return cron;
  }
}

export function scheduleViews(ctx: ServerContext, lastRuns = 5): ScheduleView[] {
  const paused = readPaused(ctx.runsDir);
  return ctx.notebooks.schedules(5).map((s: ListedSchedule) => ({
    id: `${s.notebook_id}.${s.name}`,
    key: s.key,
    notebook: s.notebook,
    notebook_id: s.notebook_id,
    name: s.name,
    cron: s.cron,
    description: cronInWords(s.cron),
    timezone: s.timezone,
    next: s.next,
    paused: paused[s.key] ?? null,
    last_runs: lastRuns ? ctx.index.query({ notebook: s.notebook_id, schedule: s.name }, 0, lastRuns).runs : [],
  }));
}

export function findSchedule(ctx: ServerContext, id: string): ScheduleView {
  const notFound = new HttpProblem(404, 'E_SCHEDULE_NOT_FOUND', `no schedule '${id}'`, 'schedule ids are <notebook id>.<schedule name>; GET /api/v1/schedules lists them');
  if (!SCHEDULE_ID.test(id)) throw notFound;
  const s = scheduleViews(ctx, 0).find((v) => v.id === id);
  if (!s) throw notFound;
  return s;
}
