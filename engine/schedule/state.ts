/**
 * The scheduler's durable state, `<runs dir>/.scheduler/state.json`, written atomically after
 * every decision: per schedule the next fire time not yet taken, the queue of taken ticks
 * (each is one run identity: schedule + scheduled time) and the runs with mail still to send.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.js';
import { OperationalError } from '../util/errors.js';
import { outboxEntrySchema, queueItemSchema, scheduleStateSchema, stateShape, type SchedulerState } from './state-schema.js';

export type { QueueItem, QueueStatus, ScheduleState, SchedulerState } from './state-schema.js';

export const STATE_DIR = '.scheduler';

export function stateDir(runsDir: string): string {
  return join(runsDir, STATE_DIR);
}

export function emptyState(): SchedulerState {
  return { version: 1, updated_at: null, schedules: {}, queue: [], outbox: [] };
}

/**
 * Reads state.json; a missing file is a fresh state. A file that is not a version-1 state at all
 * is kept aside and the scheduler starts fresh; a damaged schedule, queue item or outbox entry is
 * skipped with a warning naming it, and the rest is kept.
 */
export function loadState(runsDir: string): { state: SchedulerState; warnings: string[] } {
  const path = join(stateDir(runsDir), 'state.json');
  if (!existsSync(path)) return { state: emptyState(), warnings: [] };
  let top: ReturnType<typeof stateShape.parse>;
  try {
    const parsed = stateShape.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`not a version 1 state (${describeIssue(parsed.error.issues[0])})`);
    top = parsed.data;
  } catch (err) {
    const aside = `${path}.damaged-${Date.now()}`;
    try {
      renameSync(path, aside);
    } catch {
      /* leave it */
    }
    return { state: emptyState(), warnings: [`scheduler state ${path} could not be read (${(err as Error).message}); kept as ${aside}, starting fresh`] };
  }
  const warnings: string[] = [];
  const state: SchedulerState = { version: 1, updated_at: top.updated_at, schedules: {}, queue: [], outbox: [] };
  for (const [key, raw] of Object.entries(top.schedules)) {
    const r = scheduleStateSchema.safeParse(raw);
    if (r.success) state.schedules[key] = r.data;
    else warnings.push(`${path}: schedule ${JSON.stringify(key)} is damaged (${describeIssue(r.error.issues[0])}); dropped, it is set up again from its notebook`);
  }
  top.queue.forEach((raw, i) => {
    const r = queueItemSchema.safeParse(raw);
    if (r.success) state.queue.push(r.data);
    else warnings.push(`${path}: queue item ${i}${keyOf(raw)} is damaged (${describeIssue(r.error.issues[0])}); that tick is dropped`);
  });
  top.outbox.forEach((raw, i) => {
    const r = outboxEntrySchema.safeParse(raw);
    if (r.success) state.outbox.push(r.data);
    else warnings.push(`${path}: outbox entry ${i} ${JSON.stringify(raw)} is damaged (${describeIssue(r.error.issues[0])}); its mail is not retried`);
  });
  return { state, warnings };
}

function keyOf(raw: unknown): string {
  const key = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).key : undefined;
  return typeof key === 'string' ? ` (${key})` : '';
}

function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'invalid';
  return `${issue.path.map(String).join('.') || 'value'}: ${issue.message}`;
}

export function saveState(runsDir: string, state: SchedulerState, now: Date): void {
  const dir = stateDir(runsDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new OperationalError('E_RUNS_DIR', `cannot create ${dir}: ${(err as Error).message}`, { hint: 'check that the runs folder is writable', cause: err });
  }
  state.updated_at = now.toISOString();
  writeJsonAtomic(join(dir, 'state.json'), state);
}

function compact(iso: string): string {
  return iso
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
}

/** `20260301-060000Z-1a2b3c`: the run id of a tick, the same however often it is computed. */
export function tickRunId(notebookId: string, schedule: string, scheduledFor: string): string {
  const h = createHash('sha256').update(`${notebookId}\0${schedule}\0${scheduledFor}`).digest('hex').slice(0, 6);
  return `${compact(scheduledFor)}-${h}`;
}
