/**
 * Mail of scheduled runs across machines. The worker that finishes a scheduled run prepares its
 * delivery.json (as the scheduler does on one machine) and queues a mail job; whichever worker
 * takes the job sends under a lock held in PostgreSQL (an advisory lock keyed by the run), so two
 * workers never send the same outbox entry. A pass that leaves retries queues the next one for
 * when they are due.
 */
import { join } from 'node:path';
import { Outbox, type DeliveryLock } from '../deliver/outbox.js';
import { prepareScheduled, type ScheduleEmail } from '../deliver/prepare.js';
import type { TransportFactory } from '../deliver/smtp.js';
import { readSchedules } from '../schedule/discover.js';
import type { RunManifest } from '../runs/runs.js';
import type { Project } from '../project.js';
import type { Logger } from '../util/log.js';
import { MAIL_QUEUE, type RunQueue } from './queue.js';

export { MAIL_QUEUE };

export interface MailJob {
  /** `<notebook id>/<run id>` under the shared runs folder. */
  run: string;
}

export interface WorkerMail {
  from: string;
  transport: TransportFactory;
  reportUrl?: string;
}

/** An advisory lock on one run's delivery, held on its own connection for the pass. */
export function pgDeliveryLock(queue: RunQueue, key: (runDir: string) => string): (runDir: string) => Promise<DeliveryLock> {
  return async (runDir) => {
    const client = await queue.pool.connect();
    client.on('error', () => {}); // a server restart mid-pass fails the pass, not the worker
    try {
      const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('quire mail ' || $1)) AS ok", [key(runDir)]);
      if (!r.rows[0]?.ok) {
        client.release();
        return { heldBy: 'another worker' };
      }
    } catch (err) {
      client.release();
      throw err;
    }
    return {
      release: async () => {
        await client.query("SELECT pg_advisory_unlock(hashtext('quire mail ' || $1))", [key(runDir)]).catch(() => {});
        client.release();
      },
    };
  };
}

/** The last two parts of a run folder (notebook/run): the same on every machine sharing the runs folder. */
export const runKey = (runDir: string) => runDir.split(/[\\/]/).slice(-2).join('/');

export function queueOutbox(queue: RunQueue, mail: WorkerMail, logger?: Logger): Outbox {
  return new Outbox({ from: mail.from, transport: mail.transport, logger, lock: pgDeliveryLock(queue, runKey) });
}

/** After a scheduled run: its delivery prepared when the schedule has `email:`; true when there is mail to send. */
export function prepareRunMail(project: Project, notebookRel: string, schedule: string, m: RunManifest, dir: string, mail: WorkerMail | null, log: (line: string) => void): boolean {
  const found = readSchedules(join(project.root, notebookRel), project.root, project.config.timezone);
  const email = found.schedules.find((d) => d.spec.name === schedule)?.spec.email as ScheduleEmail | undefined;
  if (!email) return false;
  if (!mail) {
    log(`run ${m.id}: schedule ${schedule} has email: but no smtp is configured (smtp: in quire.yaml or QUIRE_SMTP_URL)`);
    return false;
  }
  const r = prepareScheduled(dir, m, email, { from: mail.from, now: new Date(), schedule, reportUrl: mail.reportUrl });
  return r.entries.length > 0;
}
