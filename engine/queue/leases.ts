/**
 * Leases: a worker renews a row for each run it holds every few seconds. pg-boss 10 has no job
 * heartbeat and its expiry is hours, so a job whose lease is older than `lease_seconds` (its worker
 * killed, its machine gone) is failed back to pg-boss by whichever worker sees it first, and pg-boss
 * hands it to another worker until the attempts run out. The lease row is deleted in the same
 * step: a worker that was only slow finds its lease gone at its next renewal and stops that run.
 */
import { sep } from 'node:path';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { RunJob } from './enqueue.js';
import { BOSS_SCHEMA, RUN_QUEUE, type RunQueue } from './queue.js';

export const WORKER_LOST = 'worker lost: it stopped renewing its lease (killed, or its machine went away)';

/** Renews this worker's leases and its own heartbeat; returns the job ids whose lease it no longer holds. */
export async function renewLeases(queue: RunQueue, workerId: string, jobIds: string[]): Promise<string[]> {
  await queue.pool.query('UPDATE quire.workers SET heartbeat_at = now() WHERE id = $1', [workerId]);
  // Workers gone without a word stay listed as lost (`quire workers`) for an hour.
  await queue.pool.query(`DELETE FROM quire.workers WHERE heartbeat_at < now() - interval '1 hour'`);
  if (!jobIds.length) return [];
  const r = await queue.pool.query<{ job_id: string }>('UPDATE quire.leases SET heartbeat_at = now() WHERE worker_id = $1 AND job_id = ANY($2::uuid[]) RETURNING job_id', [workerId, jobIds]);
  const held = new Set(r.rows.map((x) => x.job_id));
  return jobIds.filter((id) => !held.has(id));
}

export async function dropLease(queue: RunQueue, jobId: string, workerId: string): Promise<void> {
  await queue.pool.query('DELETE FROM quire.leases WHERE job_id = $1 AND worker_id = $2', [jobId, workerId]);
}

export interface LostJob {
  id: string;
  runId: string;
  /** The run folder of the attempt that was lost, when it got that far. */
  runDir: string | null;
  /** This was the run's last attempt: it ends `failed`, not retried. */
  final: boolean;
}

/**
 * Finds active jobs whose lease is stale (or that never got one), drops their leases and fails
 * them back to pg-boss, one reaper at a time (an advisory lock), so a job is never failed twice.
 */
export async function reapLostJobs(queue: RunQueue): Promise<LostJob[]> {
  const lost = await queue.transaction(async (client: pg.PoolClient) => {
    const lock = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('quire reaper')) AS ok");
    if (!lock.rows[0]?.ok) return [];
    const stale = await client.query<{ id: string; run_id: string; retry_count: number; retry_limit: number; run_dir: string | null }>(
      `SELECT j.id, j.data->>'runId' AS run_id, j.retry_count, j.retry_limit, r.run_dir
       FROM ${BOSS_SCHEMA}.job j LEFT JOIN quire.leases l ON l.job_id = j.id LEFT JOIN quire.runs r ON r.run_id = j.data->>'runId'
       WHERE j.name = $1 AND j.state = 'active'
         AND COALESCE(l.heartbeat_at, j.started_on) < now() - make_interval(secs => $2)`,
      [RUN_QUEUE, queue.settings.leaseSeconds],
    );
    if (!stale.rows.length) return [];
    const ids = stale.rows.map((r) => r.id);
    await client.query('DELETE FROM quire.leases WHERE job_id = ANY($1::uuid[])', [ids]);
    const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
    await queue.boss.fail(RUN_QUEUE, ids, { db });
    const jobs = stale.rows.map((r) => ({ id: r.id, runId: r.run_id, runDir: r.run_dir, final: r.retry_count >= r.retry_limit }));
    for (const j of jobs) {
      await client.query(
        j.final ? `UPDATE quire.runs SET status = 'failed', error = $2, finished_at = now() WHERE run_id = $1` : `UPDATE quire.runs SET status = 'queued', error = $2, worker = NULL WHERE run_id = $1`,
        [j.runId, WORKER_LOST],
      );
    }
    return jobs;
  });
  return lost;
}

/** A job a worker took: leased and its run marked started, unless the run was cancelled meanwhile. */
export interface TakenJob {
  job: PgBoss.JobWithMetadata<RunJob>;
  /** False: the run was cancelled before it started (no lease; dropCancelledJob then). */
  leased: boolean;
}

/**
 * Takes the next run job, and in the same statement leases it and marks its run started in the
 * index (one round trip per job start): pg-boss's fetch (a `WITH ... UPDATE ... RETURNING` query)
 * becomes a step of ours, whose rows the lease and the run's update read. `runsDir` + the ids is
 * the run folder (the worker checks it is the one runDirOf gives). Null when no job is waiting.
 */
export async function takeJob(queue: RunQueue, workerId: string, runsDir: string): Promise<TakenJob | null> {
  const update = `UPDATE ${BOSS_SCHEMA}.job j SET`;
  // pg-boss's fetch answers "no job" when its statement fails: the failure is kept and thrown here.
  let failure: unknown = null;
  const db = {
    executeSql: async (text: string, values: unknown[]) => {
      const at = text.indexOf(update);
      if (!/^\s*WITH\s/i.test(text) || at < 0 || text.indexOf(update, at + 1) >= 0) throw new Error('pg-boss fetch is not a WITH ... UPDATE query: check the pg-boss version (10.x)');
      const n = values.length;
      const ours = `${text.slice(0, at).trimEnd()},
        fetched AS (${text.slice(at)}),
        run AS (
          UPDATE quire.runs r SET status = 'running', attempts = f."retryCount" + 1, worker = $${n + 1}, started_at = now(),
            run_dir = $${n + 2} || (f.data->>'notebookId') || $${n + 3} || (f.data->>'runId'), error = NULL
          FROM fetched f
          WHERE r.run_id = f.data->>'runId' AND r.status <> 'cancelled' AND r.cancel_requested IS NULL
          RETURNING r.run_id, f.id AS job_id
        ),
        lease AS (
          INSERT INTO quire.leases (job_id, run_id, worker_id) SELECT job_id, run_id, $${n + 1} FROM run
          ON CONFLICT (job_id) DO UPDATE SET run_id = EXCLUDED.run_id, worker_id = EXCLUDED.worker_id, heartbeat_at = now()
        )
      SELECT f.*, EXISTS (SELECT 1 FROM run WHERE run.job_id = f.id) AS "quireLeased" FROM fetched f`;
      try {
        return await queue.prepared.executeSql(ours, [...values, workerId, `${runsDir}${sep}`, sep]);
      } catch (err) {
        failure = err;
        throw err;
      }
    },
  };
  const [job] = await queue.boss.fetch<RunJob>(RUN_QUEUE, { batchSize: 1, includeMetadata: true, db });
  if (failure) throw failure;
  if (!job) return null;
  const { quireLeased, ...rest } = job as typeof job & { quireLeased: boolean };
  return { job: rest as typeof job, leased: quireLeased };
}

/**
 * Records a run's outcome, completes its job and drops the lease, atomically and in one round trip:
 * pg-boss's own completion statement (a `WITH ...` query) runs with our two steps added to its WITH.
 */
export async function finishRun(queue: RunQueue, jobId: string, runId: string, workerId: string, status: string, error: string | null): Promise<void> {
  const db = {
    executeSql: (text: string, values: unknown[]) => {
      if (!/^\s*WITH\s/i.test(text)) throw new Error('pg-boss completion is not a WITH query: check the pg-boss version (10.x)');
      const ours = `WITH run AS (UPDATE quire.runs SET status = $${values.length + 1}, error = $${values.length + 2}, finished_at = now() WHERE run_id = $${values.length + 3}),
        lease AS (DELETE FROM quire.leases WHERE job_id = $${values.length + 4} AND worker_id = $${values.length + 5}),`;
      return queue.prepared.executeSql(text.replace(/^\s*WITH\s/i, `${ours} `), [...values, status, error, runId, jobId, workerId]);
    },
  };
  await queue.boss.complete(RUN_QUEUE, jobId, { status }, { db });
}
