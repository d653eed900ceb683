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
}

/** A UUID fixed by the run id: pg-boss job ids must be UUIDs, and a run must map to one job. */
export function jobIdOf(runId: string): string {
  const h = createHash('sha256').update(`quire-run:${runId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Enqueues the runs not already known; returns the run ids added. */
export async function enqueueRuns(queue: RunQueue, jobs: RunJob[]): Promise<string[]> {
  if (!jobs.length) return [];
  const added = await queue.transaction(async (client) => {
    const fresh: RunJob[] = [];
    for (const j of jobs) {
      const r = await client.query(
        `INSERT INTO quire.runs (run_id, job_id, batch_id, notebook_id, notebook_path, params, trigger)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (run_id) DO NOTHING`,
        [j.runId, jobIdOf(j.runId), j.batchId, j.notebookId, j.notebook, JSON.stringify(j.params), JSON.stringify(j.trigger)],
      );
      if (r.rowCount) fresh.push(j);
    }
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
