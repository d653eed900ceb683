/**
 * A batch on the queue: `quire run --queue` (one run, or one per sweep member) enqueues the runs
 * under one batch id and, unless detached, follows them in the run index until every one ended.
 */
import { relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Notebook } from '../notebook/load.js';
import { newRunId, type RunManifest } from '../runs/runs.js';
import { enqueueRuns, type RunJob } from './enqueue.js';
import type { RunQueue } from './queue.js';

export interface QueuedMember {
  run_id: string;
  params: Record<string, unknown>;
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
  attempts: number;
  worker: string | null;
  error: string | null;
  run_dir: string | null;
}

export function newBatchId(now: Date): string {
  return `b-${newRunId(now)}-${randomBytes(1).toString('hex')}`;
}

/** Enqueues one run per member (params as CLI strings); returns the batch id and run ids in member order. */
export async function enqueueBatch(
  queue: RunQueue,
  nb: Notebook,
  members: Record<string, string>[],
  opts: { now: Date; exports?: string[]; trigger: RunManifest['trigger'] },
): Promise<{ batchId: string; runIds: string[] }> {
  const batchId = newBatchId(opts.now);
  const jobs: RunJob[] = members.map((params) => ({
    runId: newRunId(opts.now),
    notebookId: nb.id,
    notebook: relative(nb.project.root, nb.path),
    params,
    fromCli: true,
    trigger: opts.trigger,
    exports: opts.exports,
    batchId,
  }));
  await enqueueRuns(queue, jobs);
  return { batchId, runIds: jobs.map((j) => j.runId) };
}

export async function batchMembers(queue: RunQueue, batchId: string): Promise<QueuedMember[]> {
  const r = await queue.pool.query<QueuedMember>('SELECT run_id, params, status, attempts, worker, error, run_dir FROM quire.runs WHERE batch_id = $1 ORDER BY enqueued_at, run_id', [batchId]);
  return r.rows;
}

/** A run cancelled before it started (`quire serve`'s Cancel) has ended too. */
const ENDED = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** Follows a batch until every run ended, calling `onEnded` once per run as it ends. */
export async function followBatch(queue: RunQueue, batchId: string, onEnded: (m: QueuedMember) => void, pollMs = 300): Promise<QueuedMember[]> {
  const told = new Set<string>();
  for (;;) {
    const members = await batchMembers(queue, batchId);
    for (const m of members) {
      if (ENDED.has(m.status) && !told.has(m.run_id)) {
        told.add(m.run_id);
        onEnded(m);
      }
    }
    if (members.every((m) => ENDED.has(m.status))) return members;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** failed if any run failed or was cancelled, partial if any was partial. */
export function batchOutcome(members: QueuedMember[]): 'succeeded' | 'partial' | 'failed' {
  if (members.some((m) => m.status === 'failed' || m.status === 'cancelled')) return 'failed';
  return members.some((m) => m.status === 'partial') ? 'partial' : 'succeeded';
}

export interface IndexedRun extends QueuedMember {
  notebook_id: string;
  batch_id: string | null;
  trigger: Record<string, unknown>;
  enqueued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The run index, newest first: queued and running runs too (they have no folder yet, or an unfinished one). */
/** The notebook ids with runs in the run index, sorted. */
export async function indexedNotebooks(queue: RunQueue): Promise<string[]> {
  const r = await queue.pool.query<{ notebook_id: string }>('SELECT DISTINCT notebook_id FROM quire.runs ORDER BY notebook_id');
  return r.rows.map((row) => row.notebook_id);
}

export async function listIndexedRuns(queue: RunQueue, opts: { notebookId?: string; limit: number }): Promise<IndexedRun[]> {
  const r = await queue.pool.query<IndexedRun>(
    `SELECT run_id, notebook_id, batch_id, params, trigger, status, attempts, worker, error, run_dir, enqueued_at, started_at, finished_at
     FROM quire.runs WHERE ($1::text IS NULL OR notebook_id = $1) ORDER BY enqueued_at DESC, run_id DESC LIMIT $2`,
    [opts.notebookId ?? null, opts.limit],
  );
  return r.rows;
}
