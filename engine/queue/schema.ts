/**
 * Quire's tables beside pg-boss's: the run index (one row per queued run, the run folder staying
 * the artifact store), the live workers and the lease each holds on a running job, each
 * schedule's next due time (shared by every scheduler) and the claims on mails being sent. Created on
 * first use under an advisory lock, so processes starting together don't race on the DDL.
 */
import type pg from 'pg';

const DDL = `
CREATE SCHEMA IF NOT EXISTS quire;
CREATE TABLE IF NOT EXISTS quire.runs (
  run_id        text PRIMARY KEY,
  job_id        uuid NOT NULL,
  batch_id      text,
  notebook_id   text NOT NULL,
  notebook_path text NOT NULL,
  params        jsonb NOT NULL,
  trigger       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'queued',
  attempts      integer NOT NULL DEFAULT 0,
  failures      integer NOT NULL DEFAULT 0,
  worker        text,
  error         text,
  run_dir       text,
  enqueued_at   timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS runs_batch ON quire.runs (batch_id);
CREATE INDEX IF NOT EXISTS runs_recent ON quire.runs (enqueued_at DESC);
CREATE TABLE IF NOT EXISTS quire.workers (
  id           text PRIMARY KEY,
  host         text NOT NULL,
  pid          integer NOT NULL,
  concurrency  integer NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopping     boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS quire.leases (
  job_id       uuid PRIMARY KEY,
  run_id       text NOT NULL,
  worker_id    text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS quire.schedules (
  key      text PRIMARY KEY,
  timing   text NOT NULL,
  next_due timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS quire.mail_claims (
  entry      text PRIMARY KEY,
  worker_id  text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz
);
`;

export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  client.on('error', () => {});
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('quire schema'))");
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
