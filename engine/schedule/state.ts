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

export interface ScheduleState {
  notebook: string;
  notebook_id: string;
  schedule: string;
  timing: string;
  hash: string;
  /** The earliest fire time not yet taken (ISO, UTC). */
  next_due: string;
  added_at: string;
  last: { scheduled_for: string; run_id: string | null; status: string; at: string; error?: string | null } | null;
}

export type QueueStatus = 'queued' | 'running' | 'waiting';

export interface QueueItem {
  key: string;
  notebook_id: string;
  schedule: string;
  scheduled_for: string;
  /** Deterministic from notebook, schedule and scheduled time: one run folder per tick. */
  run_id: string;
  status: QueueStatus;
  /** Attempts that ran and failed so far. */
  failures: number;
  /** Attempts cut short by a crash or a stop. */
  interruptions: number;
  not_before: string | null;
  queued_at: string;
  started_at: string | null;
  last_error: string | null;
}

export interface SchedulerState {
  version: 1;
  updated_at: string | null;
  schedules: Record<string, ScheduleState>;
  queue: QueueItem[];
  /** Run folders (relative to the runs dir) whose delivery is not finished. */
  outbox: string[];
}

export const STATE_DIR = '.scheduler';

export function stateDir(runsDir: string): string {
  return join(runsDir, STATE_DIR);
}

export function emptyState(): SchedulerState {
  return { version: 1, updated_at: null, schedules: {}, queue: [], outbox: [] };
}

/** Reads state.json; a missing file is a fresh state, a damaged one is kept aside and reported. */
export function loadState(runsDir: string): { state: SchedulerState; warning: string | null } {
  const path = join(stateDir(runsDir), 'state.json');
  if (!existsSync(path)) return { state: emptyState(), warning: null };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SchedulerState;
    if (parsed?.version !== 1 || typeof parsed.schedules !== 'object' || !Array.isArray(parsed.queue)) throw new Error('not a version 1 state');
    parsed.outbox ??= [];
    return { state: parsed, warning: null };
  } catch (err) {
    const aside = `${path}.damaged-${Date.now()}`;
    try {
      renameSync(path, aside);
    } catch {
      /* leave it */
    }
    return { state: emptyState(), warning: `scheduler state ${path} could not be read (${(err as Error).message}); kept as ${aside}, starting fresh` };
  }
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
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
}

/** `20260301-060000Z-1a2b3c`: the run id of a tick, the same however often it is computed. */
export function tickRunId(notebookId: string, schedule: string, scheduledFor: string): string {
  const h = createHash('sha256').update(`${notebookId}\0${schedule}\0${scheduledFor}`).digest('hex').slice(0, 6);
  return `${compact(scheduledFor)}-${h}`;
}
