/** What `quire queue stats` and `quire workers` print: read from pg-boss's job table and Quire's worker and lease rows. */
import { BOSS_SCHEMA, RUN_QUEUE, type RunQueue } from './queue.js';

export interface QueueStats {
  queued: number;
  retrying: number;
  active: number;
  completed: number;
  failed: number;
  /** Seconds the oldest queued job has waited, or null. */
  oldest_waiting_s: number | null;
}

export async function queueStats(queue: RunQueue): Promise<QueueStats> {
  const r = await queue.pool.query<{ state: string; n: string; oldest: number | null }>(
    `SELECT state, count(*) AS n, extract(epoch FROM now() - min(created_on))::float8 AS oldest
     FROM ${BOSS_SCHEMA}.job WHERE name = $1 GROUP BY state`,
    [RUN_QUEUE],
  );
  const by = new Map(r.rows.map((x) => [x.state, x]));
  const n = (s: string) => Number(by.get(s)?.n ?? 0);
  const waiting = [by.get('created')?.oldest, by.get('retry')?.oldest].filter((x): x is number => typeof x === 'number');
  return {
    queued: n('created'),
    retrying: n('retry'),
    active: n('active'),
    completed: n('completed'),
    failed: n('failed'),
    oldest_waiting_s: waiting.length ? Math.round(Math.max(...waiting)) : null,
  };
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: string;
  heartbeat_age_s: number;
  stopping: boolean;
  /** Taken as gone: no heartbeat for longer than the lease. */
  lost: boolean;
  runs: string[];
}

export async function listWorkers(queue: RunQueue): Promise<WorkerRow[]> {
  const r = await queue.pool.query<{ id: string; host: string; pid: number; concurrency: number; started_at: Date; age: number; stopping: boolean; runs: string[] | null }>(
    `SELECT w.id, w.host, w.pid, w.concurrency, w.started_at, extract(epoch FROM now() - w.heartbeat_at)::float8 AS age, w.stopping,
            array_remove(array_agg(l.run_id ORDER BY l.run_id), NULL) AS runs
     FROM quire.workers w LEFT JOIN quire.leases l ON l.worker_id = w.id
     GROUP BY w.id ORDER BY w.started_at`,
  );
  return r.rows.map((w) => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    concurrency: w.concurrency,
    started_at: w.started_at.toISOString(),
    heartbeat_age_s: Math.round(w.age * 10) / 10,
    stopping: w.stopping,
    lost: w.age > queue.settings.leaseSeconds,
    runs: w.runs ?? [],
  }));
}
