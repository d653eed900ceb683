/**
 * Runs started through the server: in this process, on the server's EngineState, through the
 * engine's own runNotebook (the same run folder and run.json as `quire run`), at most
 * `maxConcurrent` at once — the others wait in a queue whose place is visible — each with its
 * event stream and an abort for cancel. A run holds the project database's read lock
 * (DATABASE_LOCK) while it runs: an upload's commit waits for the runs to end, and a run waits for
 * a commit (DuckDB's file lock can't keep two instances of one process apart).
 */
import { basename, dirname } from 'node:path';
import { runNotebook, type RunOptions, type RunResult } from '../../exec/run.js';
import { resolveParams } from '../../params/index.js';
import { titleRenderer } from '../../exec/manifest.js';
import { newRunId, readRun } from '../../runs/runs.js';
import type { ExecEvent } from '../../exec/executor.js';
import type { RunFn } from '../../schedule/runner.js';
import { QuireError } from '../../util/errors.js';
import type { EngineState } from '../../util/state.js';
import type { ExportFormat } from '../../export/index.js';
import type { PdfRenderer } from '../../report/pdf/index.js';
import { RunEvents } from './events.js';
import type { ManagedRun, RunService, SubmitRequest } from './run-service.js';

export type { ManagedRun, ManagedStatus, SubmitRequest } from './run-service.js';
import { DATABASE_LOCK } from '../services/database-lock.js';

export interface RunManagerOptions {
  state: EngineState;
  runsDir: string;
  clock: () => Date;
  maxConcurrent: number;
  /** Called when a run ends (the runs index hears of it at once). */
  onFinished?: (run: ManagedRun) => void;
  /** Formats rendered at the end of a run (default: the notebook's). */
  exports?: ExportFormat[];
  /** Extra options for runNotebook (tests: a clock; the server: a shared PdfRenderer). */
  runOptions?: Partial<RunOptions>;
  /** The server's shared Chromium, for runs whose reports include a PDF (undefined: each run starts its own). */
  pdf?: () => Promise<PdfRenderer | undefined>;
  /** Called when a run given the shared Chromium wrote no PDF (maybe the browser died): the next run starts a new one. */
  dropPdf?: () => void;
  /** How many finished runs keep their events in memory (older ones are read from run.json). */
  keepFinished?: number;
}

type Queued = { run: ManagedRun; start: () => void; settle: () => void };

export class RunManager implements RunService {
  private readonly runs = new Map<string, ManagedRun>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly queue: Queued[] = [];
  private active = 0;
  private closed = false;

  constructor(private readonly opts: RunManagerOptions) {}

  ready(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Checks the params (a bad one throws ValidationErrors at once, no run is made), then queues the
   * run; it starts when a slot is free. Returns at once.
   */
  async submit(req: SubmitRequest): Promise<ManagedRun> {
    return this.submitNow(req);
  }

  private submitNow(req: SubmitRequest): ManagedRun {
    if (this.closed) throw new QuireError('E_SERVER_CLOSING', 'the server is shutting down', { kind: 'operational', hint: 'start the run again once the server is back' });
    const now = this.opts.clock();
    const resolved = resolveParams(req.nb.top.params ?? {}, req.params, { now, timezone: req.nb.project.config.timezone, fromCli: req.fromText });
    const id = newRunId(now);
    const events = new RunEvents(this.opts.clock);
    let resolveDone!: () => void;
    const run: ManagedRun = {
      id,
      notebookId: req.nb.id,
      title: titleRenderer(resolved)(req.nb.top.title),
      status: 'queued',
      params: req.params,
      startedBy: req.startedBy,
      queuedAt: now.toISOString(),
      trigger: req.trigger ?? { kind: 'api', schedule: null, scheduled_for: null },
      events,
      dir: null,
      manifest: null,
      error: null,
      done: new Promise<void>((r) => {
        resolveDone = r;
      }),
    };
    const controller = new AbortController();
    this.runs.set(id, run);
    this.controllers.set(id, controller);
    events.emit('queued', { id, notebook: run.notebookId, position: this.queue.length + 1 });
    const start = () => {
      this.active++;
      run.status = 'running';
      void this.execute(run, req, controller.signal).finally(() => {
        this.active--;
        this.controllers.delete(id);
        this.prune();
        resolveDone();
        this.pump();
      });
    };
    this.queue.push({ run, start, settle: () => resolveDone() });
    this.pump();
    return run;
  }

  private pump(): void {
    while (this.active < this.opts.maxConcurrent && this.queue.length) this.queue.shift()!.start();
  }

  private async execute(run: ManagedRun, req: SubmitRequest, signal: AbortSignal): Promise<void> {
    let result: RunResult | null = null;
    try {
      const formats: readonly string[] = this.opts.exports ?? req.nb.top.export ?? [];
      const pdf = formats.includes('pdf') ? await this.opts.pdf?.().catch(() => undefined) : undefined;
      const running = () =>
        runNotebook(req.nb, {
          ...this.opts.runOptions,
          ...(pdf ? { pdf } : {}),
          params: req.params,
          fromCli: req.fromText,
          runId: run.id,
          runsDir: this.opts.runsDir,
          trigger: run.trigger,
          startedBy: run.startedBy,
          state: this.opts.state,
          signal,
          exports: this.opts.exports,
          onStart: ({ dir }) => {
            run.dir = dir;
            run.events.emit('started', { id: run.id });
          },
          onEvent: (e) => emitCell(run, e),
        });
      result = await this.opts.state.get(DATABASE_LOCK).read(running);
      if (pdf && !Object.hasOwn(result.manifest.exports, 'pdf')) this.opts.dropPdf?.();
      run.manifest = result.manifest;
      run.status = result.manifest.status; // a stopped run ends `failed` (interrupted), as run.json says
      run.error = result.manifest.error;
    } catch (err) {
      run.status = signal.aborted ? 'cancelled' : 'failed';
      run.error = err instanceof QuireError ? err.message : `internal error: ${(err as Error).message}`;
    }
    run.events.emit('finished', { id: run.id, status: run.status, error: run.error, exports: result?.manifest.exports ?? {} });
    this.opts.onFinished?.(run);
  }

  /**
   * `run` (the in-process scheduler's RunFn) with each of its runs known here like the server's own
   * from its start: its cell events on the same stream (SSE), its end told to the runs index. They
   * do not take the server's run slots, and are not cancelled from here (their scheduler retries).
   */
  follow(run: RunFn): RunFn {
    return async (nb, opts) => {
      let followed: ManagedRun | null = null;
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => {
        resolveDone = r;
      });
      const end = (status: ManagedRun['status'], error: string | null, exports: Record<string, unknown>) => {
        if (!followed) return;
        Object.assign(followed, { status, error });
        followed.events.emit('finished', { id: followed.id, status, error, exports });
        this.opts.onFinished?.(followed);
        this.prune();
      };
      try {
        const result = await run(nb, {
          ...opts,
          onStart: (info) => {
            const m = readRun(info.dir);
            followed = {
              id: info.runId,
              notebookId: basename(dirname(info.dir)),
              title: m?.title ?? info.runId,
              status: 'running',
              params: m?.params ?? opts.params ?? {},
              startedBy: m?.started_by ?? 'scheduler',
              queuedAt: m?.started_at ?? this.opts.clock().toISOString(),
              trigger: m?.trigger ?? opts.trigger ?? { kind: 'schedule', schedule: null, scheduled_for: null },
              events: new RunEvents(this.opts.clock),
              dir: info.dir,
              manifest: null,
              error: null,
              done,
              followed: true,
            };
            this.runs.set(followed.id, followed);
            followed.events.emit('started', { id: followed.id });
            opts.onStart?.(info);
          },
          onEvent: (e) => {
            if (followed) emitCell(followed, e);
            opts.onEvent?.(e);
          },
        });
        if (followed) (followed as ManagedRun).manifest = result.manifest;
        end(result.manifest.status, result.manifest.error, result.manifest.exports);
        return result;
      } catch (err) {
        end('failed', err instanceof QuireError ? err.message : `internal error: ${(err as Error).message}`, {});
        throw err;
      } finally {
        resolveDone();
      }
    };
  }

  get(id: string): ManagedRun | undefined {
    return this.runs.get(id);
  }

  /** Runs waiting for a slot, first to start first. */
  get queued(): ManagedRun[] {
    return this.queue.map((q) => q.run);
  }

  get running(): ManagedRun[] {
    return [...this.runs.values()].filter((r) => r.status === 'running');
  }

  /** Cancels a queued run (it never starts) or stops a running one (it ends failed, "interrupted"); false when it is not ours or over. */
  async cancel(id: string, reason: string): Promise<boolean> {
    return this.cancelNow(id, reason);
  }

  private cancelNow(id: string, reason: string): boolean {
    const run = this.runs.get(id);
    if (!run || run.followed || (run.status !== 'queued' && run.status !== 'running')) return false;
    const i = this.queue.findIndex((q) => q.run.id === id);
    if (i >= 0) {
      const [q] = this.queue.splice(i, 1);
      q.settle();
      run.status = 'cancelled';
      run.error = `cancelled before it started (${reason})`;
      this.controllers.delete(id);
      run.events.emit('finished', { id, status: 'cancelled', error: run.error, exports: {} });
      this.opts.onFinished?.(run);
      return true;
    }
    this.controllers.get(id)?.abort(reason);
    return true;
  }

  /** Forgets the oldest finished runs past `keepFinished` (their run.json stays the record). */
  private prune(): void {
    const keep = this.opts.keepFinished ?? 500;
    const finished = [...this.runs.values()].filter((r) => r.events.finished);
    for (const r of finished.slice(0, Math.max(0, finished.length - keep))) this.runs.delete(r.id);
  }

  /** Stops taking runs, cancels the queued, stops the running and waits for them to end. */
  async close(reason = 'server stopped'): Promise<void> {
    this.closed = true;
    for (const q of [...this.queue]) this.cancelNow(q.run.id, reason);
    for (const c of this.controllers.values()) c.abort(reason);
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }
}

/** A cell's start or end as the run's event (what the pages' progress shows). */
function emitCell(run: ManagedRun, e: ExecEvent): void {
  if (e.kind === 'start') run.events.emit('cell-started', { cell: e.id });
  else
    run.events.emit('cell-finished', {
      cell: e.id,
      status: e.record.status,
      duration_ms: e.record.duration_ms,
      rows: e.record.rows,
      cache_hit: e.record.cache_hit,
      error: e.record.error?.message ?? null,
    });
}
