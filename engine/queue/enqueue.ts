/**
 * Enqueueing runs: each run gets its index row and its pg-boss job in one transaction, the job id
 * derived from the run id. The same run enqueued twice (two schedulers on one tick) is one row and
 * one job: the second insert finds the row and adds nothing.
 */
import { createHash } from 'node:crypto';
import type { RunManifest } from '../runs/runs.js';
import { RUN_QUEUE, WAKE_CHANNEL, type RunQueue } from './queue.js';

/** What a worker needs to run one notebook: the job's data. */
export interface RunJob {
  runId: string;
  notebookId: string;
  /** Relative to the project root, so every machine finds it in its own checkout. */
  notebook: string;
  params: Record<string, unknown>;
  /** Params are CLI strings (coerced like `-p`), rather than typed values or relative words. */
  fromCli: boolean;
  trigger: RunManifest['trigger'];
  exports?: string[];
  batchId: string | null;
  /** Who started it (a web user of `quire serve`), recorded in the index and run.json. */
  startedBy?: string;
  /** Times a failed run is tried again (a schedule's `retries`), with backoff; lost workers are retried apart from these. */
  retries?: number;
}

/** A UUID fixed by the run id: pg-boss job ids must be UUIDs, and a run must map to one job. */
export function jobIdOf(runId: string): string {
  const h = createHash('sha256').update(`quire-run:${runId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The job of a run's `n`th retry after a failure (the first job is jobIdOf(runId)). */
export function retryJobIdOf(runId: string, n: number): string {
  return jobIdOf(`${runId}#retry${n}`);
}

/** Enqueues the runs not already known; returns the run ids added. */
export async function enqueueRuns(queue: RunQueue, jobs: RunJob[]): Promise<string[]> {
  if (!jobs.length) return [];
  const added = await queue.transaction(async (client) => {
    // One statement for the whole batch (a 500-member sweep is one round trip, not 500).
    const r = await client.query<{ run_id: string }>(
      `INSERT INTO quire.runs (run_id, job_id, batch_id, notebook_id, notebook_path, params, trigger, started_by)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[])
       ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
      [
        jobs.map((j) => j.runId),
        jobs.map((j) => jobIdOf(j.runId)),
        jobs.map((j) => j.batchId),
        jobs.map((j) => j.notebookId),
        jobs.map((j) => j.notebook),
        jobs.map((j) => JSON.stringify(j.params)),
        jobs.map((j) => JSON.stringify(j.trigger)),
        jobs.map((j) => j.startedBy ?? null),
      ],
    );
    const inserted = new Set(r.rows.map((x) => x.run_id));
    const fresh = jobs.filter((j) => inserted.has(j.runId));
    if (fresh.length) {
      const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      await queue.boss.insert(
        fresh.map((j) => ({ id: jobIdOf(j.runId), name: RUN_QUEUE, data: j })),
        { db },
      );
      await client.query(`SELECT pg_notify('${WAKE_CHANNEL}', '')`);
    }
    return fresh.map((j) => j.runId);
  });
  return added;
}

/** Delay before the nth retry of a failed run: 30 s doubling, at most 10 min (as on one machine). */
export const retryDelaySeconds = (n: number) => Math.min(600, 30 * 2 ** (n - 1));

/**
 * Queues a failed run again when it has retries left: its index row goes back to `queued` with one
 * more failure, and a new job starts after the backoff. Returns false when no retry is left.
 */
export async function retryFailedRun(queue: RunQueue, job: RunJob, error: string): Promise<boolean> {
  return queue.transaction(async (client) => {
    const r = await client.query<{ failures: number }>(
      `UPDATE quire.runs SET status = 'queued', failures = failures + 1, error = $2, worker = NULL WHERE run_id = $1 AND failures < $3 RETURNING failures`,
      [job.runId, error, job.retries ?? 0],
    );
    const n = r.rows[0]?.failures;
    if (!n) return false;
    const id = retryJobIdOf(job.runId, n);
    await client.query('UPDATE quire.runs SET job_id = $2 WHERE run_id = $1', [job.runId, id]);
    const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
    await queue.boss.insert([{ id, name: RUN_QUEUE, data: job, startAfter: new Date(Date.now() + retryDelaySeconds(n) * 1000).toISOString() }], { db });
    return true;
  });
}
