/** The state changes of the server, shared by the API and the pages' forms: each checks, acts, and records who did it in the audit log. */
import { rerunParams } from '../exec/rerun.js';
import { setPaused } from '../schedule/paused.js';
import type { User } from './auth/roles.js';
import type { ServerContext } from './context.js';
import { HttpProblem } from './problem.js';
import { findRunView } from './runs/lookup.js';
import type { ManagedRun } from './runs/run-manager.js';
import { findSchedule, type ScheduleView } from './schedules/view.js';

export async function startRun(ctx: ServerContext, user: User, notebookId: string, params: Record<string, unknown>, fromText = false): Promise<ManagedRun> {
  const nb = ctx.notebooks.loaded(notebookId);
  const run = await ctx.runs.submit({ nb, params, fromText, startedBy: user.name });
  ctx.audit.record(user, 'run.start', run.id, { notebook: nb.id, params });
  return run;
}

/** Runs a run's notebook again with its params, `overrides` on top (typed values, or text from a form). */
export async function rerun(ctx: ServerContext, user: User, runId: string, overrides: Record<string, unknown>, fromText = false): Promise<ManagedRun> {
  const view = findRunView(ctx, runId);
  if (!view.manifest) throw new HttpProblem(409, 'E_RUN_NOT_STARTED', `run ${view.id} has not started: nothing to rerun yet`);
  const nb = ctx.notebooks.loaded(view.manifest.notebook.id);
  const { params } = rerunParams(nb, view.manifest, {}, ctx.clock());
  // Form values are text: the earlier run's typed values are given as text too, so one coercion applies to all.
  const base = fromText ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)])) : params;
  const run = await ctx.runs.submit({ nb, params: { ...base, ...overrides }, fromText, startedBy: user.name, trigger: { kind: 'rerun', schedule: null, scheduled_for: null } });
  ctx.audit.record(user, 'run.rerun', run.id, { of: view.id, params: overrides });
  return run;
}

export async function cancelRun(ctx: ServerContext, user: User, runId: string): Promise<string> {
  const view = findRunView(ctx, runId);
  if (!(await ctx.runs.cancel(view.id, `a cancel from ${user.name}`))) {
    throw new HttpProblem(409, 'E_RUN_NOT_ACTIVE', `run ${view.id} is ${view.status}: only queued or running runs of this server can be cancelled`);
  }
  ctx.audit.record(user, 'run.cancel', view.id);
  return ctx.runs.get(view.id)?.status ?? 'cancelled';
}

export function pauseSchedule(ctx: ServerContext, user: User, id: string, pause: boolean): ScheduleView {
  const s = findSchedule(ctx, id);
  setPaused(ctx.runsDir, s.key, pause ? { by: user.name, at: ctx.clock().toISOString() } : null);
  ctx.audit.record(user, pause ? 'schedule.pause' : 'schedule.resume', s.key);
  return findSchedule(ctx, id);
}

export async function triggerSchedule(ctx: ServerContext, user: User, id: string): Promise<ManagedRun> {
  const s = findSchedule(ctx, id);
  const nb = ctx.notebooks.loaded(s.notebook_id);
  const spec = nb.top.schedules?.find((x) => x.name === s.name);
  const run = await ctx.runs.submit({ nb, params: spec?.params ?? {}, startedBy: user.name, trigger: { kind: 'api', schedule: s.name, scheduled_for: null } });
  ctx.audit.record(user, 'schedule.trigger', s.key, { run: run.id });
  return run;
}
