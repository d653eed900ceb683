/** The shape of `runs/.scheduler/state.json`, checked part by part when it is read (state.ts). */
import * as z from 'zod';

/** A name that is one path segment: notebook ids and run ids become folder names under the runs folder. */
const segment = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a plain folder name');
const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'a date-time');

export const scheduleStateSchema = z.object({
  notebook: z.string(),
  notebook_id: segment,
  schedule: z.string(),
  timing: z.string(),
  hash: z.string(),
  /** The earliest fire time not yet taken (ISO, UTC). */
  next_due: iso,
  added_at: z.string(),
  last: z.object({ scheduled_for: z.string(), run_id: z.string().nullable(), status: z.string(), at: z.string(), error: z.string().nullable().optional() }).nullable(),
});

export const queueItemSchema = z.object({
  key: z.string(),
  notebook_id: segment,
  schedule: z.string(),
  scheduled_for: iso,
  /** Deterministic from notebook, schedule and scheduled time: one run folder per tick. */
  run_id: segment,
  status: z.enum(['queued', 'running', 'waiting']),
  /** Attempts that ran and failed so far. */
  failures: z.number().int().nonnegative(),
  /** Attempts cut short by a crash or a stop. */
  interruptions: z.number().int().nonnegative(),
  not_before: iso.nullable(),
  queued_at: z.string(),
  started_at: z.string().nullable(),
  last_error: z.string().nullable(),
});

/** A run folder relative to the runs folder: `<notebook>/<run>`. */
export const outboxEntrySchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a <notebook>/<run> folder');

/** The file's frame; its parts are checked one by one so one bad item doesn't lose the rest. */
export const stateShape = z.object({
  version: z.literal(1),
  updated_at: z.string().nullable().default(null),
  schedules: z.record(z.string(), z.unknown()),
  queue: z.array(z.unknown()),
  outbox: z.array(z.unknown()).default([]),
});

export type ScheduleState = z.infer<typeof scheduleStateSchema>;
export type QueueItem = z.infer<typeof queueItemSchema>;
export type QueueStatus = QueueItem['status'];
export type SchedulerState = {
  version: 1;
  updated_at: string | null;
  schedules: Record<string, ScheduleState>;
  queue: QueueItem[];
  /** Run folders (relative to the runs dir) whose delivery is not finished. */
  outbox: string[];
};
