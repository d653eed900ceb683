/**
 * A queue worker: `concurrency` slots each take a job, run its notebook (in this process on one
 * engine state, or with `--child-process` in the scheduler's `quire __run-child`, so a crash loses
 * only that run) and record the outcome in the run index. A lease renewed every lease_seconds/5 tells the others it is alive; each renewal also
 * reaps jobs whose workers died. A run's folder is fixed by its run id: a retried attempt moves an
 * earlier, unfinished one to `.attempts/`, and a run an earlier attempt finished is not run again.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { projectPath, type Project } from '../project.js';
import { runNotebook } from '../exec/run.js';
import { EngineState } from '../util/state.js';
import { failureReason, markInterrupted, moveAside, readManifestAt, runDirOf, runEnded, type RunFn } from '../schedule/runner.js';
import type { RunStatus } from '../runs/runs.js';
import { retryFailedRun, type RunJob } from './enqueue.js';
import { dropLease, finishRun, reapLostJobs, renewLeases, takeJob, WORKER_LOST, type TakenJob } from './leases.js';
import { cancelRequests, dropCancelledJob } from './cancel.js';
import { RUN_CANCEL_CHANNEL, RUN_EVENTS_CHANNEL } from './schema.js';
import type { ExecEvent } from '../exec/executor.js';
import { BOSS_SCHEMA, MAIL_QUEUE, RUN_QUEUE, WAKE_CHANNEL, type RunQueue } from './queue.js';
import { prepareRunMail, queueOutbox, runKey, type MailJob, type WorkerMail } from './mail.js';

export interface WorkerOptions {
  project: Project;
  queue: RunQueue;
  concurrency: number;
  /** Leave once nothing is queued or running anywhere in the queue (batch use, tests). */
  exitWhenIdle?: boolean;
  /** How a run is executed; default: in this process, on the worker's engine state (a crash loses the worker, and its runs are retried elsewhere). */
  run?: RunFn;
  log?: (line: string) => void;
  /** How often an idle slot looks for work when no wake-up notice came. */
  pollMs?: number;
  /** After a stop, how long running runs may take before they are handed back. */
  graceMs?: number;
  /** SMTP of quire.yaml, for the mail of scheduled runs; null: scheduled mail is logged as not sent. */
  mail?: WorkerMail | null;
}

interface Held {
  runId: string;
  controller: AbortController;
  /** Another worker was given this job (our lease lapsed): its outcome is not ours to record. */
  lost: boolean;
  /** Why it was cancelled (`quire serve`'s Cancel), if it was: it ends failed, and is not retried. */
  cancelled: string | null;
}

/** A run that was executed, waiting for its outcome to be recorded. */
interface Ran {
  held: Held;
  dir: string;
  outcome: { status: RunStatus; error: string | null };
}

const EVENT_WINDOW_MS = 50;

export class QueueWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
  private readonly held = new Map<string, Held>();
  private stopping = false;
  /** run() has ended: nothing may reconnect. */
  private closed = false;
  private wakers: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private readonly runFn: RunFn;
  private readonly engine = new EngineState();
  private readonly log: (line: string) => void;
  /** Cell events not yet announced (publish). */
  private events: string[] = [];
  private eventsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: WorkerOptions) {
    this.runFn = opts.run ?? ((nb, o) => runNotebook(nb, { ...o, state: this.engine }));
    this.log = opts.log ?? (() => {});
  }

  /** Works until stopped (or idle with exitWhenIdle); resolves once every slot has ended. */
  async run(): Promise<void> {
    const { queue } = this.opts;
    await queue.pool.query('INSERT INTO quire.workers (id, host, pid, concurrency) VALUES ($1, $2, $3, $4)', [this.id, hostname(), process.pid, this.opts.concurrency]);
    await this.listen();
    const every = Math.max(200, (queue.settings.leaseSeconds * 1000) / 5);
    this.heartbeat = setInterval(() => void this.beat(), every);
    try {
      await Promise.all([...Array.from({ length: Math.max(1, this.opts.concurrency) }, () => this.slot()), this.mailSlot()]);
    } finally {
      this.closed = true;
      clearInterval(this.heartbeat);
      await this.flushEvents();
      await this.listener?.end().catch(() => {});
      await queue.pool.query('DELETE FROM quire.workers WHERE id = $1', [this.id]).catch(() => {});
      await this.engine.close();
    }
  }

  /** Takes no more jobs; runs in progress finish, or are handed back after the grace period. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    void this.opts.queue.pool.query('UPDATE quire.workers SET stopping = true WHERE id = $1', [this.id]).catch(() => {});
    this.wakeAll();
    const grace = setTimeout(() => {
      for (const h of this.held.values()) h.controller.abort('worker stopping');
    }, this.opts.graceMs ?? 60_000);
    grace.unref();
  }

  private async slot(): Promise<void> {
    // The previous run's outcome is recorded while this slot fetches and starts its next job.
    let recording: Promise<void> = Promise.resolve();
    while (!this.stopping) {
      let taken: TakenJob | null;
      try {
        taken = await takeJob(this.opts.queue, this.id, projectPath(this.opts.project, this.opts.project.config.runs_dir));
      } catch (err) {
        this.log(`queue unreachable, retrying: ${(err as Error).message}`);
        await this.sleep(this.opts.pollMs ?? 1000);
        continue;
      }
      if (taken) {
        const ran = await this.handle(taken);
        await recording;
        recording = ran ? this.record(taken.job, ran) : Promise.resolve();
        continue;
      }
      await recording;
      if (this.opts.exitWhenIdle && (await this.idle())) {
        this.stop();
        break;
      }
      await this.sleep(this.idlePollMs());
    }
    await recording;
  }

  /** A batch worker waits on the others' last runs: it looks again soon, since no notice comes when a job ends. */
  private idlePollMs(): number {
    const poll = this.opts.pollMs ?? 1000;
    return this.opts.exitWhenIdle ? Math.min(poll, 100) : poll;
  }

  /** Runs a job taken from the queue; returns its outcome for record(), or null when there is nothing (more) to record. */
  private async handle({ job, leased }: TakenJob): Promise<Ran | null> {
    const { queue, project } = this.opts;
    const data = job.data;
    const attempt = job.retryCount + 1;
    if (!leased) {
      await dropCancelledJob(queue, job.id, data.runId).catch((err: Error) => this.log(`run ${data.runId}: ${err.message}`));
      this.log(`run ${data.runId} was cancelled before it started`);
      return null;
    }
    const held: Held = { runId: data.runId, controller: new AbortController(), lost: false, cancelled: null };
    this.held.set(job.id, held);
    let ran: Ran | null = null;
    try {
      const runsDir = projectPath(project, project.config.runs_dir);
      const dir = runDirOf(runsDir, { notebook_id: data.notebookId, run_id: data.runId });
      // The index took runs dir + ids as the folder; ids that path.join reads otherwise get the true one.
      if (dir !== `${runsDir}${sep}${data.notebookId}${sep}${data.runId}`) await queue.pool.query('UPDATE quire.runs SET run_dir = $2 WHERE run_id = $1', [data.runId, dir]);
      this.log(`run ${data.runId} (${data.notebook}, attempt ${attempt}) started`);
      ran = { held, dir, outcome: await this.execute(data, attempt, runsDir, dir, held) };
      return ran;
    } catch (err) {
      // The database went away mid-job: the lease lapses and the job is retried elsewhere.
      this.log(`run ${data.runId}: ${(err as Error).message}`);
      return null;
    } finally {
      if (!ran) this.held.delete(job.id);
    }
  }

  /** Records how a run ended (index, job, lease), hands it back, or queues its retry. */
  private async record(job: PgBoss.JobWithMetadata<RunJob>, { held, dir, outcome }: Ran): Promise<void> {
    const { queue, project } = this.opts;
    const data = job.data;
    try {
      await this.flushEvents();
      if (held.lost) return this.log(`run ${data.runId}: lease lost, left to the worker that has it now`);
      const release = () => dropLease(queue, job.id, this.id);
      if (held.controller.signal.aborted && this.stopping && !held.cancelled) {
        // Handed back: another worker runs it again (an attempt is counted).
        await queue.boss.fail(RUN_QUEUE, job.id, { reason: 'worker stopped' });
        await queue.pool.query(`UPDATE quire.runs SET status = 'queued', worker = NULL WHERE run_id = $1`, [data.runId]);
        await release();
        return this.log(`run ${data.runId} handed back`);
      }
      if (outcome.status === 'failed' && data.retries && !held.cancelled) {
        if (await retryFailedRun(queue, data, outcome.error ?? 'failed')) {
          // Aside before the retry starts (its backoff is ≥ 30 s), so the retry runs rather than adopting it.
          moveAside(projectPath(project, project.config.runs_dir), { notebook_id: data.notebookId, run_id: data.runId }, Date.now());
          await queue.boss.complete(RUN_QUEUE, job.id, { status: 'failed, retrying' });
          await release();
          return this.log(`run ${data.runId} failed, queued again: ${outcome.error}`);
        }
      }
      if (data.trigger.kind === 'schedule' && data.trigger.schedule && !held.cancelled) await this.queueMail(data, dir);
      await finishRun(queue, job.id, data.runId, this.id, outcome.status, outcome.error);
      this.log(`run ${data.runId} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
    } catch (err) {
      // The database went away: the lease lapses and the job is retried elsewhere (its ended folder is adopted, not rerun).
      this.log(`run ${data.runId}: ${(err as Error).message}`);
    } finally {
      this.held.delete(job.id);
    }
  }

  private async execute(data: RunJob, attempt: number, runsDir: string, dir: string, held: Held): Promise<{ status: RunStatus; error: string | null }> {
    const previous = readManifestAt(dir);
    if (previous && runEnded(previous)) return { status: previous.status, error: previous.status === 'failed' ? failureReason(previous, null) : null };
    if (existsSync(dir)) moveAside(runsDir, { notebook_id: data.notebookId, run_id: data.runId }, Date.now());
    try {
      const result = await this.runFn(join(this.opts.project.root, data.notebook), {
        params: data.params,
        fromCli: data.fromCli,
        runsDir,
        runId: data.runId,
        trigger: { ...data.trigger, attempt, worker: this.id, batch: data.batchId },
        exports: data.exports as never,
        startedBy: data.startedBy,
        signal: held.controller.signal,
        onEvent: (e) => this.publish(data.runId, e),
      });
      const m = result.manifest;
      return { status: m.status, error: m.status === 'failed' || m.status === 'partial' ? failureReason(m, null) : null };
    } catch (err) {
      return { status: 'failed', error: failureReason(null, err) };
    }
  }

  /** Announces a cell's start or end to servers following the run (best effort: they also read run.json at its end). */
  private publish(runId: string, e: ExecEvent): void {
    const data =
      e.kind === 'start'
        ? { cell: e.id }
        : { cell: e.id, status: e.record.status, duration_ms: e.record.duration_ms, rows: e.record.rows, cache_hit: e.record.cache_hit, error: e.record.error?.message.slice(0, 2000) ?? null };
    this.events.push(JSON.stringify({ run: runId, type: e.kind === 'start' ? 'cell-started' : 'cell-finished', data }));
    // Events within EVENT_WINDOW_MS go out in one statement: a short run's start and end cost one round trip.
    this.eventsTimer ??= setTimeout(() => void this.flushEvents(), EVENT_WINDOW_MS);
  }

  private async flushEvents(): Promise<void> {
    if (this.eventsTimer) clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    const payloads = this.events;
    if (!payloads.length) return;
    this.events = [];
    await this.opts.queue.preparedQuery('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [RUN_EVENTS_CHANNEL, payloads]).catch(() => {});
  }

  /** Stops a run this worker holds because it was cancelled. */
  private cancelHeld(runId: string, reason: string): void {
    for (const h of this.held.values()) {
      if (h.runId !== runId || h.cancelled) continue;
      h.cancelled = reason;
      h.controller.abort(reason);
      this.log(`run ${runId} cancelled: ${reason}`);
    }
  }

  /** Prepares a scheduled run's mail and queues its sending (any worker may take it). */
  private async queueMail(data: RunJob, dir: string): Promise<void> {
    const m = readManifestAt(dir);
    if (!m || !prepareRunMail(this.opts.project, data.notebook, data.trigger.schedule!, m, dir, this.opts.mail ?? null, this.log)) return;
    await this.opts.queue.boss.send(MAIL_QUEUE, { run: runKey(dir) } satisfies MailJob);
    this.log(`run ${data.runId}: mail queued`);
  }

  /** Sends queued mail: one delivery pass per job, the next pass queued for when retries are due. */
  private async mailSlot(): Promise<void> {
    const { queue, project } = this.opts;
    const outbox = this.opts.mail ? queueOutbox(queue, this.opts.mail, { log: (_level, text) => this.log(text) }) : null;
    while (!this.stopping) {
      let job: PgBoss.Job<MailJob> | undefined;
      try {
        [job] = outbox ? await queue.boss.fetch<MailJob>(MAIL_QUEUE, { batchSize: 1 }) : [];
      } catch {
        job = undefined;
      }
      if (!job || !outbox) {
        if (this.opts.exitWhenIdle && (await this.idle())) break;
        await this.sleep(this.opts.pollMs ?? 1000);
        continue;
      }
      try {
        const res = await outbox.process(join(projectPath(project, project.config.runs_dir), job.data.run));
        if (!res.done) await queue.boss.send(MAIL_QUEUE, job.data, { startAfter: new Date(res.nextAt ?? Date.now() + 1000) });
        await queue.boss.complete(MAIL_QUEUE, job.id);
      } catch (err) {
        this.log(`mail of ${job.data.run}: ${(err as Error).message}`);
        await queue.boss.fail(MAIL_QUEUE, job.id).catch(() => {});
      }
    }
  }

  /** Renews leases (stopping runs whose lease another worker now holds) and reaps jobs of dead workers. */
  private async beat(): Promise<void> {
    const { queue } = this.opts;
    try {
      // A job is held once it is leased (takeJob does both in one statement), so a renewal never misses a lease being taken.
      const lost = await renewLeases(queue, this.id, [...this.held.keys()]);
      // A cancel whose notice was missed (the listening connection was down) is seen here.
      for (const [runId, reason] of await cancelRequests(
        queue,
        [...this.held.values()].map((h) => h.runId),
      ))
        this.cancelHeld(runId, reason);
      for (const id of lost) {
        const h = this.held.get(id);
        if (h && !h.lost) {
          h.lost = true;
          h.controller.abort('lease lost');
        }
      }
      for (const j of await reapLostJobs(queue)) {
        this.log(`run ${j.runId}: ${WORKER_LOST}${j.final ? ' — no attempts left' : ' — queued again'}`);
        const m = j.final && j.runDir ? readManifestAt(j.runDir) : null;
        if (j.runDir && m?.status === 'running') markInterrupted(j.runDir, m, WORKER_LOST, new Date());
      }
    } catch (err) {
      this.log(`heartbeat failed, retrying: ${(err as Error).message}`);
    }
  }

  /** Nothing queued, waiting for a retry or running, on any worker. */
  private async idle(): Promise<boolean> {
    const r = await this.opts.queue.pool
      .query<{ n: string }>(`SELECT count(*) AS n FROM ${BOSS_SCHEMA}.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')`, [[RUN_QUEUE, MAIL_QUEUE]])
      .catch(() => null);
    return r !== null && Number(r.rows[0]?.n) === 0;
  }

  /** A dedicated connection LISTENing for new jobs; lost with a server restart, then polling alone carries on until it reconnects. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.queue.settings.url, application_name: 'quire worker' });
    client.on('notification', (n) => {
      if (n.channel === RUN_CANCEL_CHANNEL && n.payload) void this.cancelOf(n.payload);
      else this.wakeAll();
    });
    client.on('error', () => {
      if (this.listener === client) this.listener = null;
      void client.end().catch(() => {});
      if (!this.closed) setTimeout(() => void this.listen().catch(() => {}), 2000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${RUN_CANCEL_CHANNEL}`);
    if (this.closed) await client.end().catch(() => {});
    else this.listener = client;
  }

  /** A cancel was announced: if the run is ours, read why and stop it. */
  private async cancelOf(runId: string): Promise<void> {
    if (![...this.held.values()].some((h) => h.runId === runId)) return;
    const reasons = await cancelRequests(this.opts.queue, [runId]).catch(() => new Map<string, string>());
    const reason = reasons.get(runId);
    if (reason) this.cancelHeld(runId, reason);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  private wakeAll(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }
}
