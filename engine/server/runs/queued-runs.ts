/**
 * The runs of `quire serve` with `queue:` in quire.yaml: a started run is enqueued for the workers
 * (engine/queue), and the server follows every queued or running run of the run index in
 * PostgreSQL. One LISTENing connection hears each change of status (a trigger on quire.runs
 * announces it) and the cell events workers announce; a poll every few seconds backs it up, so a
 * missed notice only delays. Each followed run is a ManagedRun with its event stream, as an
 * in-process run is: pages and the API don't tell them apart. Finished runs are read from their
 * folders (the shared runs folder stays the artifact store).
 */
import { relative } from 'node:path';
import pg from 'pg';
import { resolveParams } from '../../params/index.js';
import { titleRenderer } from '../../exec/manifest.js';
import { newRunId, readRun, type RunManifest } from '../../runs/runs.js';
import { runDirOf } from '../../schedule/runner.js';
import { OperationalError, QuireError } from '../../util/errors.js';
import { RunQueue, type QueueSettings } from '../../queue/queue.js';
import { enqueueRuns } from '../../queue/enqueue.js';
import { cancelRun } from '../../queue/cancel.js';
import { RUN_EVENTS_CHANNEL, RUN_STATUS_CHANNEL } from '../../queue/schema.js';
import { RunEvents } from './events.js';
import type { ManagedRun, ManagedStatus, RunService, SubmitRequest } from './run-service.js';

interface IndexRow {
  run_id: string;
  notebook_id: string;
  params: Record<string, unknown>;
  trigger: RunManifest['trigger'];
  status: string;
  started_by: string | null;
  error: string | null;
  enqueued_at: Date;
}

const COLUMNS = 'run_id, notebook_id, params, trigger, status, started_by, error, enqueued_at';
const ENDED = new Set(['succeeded', 'partial', 'failed', 'cancelled']);
const CELL_EVENTS = new Set(['cell-started', 'cell-finished']);

export interface QueuedRunsOptions {
  settings: QueueSettings;
  runsDir: string;
  clock: () => Date;
  /** A notebook's title, for runs started elsewhere (a scheduler, `quire run --queue`). */
  titleOf: (notebookId: string) => string;
  /** Called when a followed run ends (the runs index hears of it at once). */
  onFinished?: (run: ManagedRun) => void;
  /** How often the run index is read, besides the notices. Default 2 s. */
  pollMs?: number;
  /** How many finished runs keep their events in memory. */
  keepFinished?: number;
  /** Most queued and running runs followed at once (the oldest first). */
  maxActive?: number;
}

interface Followed {
  run: ManagedRun;
  settle: () => void;
}

export class QueuedRuns implements RunService {
  private readonly runs = new Map<string, Followed>();
  private opened: Promise<RunQueue> | null = null;
  private queue_: RunQueue | null = null;
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private relistening = false;
  /** Reads of the index and events are applied one after another, in the order they were asked for. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: QueuedRunsOptions) {}

  ready(): Promise<void> {
    return this.open().then(() => {});
  }

  /** The queue, once ready (`quire serve --scheduler` enqueues its ticks on it). */
  get queue(): RunQueue {
    if (!this.queue_) throw new Error('the run queue is not open yet');
    return this.queue_;
  }

  private open(): Promise<RunQueue> {
    this.opened ??= (async () => {
      const queue = await RunQueue.open(this.opts.settings);
      this.queue_ = queue;
      await this.listen().catch(() => this.relisten());
      await this.sync();
      this.timer = setInterval(() => void this.sync().catch(() => {}), this.opts.pollMs ?? 2000);
      this.timer.unref();
      return queue;
    })().catch((err: unknown) => {
      this.opened = null;
      throw err;
    });
    return this.opened;
  }

  async submit(req: SubmitRequest): Promise<ManagedRun> {
    if (this.closed) throw new QuireError('E_SERVER_CLOSING', 'the server is shutting down', { kind: 'operational', hint: 'start the run again once the server is back' });
    const now = this.opts.clock();
    const resolved = resolveParams(req.nb.top.params ?? {}, req.params, { now, timezone: req.nb.project.config.timezone, fromCli: req.fromText });
    const queue = await this.open();
    const id = newRunId(now);
    const trigger = { ...(req.trigger ?? { kind: 'api' as const, schedule: null, scheduled_for: null }), queued: true };
    const row: IndexRow = { run_id: id, notebook_id: req.nb.id, params: req.params, trigger, status: 'queued', started_by: req.startedBy, error: null, enqueued_at: now };
    const followed = this.follow(row, titleRenderer(resolved)(req.nb.top.title));
    try {
      await enqueueRuns(queue, [
        {
          runId: id,
          notebookId: req.nb.id,
          notebook: relative(req.nb.project.root, req.nb.path),
          params: req.params,
          fromCli: Boolean(req.fromText),
          trigger,
          startedBy: req.startedBy,
          batchId: null,
        },
      ]);
    } catch (err) {
      this.runs.delete(id);
      throw new OperationalError('E_QUEUE_ENQUEUE', `the run could not be queued: ${(err as Error).message}`, {
        hint: 'check that the queue database (queue.url of quire.yaml) is up, then start it again',
        cause: err,
      });
    }
    return followed.run;
  }

  get(id: string): ManagedRun | undefined {
    return this.runs.get(id)?.run;
  }

  get queued(): ManagedRun[] {
    return this.withStatus('queued').sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id));
  }

  get running(): ManagedRun[] {
    return this.withStatus('running');
  }

  private withStatus(status: ManagedStatus): ManagedRun[] {
    const out: ManagedRun[] = [];
    for (const f of this.runs.values()) if (f.run.status === status) out.push(f.run);
    return out;
  }

  /** A queued run is cancelled at once (its job too); a running one's worker is asked to stop it. */
  async cancel(id: string, reason: string): Promise<boolean> {
    const queue = await this.open();
    if (!(await cancelRun(queue, id, reason))) return false;
    await this.serially(() => this.refresh(id));
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.chain.catch(() => {});
    await this.queue_?.close();
  }

  /** A run followed from now on: its `queued` event first. */
  private follow(row: IndexRow, title?: string): Followed {
    const known = this.runs.get(row.run_id);
    if (known) return known;
    let settle!: () => void;
    const run: ManagedRun = {
      id: row.run_id,
      notebookId: row.notebook_id,
      title: title ?? this.opts.titleOf(row.notebook_id),
      status: 'queued',
      params: row.params,
      startedBy: row.started_by ?? `(${row.trigger.kind})`,
      queuedAt: row.enqueued_at.toISOString(),
      trigger: row.trigger,
      events: new RunEvents(this.opts.clock),
      dir: null,
      manifest: null,
      error: null,
      done: new Promise<void>((r) => {
        settle = r;
      }),
    };
    const followed = { run, settle };
    this.runs.set(run.id, followed);
    run.events.emit('queued', { id: run.id, notebook: run.notebookId, position: this.queued.length });
    return followed;
  }

  /** Brings a run up to its row of the index, sending the events of what changed. */
  private apply(row: IndexRow): void {
    const followed = this.runs.get(row.run_id) ?? (ENDED.has(row.status) ? null : this.follow(row));
    if (!followed || followed.run.events.finished) return;
    const { run } = followed;
    if (row.status === run.status) return;
    if (row.status === 'running') {
      run.status = 'running';
      run.dir = this.dirOf(row);
      run.events.emit('started', { id: run.id });
    } else if (row.status === 'queued') {
      // Handed back by a stopping worker, or its worker was lost: queued again for another.
      run.status = 'queued';
      run.events.emit('queued', { id: run.id, notebook: run.notebookId, position: this.queued.findIndex((r) => r.id === run.id) + 1 });
    } else if (ENDED.has(row.status)) {
      this.finish(followed, row);
    }
  }

  private finish({ run, settle }: Followed, row: IndexRow): void {
    const dir = this.dirOf(row);
    const manifest = dir ? readRun(dir) : null;
    run.dir = manifest ? dir : null;
    run.manifest = manifest;
    run.status = row.status as ManagedStatus;
    run.error = row.error ?? manifest?.error ?? null;
    run.events.emit('finished', { id: run.id, status: run.status, error: run.error, exports: manifest?.exports ?? {} });
    this.opts.onFinished?.(run);
    settle();
    this.prune();
  }

  private dirOf(row: IndexRow): string | null {
    try {
      return runDirOf(this.opts.runsDir, { notebook_id: row.notebook_id, run_id: row.run_id });
    } catch {
      return null;
    }
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  /** Reads every queued and running run of the index, and the followed ones (which may have ended). */
  private sync(): Promise<void> {
    return this.serially(async () => {
      const followed: string[] = [];
      for (const f of this.runs.values()) if (!f.run.events.finished) followed.push(f.run.id);
      const r = await this.queue.pool.query<IndexRow>(
        `(SELECT ${COLUMNS} FROM quire.runs WHERE status IN ('queued', 'running') ORDER BY enqueued_at LIMIT $2)
         UNION SELECT ${COLUMNS} FROM quire.runs WHERE run_id = ANY($1)`,
        [followed, this.opts.maxActive ?? 2000],
      );
      for (const row of r.rows.sort((a, b) => a.enqueued_at.getTime() - b.enqueued_at.getTime())) this.apply(row);
    });
  }

  private async refresh(id: string): Promise<void> {
    const r = await this.queue.pool.query<IndexRow>(`SELECT ${COLUMNS} FROM quire.runs WHERE run_id = $1`, [id]);
    if (r.rows[0]) this.apply(r.rows[0]);
  }

  /** A worker's cell event: sent on to the run's subscribers once the run is known to be running. */
  private cellEvent(payload: string): void {
    let e: { run?: unknown; type?: unknown; data?: unknown };
    try {
      e = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof e.run !== 'string' || typeof e.type !== 'string' || !CELL_EVENTS.has(e.type) || typeof e.data !== 'object' || !e.data) return;
    const { run, type, data } = e as { run: string; type: 'cell-started' | 'cell-finished'; data: Record<string, unknown> };
    void this.serially(async () => {
      const f = this.runs.get(run);
      if (f?.run.status === 'running') f.run.events.emit(type, data);
    });
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.settings.url, application_name: 'quire serve' });
    client.on('notification', (n) => {
      if (!n.payload) return;
      if (n.channel === RUN_STATUS_CHANNEL) void this.serially(() => this.refresh(n.payload!)).catch(() => {});
      else if (n.channel === RUN_EVENTS_CHANNEL) this.cellEvent(n.payload);
    });
    client.on('error', () => {
      if (this.listener === client) this.listener = null;
      void client.end().catch(() => {});
      this.relisten();
    });
    await client.connect();
    await client.query(`LISTEN ${RUN_STATUS_CHANNEL}; LISTEN ${RUN_EVENTS_CHANNEL}`);
    if (this.closed) await client.end().catch(() => {});
    else this.listener = client;
  }

  /** Listens again in a while (the database restarted); the poll carries on meanwhile. */
  private relisten(): void {
    if (this.closed || this.relistening) return;
    this.relistening = true;
    setTimeout(() => {
      this.relistening = false;
      void this.listen().catch(() => this.relisten());
    }, 2000).unref();
  }

  /** Forgets the oldest finished runs past `keepFinished` (their run.json stays the record). */
  private prune(): void {
    const finished = [...this.runs.values()].filter((f) => f.run.events.finished);
    for (const f of finished.slice(0, Math.max(0, finished.length - (this.opts.keepFinished ?? 500)))) this.runs.delete(f.run.id);
  }
}
