/**
 * Quire's tables beside pg-boss's: the run index (one row per queued run, the run folder staying
 * the artifact store), the live workers and the lease each holds on a running job, each
 * schedule's next due time (shared by every scheduler) and the claims on mails being sent. A
 * trigger announces each run's changes of status (RUN_STATUS_CHANNEL) to servers following them. Created on
 * first use under an advisory lock, so processes starting together don't race on the DDL.
 */
import type pg from 'pg';

/** Channel on which a run's id is announced when it is enqueued or its status changes. */
export const RUN_STATUS_CHANNEL = 'quire_run_status';
/** Channel on which a worker announces a running run's cell events (JSON: run, type, data). */
export const RUN_EVENTS_CHANNEL = 'quire_run_events';
/** Channel on which a cancel of a running run is announced to the workers (its run id). */
export const RUN_CANCEL_CHANNEL = 'quire_run_cancel';

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
  started_by    text,
  cancel_requested text,
  enqueued_at   timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS runs_batch ON quire.runs (batch_id);
CREATE INDEX IF NOT EXISTS runs_recent ON quire.runs (enqueued_at DESC);
CREATE INDEX IF NOT EXISTS runs_active ON quire.runs (enqueued_at) WHERE status IN ('queued', 'running');
-- Every new run and change of status is announced, so a server follows runs without polling.
CREATE OR REPLACE FUNCTION quire.notify_run_status() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('${RUN_STATUS_CHANNEL}', NEW.run_id);
  RETURN NULL;
END $fn$;
DO $do$ BEGIN
  -- Columns added after the first release; checked first, as ALTER TABLE locks the table even when it has them.
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'quire' AND table_name = 'runs' AND column_name = 'cancel_requested') THEN
    ALTER TABLE quire.runs ADD COLUMN IF NOT EXISTS started_by text, ADD COLUMN IF NOT EXISTS cancel_requested text;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'runs_notify_status' AND tgrelid = 'quire.runs'::regclass) THEN
    CREATE TRIGGER runs_notify_status AFTER INSERT OR UPDATE OF status ON quire.runs FOR EACH ROW EXECUTE FUNCTION quire.notify_run_status();
  END IF;
END $do$;
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
