/**
 * Cancelling a run on the queue. A queued run is cancelled at once: its index row ends `cancelled`
 * and its pg-boss job is cancelled in the same transaction (a worker that fetched it meanwhile finds
 * the row cancelled and leaves it). A running run is asked to stop: `cancel_requested` is set and
 * announced on RUN_CANCEL_CHANNEL; the worker holding it aborts it (its heartbeat reads the column
 * too, should the notice be missed) and records it `failed`, interrupted, as a stopped run on one
 * machine ends.
 */
import { RUN_QUEUE, type RunQueue } from './queue.js';
import { RUN_CANCEL_CHANNEL } from './schema.js';

/** What a cancel did: `cancelled` (it was queued), `cancelling` (its worker was asked), or null (it had ended, or is unknown). */
export type CancelOutcome = 'cancelled' | 'cancelling' | null;

export async function cancelRun(queue: RunQueue, runId: string, reason: string): Promise<CancelOutcome> {
  return queue.transaction(async (client) => {
    const r = await client.query<{ status: string; job_id: string }>(
      `UPDATE quire.runs SET
         status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
         error = CASE WHEN status = 'queued' THEN $2 ELSE error END,
         finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
         cancel_requested = $2
       WHERE run_id = $1 AND status IN ('queued', 'running') RETURNING status, job_id`,
      [runId, reason],
    );
    const row = r.rows[0];
    if (!row) return null;
    if (row.status === 'cancelled') {
      const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      await queue.boss.cancel(RUN_QUEUE, row.job_id, { db });
      return 'cancelled';
    }
    await client.query('SELECT pg_notify($1, $2)', [RUN_CANCEL_CHANNEL, runId]);
    return 'cancelling';
  });
}

/** Of the runs `runIds`, those asked to stop, with the reason. */
export async function cancelRequests(queue: RunQueue, runIds: string[]): Promise<Map<string, string>> {
  if (!runIds.length) return new Map();
  const r = await queue.pool.query<{ run_id: string; cancel_requested: string }>('SELECT run_id, cancel_requested FROM quire.runs WHERE run_id = ANY($1) AND cancel_requested IS NOT NULL', [runIds]);
  return new Map(r.rows.map((x) => [x.run_id, x.cancel_requested]));
}

/**
 * A job of a run that was cancelled: a worker that fetched it leaves it. A cancelled-while-running
 * run whose worker died was put back in the queue by the reaper: it ends `cancelled` here.
 */
export async function dropCancelledJob(queue: RunQueue, jobId: string, runId: string): Promise<void> {
  await queue.transaction(async (client) => {
    await client.query(`UPDATE quire.runs SET status = 'cancelled', error = COALESCE(cancel_requested, error), finished_at = now() WHERE run_id = $1 AND status = 'queued'`, [runId]);
    const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
    await queue.boss.cancel(RUN_QUEUE, jobId, { db });
  });
}
