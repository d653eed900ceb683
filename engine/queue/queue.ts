/**
 * The run queue on PostgreSQL: pg-boss keeps the jobs (schema `quire_jobs`), Quire keeps the run
 * index, the workers and their leases beside them (schema `quire`, engine/queue/schema.ts). Every
 * process that enqueues, works or reports opens one RunQueue and closes it.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Project } from '../project.js';
import { type OperationalError, UserError } from '../util/errors.js';
import { pgError, redactSecrets, redactUrl } from '../connections/postgres-errors.js';
import { migrate } from './schema.js';

export const RUN_QUEUE = 'quire-run';
/** Delivery passes of scheduled runs' mail (engine/queue/mail.ts). */
export const MAIL_QUEUE = 'quire-mail';
export const BOSS_SCHEMA = 'quire_jobs';
/** Channel a new job is announced on, so idle workers start it at once instead of at their next poll. */
export const WAKE_CHANNEL = 'quire_queue_wake';

export interface QueueSettings {
  url: string;
  leaseSeconds: number;
  attempts: number;
}

/** The queue settings of quire.yaml; a project without `queue:` is refused with what to add. */
export function queueSettings(project: Project): QueueSettings {
  const q = project.config.queue;
  if (!q)
    throw new UserError('E_QUEUE_NONE', `no queue is configured in ${project.configPath ?? 'quire.yaml'}`, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax, shown to the user
      hint: 'add `queue: { url: ${QUIRE_QUEUE_URL} }` to quire.yaml (a PostgreSQL URL every worker and scheduler can reach)',
    });
  return { url: q.url, leaseSeconds: q.lease_seconds, attempts: q.attempts };
}

export class RunQueue {
  private constructor(
    readonly settings: QueueSettings,
    readonly pool: pg.Pool,
    readonly boss: PgBoss,
  ) {}

  /** Connects, creates the schemas on first use and the run queue; an unreachable database is a UserError naming it (password hidden). */
  static async open(settings: QueueSettings): Promise<RunQueue> {
    const pool = new pg.Pool({ connectionString: settings.url, max: 4, application_name: 'quire queue' });
    pool.on('error', () => {}); // an idle client dropped by a server restart: the next query reconnects
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw unreachable(err, settings.url);
    }
    const boss = new PgBoss({ connectionString: settings.url, schema: BOSS_SCHEMA, max: 4, schedule: false, supervise: true, application_name: 'quire queue' });
    boss.on('error', () => {}); // maintenance errors during a restart are retried by pg-boss itself
    try {
      await boss.start();
      await boss.createQueue(RUN_QUEUE, {
        name: RUN_QUEUE,
        retryLimit: settings.attempts - 1,
        retryDelay: 0,
        // Lost workers are found by Quire's leases within lease_seconds; pg-boss's own expiry only backs them up.
        expireInSeconds: 6 * 3600,
      });
      await boss.createQueue(MAIL_QUEUE, { name: MAIL_QUEUE, retryLimit: 5, retryDelay: 5, expireInSeconds: 3600 });
    } catch (err) {
      await boss.stop({ graceful: false, wait: false }).catch(() => {});
      await pool.end().catch(() => {});
      throw unreachable(err, settings.url);
    }
    return new RunQueue(settings, pool, boss);
  }

  /**
   * A pg-boss `db` whose statements are named prepared statements: each connection plans a job
   * statement once, not once per job (the worker's fetch, start and finish run for every job).
   */
  readonly prepared: PgBoss.Db = { executeSql: (text: string, values: unknown[]) => this.preparedQuery(text, values) };

  preparedQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ name: statementName(text), text, values });
  }

  /** Runs `fn` in one transaction on one client. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A server restart while the client is held: its error rejects the query in flight, not the process.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
    await this.pool.end().catch(() => {});
  }
}

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  const known = statementNames.get(text);
  if (known) return known;
  const name = `quire_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  statementNames.set(text, name);
  return name;
}

function unreachable(err: unknown, url: string): UserError | OperationalError {
  const e = pgError(err, { connection: 'queue', url });
  const message = redactSecrets(e.message, url).replace(/^connection 'queue': /, '');
  return new UserError(e.code, `the queue database ${redactUrl(url)}: ${message}`, {
    hint: `${(e.hint ?? '').replace(/ \(`quire connections test <name>`\)/, '')}${e.hint ? '; ' : ''}the url is \`queue.url\` of quire.yaml`,
  });
}
