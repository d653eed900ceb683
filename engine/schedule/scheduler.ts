/**
 * The scheduler: a loop whose every decision is in state.json before it acts on it.
 *
 * `step()` rescans notebooks, takes the ticks that came due (by the stored next time, never by
 * timers alone, so downtime or a blocked event loop cannot lose one), starts queued runs and
 * sends due mail (scheduled-mail.ts); it returns when it wants to be woken again. Timers and a
 * node-cron heartbeat only wake it. Clock, logger and runner are injected: tests step a fake clock.
 *
 * Exactly one run per (schedule, scheduled time): a tick is queued under a run id derived from
 * both, at most once (the stored next time only moves forward); its run folder is that id. After
 * a crash, a tick left `running` is adopted if its folder shows the run finished, re-run if the
 * run was cut off (the cut-off folder is kept under `.attempts/`), or started if it never began.
 */
import cron from 'node-cron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperationalError, QuireError, UserError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { runNotebook } from '../exec/run.js';
import type { RunManifest } from '../runs/runs.js';
import type { Backoff } from '../util/backoff.js';
import { backoffDelay } from '../util/backoff.js';
import type { ScheduleDef } from './discover.js';
import { ScheduleSet } from './schedule-set.js';
import { decideDue } from './due.js';
import { tryLock } from '../util/lock.js';
import { failureReason, markInterrupted, moveAside, readManifestAt, runDirOf, runEnded, runTick, type RunFn } from './runner.js';
import { loadState, saveState, stateDir, tickRunId, type QueueItem, type SchedulerState } from './state.js';
import { ScheduledMail, type MailSetup } from './scheduled-mail.js';
import { PausedWatcher } from './paused.js';
import { EngineState } from '../util/state.js';

export type { MailSetup } from './scheduled-mail.js';

export interface SchedulerOptions {
  /** Folder scanned for notebooks with `schedules:`. */
  root: string;
  runsDir: string;
  projectTimezone: string;
  clock?: () => number;
  logger?: Logger;
  run?: RunFn;
  random?: () => number;
  /** Runs at once across schedules (one at a time per schedule). Default 4. */
  concurrency?: number;
  /** How late the newest due tick may be and still count as on time. Default 60 s. */
  graceMs?: number;
  /** `missed: all` runs at most this many missed ticks (the newest). Default 100. */
  missedCap?: number;
  /** How often notebooks are rescanned for changes. Default 2 s. */
  rescanMs?: number;
  /** Backoff between run retries. Default 30 s doubling to 10 min. */
  retryBackoff?: Backoff;
  /** Crash-interrupted attempts of one tick before it is given up. Default 3. */
  maxInterruptions?: number;
  /** SMTP for `email:`; without it, schedules with email log that they cannot send. */
  mail?: MailSetup | null;
  /** The engine state (pools, caches) runs share; default: one of its own, closed when the scheduler stops. */
  engine?: EngineState;
}

const iso = (t: number) => new Date(t).toISOString();
const itemId = (i: Pick<QueueItem, 'key' | 'scheduled_for'>) => `${i.key}@${i.scheduled_for}`;

export class Scheduler {
  readonly state: SchedulerState;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly schedules: ScheduleSet;
  private readonly mail: ScheduledMail;
  private readonly inflight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private release: (() => void) | null = null;
  private lastScan = -Infinity;
  private stopping = false;
  private wake: (() => void) | null = null;
  private wakeAt = 0;
  private dirty = false;
  private stopped: Promise<void> | null = null;
  private readonly engine: EngineState;
  private readonly paused: PausedWatcher;

  constructor(readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
    this.engine = opts.engine ?? new EngineState();
    this.paused = new PausedWatcher(opts.runsDir);
    this.schedules = new ScheduleSet(opts.root, opts.projectTimezone, opts.runsDir);
    const { state, warnings } = loadState(opts.runsDir);
    this.state = state;
    for (const warning of warnings) this.log('warn', 'state-damaged', warning);
    this.mail = new ScheduledMail(
      {
        runsDir: opts.runsDir,
        state,
        clock: this.clock,
        random: opts.random,
        logger: this.logger,
        log: (level, event, detail) => this.log(level, event, detail),
        save: () => this.save(),
        kick: () => this.kick(),
      },
      opts.mail ?? null,
    );
  }

  /** One line per event: `event key k=v ...`. */
  private log(level: 'info' | 'warn' | 'error', event: string, detail = '') {
    this.logger.log(level, `${event}${detail ? ` ${detail}` : ''}`);
  }

  private save() {
    saveState(this.opts.runsDir, this.state, new Date(this.clock()));
    this.dirty = false;
  }

  /** Takes the lock on the runs dir, loads notebooks and recovers what a crash left. */
  start(): void {
    mkdirSync(stateDir(this.opts.runsDir), { recursive: true });
    const lock = tryLock(join(stateDir(this.opts.runsDir), 'lock'));
    if ('heldBy' in lock) {
      throw new UserError('E_SCHEDULER_RUNNING', `another scheduler (pid ${lock.heldBy}) is using ${this.opts.runsDir}`, { hint: 'stop it first, or give this one another runs folder' });
    }
    this.release = lock.release;
    const now = this.clock();
    this.log('info', 'scheduler-started', `pid=${process.pid} root=${this.opts.root} runs=${this.opts.runsDir}`);
    this.rescan(now);
    this.recover(now);
    this.save();
  }

  private rescan(now: number): void {
    this.lastScan = now;
    if (this.schedules.sync(this.state, now, (level, event, detail) => this.log(level, event, detail))) this.dirty = true;
  }

  private recover(now: number): void {
    for (const item of this.state.queue.filter((i) => i.status === 'running')) {
      const dir = runDirOf(this.opts.runsDir, item);
      const m = readManifestAt(dir);
      if (m && runEnded(m)) {
        this.log('info', 'run-adopted', `${item.key} scheduled_for=${item.scheduled_for} run=${item.run_id} status=${m.status} (finished before the restart)`);
        this.finish(item, { manifest: m, dir }, null, false);
      } else if (m) {
        markInterrupted(dir, m, 'interrupted: the scheduler stopped during the run', new Date(now));
        item.interruptions++;
        item.status = 'queued';
        item.started_at = null;
        this.log('warn', 'run-interrupted', `${item.key} scheduled_for=${item.scheduled_for} run=${item.run_id} interruptions=${item.interruptions} (the scheduler died during it; running it again)`);
        if (item.interruptions > (this.opts.maxInterruptions ?? 3)) this.giveUp(item, `interrupted ${item.interruptions} times`, null, null);
      } else {
        item.status = 'queued';
        item.started_at = null;
        this.log('info', 'run-requeued', `${item.key} scheduled_for=${item.scheduled_for} (it had not started)`);
      }
    }
  }

  /** One pass; returns when (ms) it wants to run again. */
  async step(): Promise<number> {
    const now = this.clock();
    if (now - this.lastScan >= (this.opts.rescanMs ?? 2000)) this.rescan(now);
    this.takeDue(now);
    this.startReady(now);
    if (this.dirty) this.save();
    this.mail.flush(now);
    return this.nextWake(now);
  }

  private takeDue(now: number): void {
    for (const [key, def] of this.schedules.defs) {
      const s = this.state.schedules[key];
      if (!s || Date.parse(s.next_due) > now) continue;
      const d = decideDue(def.spec.cron, def.timezone, def.missed, Date.parse(s.next_due), now, { graceMs: this.opts.graceMs ?? 60_000, cap: this.opts.missedCap ?? 100 });
      if (!d) continue;
      if (Object.hasOwn(this.paused.get(), key)) {
        // Paused by a person: this tick is passed over, not kept for later.
        this.log('info', 'tick-paused', `${key} scheduled_for=${iso(d.last)} (the schedule is paused)`);
        s.next_due = iso(d.nextDue);
        this.dirty = true;
        continue;
      }
      if (d.missed > 0) {
        this.log(
          'warn',
          'ticks-missed',
          `${key} count=${d.missed}${d.capped ? '+' : ''} from=${iso(d.first)} to=${iso(d.last)} missed=${def.missed} running=${d.run.length}${d.dropped ? ` dropped=${d.dropped}` : ''}`,
        );
      }
      const busy = this.state.queue.some((i) => i.key === key);
      for (const t of d.run) {
        const scheduledFor = iso(t);
        if (this.state.queue.some((i) => i.key === key && i.scheduled_for === scheduledFor)) continue;
        const runId = tickRunId(def.notebookId, def.spec.name, scheduledFor);
        const done = readManifestAt(join(this.opts.runsDir, def.notebookId, runId));
        if (done && runEnded(done)) {
          this.log('warn', 'tick-already-ran', `${key} scheduled_for=${scheduledFor} run=${runId}`);
          continue;
        }
        if (busy && def.overlap === 'skip') {
          this.log('warn', 'overlap-skipped', `${key} scheduled_for=${scheduledFor} (the previous run is still going; overlap=skip)`);
          continue;
        }
        this.state.queue.push({
          key,
          notebook_id: def.notebookId,
          schedule: def.spec.name,
          scheduled_for: scheduledFor,
          run_id: runId,
          status: 'queued',
          failures: 0,
          interruptions: 0,
          not_before: null,
          queued_at: iso(now),
          started_at: null,
          last_error: null,
        });
      }
      s.next_due = iso(d.nextDue);
      this.dirty = true;
    }
  }

  private startReady(now: number): void {
    if (this.stopping) return;
    const running = new Set(this.state.queue.filter((i) => i.status === 'running').map((i) => i.key));
    const ready = this.state.queue
      .filter((i) => i.status === 'queued' || (i.status === 'waiting' && Date.parse(i.not_before ?? '') <= now))
      .sort((a, b) => a.scheduled_for.localeCompare(b.scheduled_for));
    const start: [QueueItem, ScheduleDef][] = [];
    for (const item of ready) {
      if (this.inflight.size + start.length >= (this.opts.concurrency ?? 4)) break;
      if (running.has(item.key)) continue;
      const def = this.schedules.defs.get(item.key);
      if (!def) continue; // paused (notebook broken); removed schedules' items are dropped by rescan
      item.status = 'running';
      item.started_at = iso(now);
      running.add(item.key);
      start.push([item, def]);
    }
    if (!start.length) return;
    this.save(); // `running` is on disk before anything runs
    for (const [item, def] of start) this.launch(item, def);
  }

  private launch(item: QueueItem, def: ScheduleDef): void {
    const abort = new AbortController();
    const moved = moveAside(this.opts.runsDir, item, this.clock());
    if (moved) this.log('info', 'attempt-kept', `${item.key} scheduled_for=${item.scheduled_for} earlier attempt moved to ${moved}`);
    const attempt = item.failures + item.interruptions + 1;
    const promise = (async () => {
      let result: { manifest: RunManifest; dir: string } | null = null;
      let error: unknown = null;
      try {
        result = await runTick({
          item,
          def,
          runsDir: this.opts.runsDir,
          signal: abort.signal,
          clock: this.clock,
          run: this.opts.run ?? runNotebook,
          engine: this.engine,
          onStart: () =>
            this.log('info', 'run-started', `${item.key} scheduled_for=${item.scheduled_for} run=${item.run_id} attempt=${attempt} late_ms=${this.clock() - Date.parse(item.scheduled_for)}`),
        });
      } catch (err) {
        error = err;
      }
      this.finish(item, result, error, abort.signal.aborted);
      this.save();
    })()
      .catch((err) => this.log('error', 'scheduler-bug', `${item.key}: ${(err as Error).stack ?? err}`))
      .finally(() => {
        this.inflight.delete(itemId(item));
        this.kick();
      });
    this.inflight.set(itemId(item), { promise, abort });
  }

  private finish(item: QueueItem, result: { manifest: RunManifest; dir: string } | null, error: unknown, aborted: boolean): void {
    const now = this.clock();
    const m = result?.manifest ?? null;
    const tag = `${item.key} scheduled_for=${item.scheduled_for} run=${item.run_id}`;
    if (aborted) {
      item.status = 'queued';
      item.started_at = null;
      item.interruptions++;
      this.log('warn', 'run-interrupted', `${tag} (stopped by the scheduler's shutdown; it runs again at the next start)`);
      return;
    }
    if (m && (m.status === 'succeeded' || m.status === 'partial')) {
      this.log(m.status === 'succeeded' ? 'info' : 'warn', `run-${m.status}`, `${tag} duration_ms=${m.finished_at ? Date.parse(m.finished_at) - Date.parse(m.started_at) : '?'}`);
      this.complete(item, m, result!.dir, m.status, null);
      return;
    }
    const why = failureReason(m, error);
    item.failures++;
    item.last_error = why;
    const def = this.schedules.defs.get(item.key);
    const retries = def?.retries ?? 0;
    if (item.failures <= retries) {
      const delay = backoffDelay(this.opts.retryBackoff ?? { baseMs: 30_000, maxMs: 600_000 }, item.failures, this.opts.random);
      item.status = 'waiting';
      item.started_at = null;
      item.not_before = iso(now + delay);
      this.log('warn', 'run-failed', `${tag} attempt=${item.failures + item.interruptions} retry=${item.failures}/${retries} next=${item.not_before} error="${why}"`);
      return;
    }
    this.giveUp(item, why, m, result?.dir ?? null);
  }

  private giveUp(item: QueueItem, why: string, m: RunManifest | null, dir: string | null): void {
    this.log('error', 'run-gave-up', `${item.key} scheduled_for=${item.scheduled_for} run=${item.run_id} failures=${item.failures} interruptions=${item.interruptions} error="${why}"`);
    this.complete(item, m, dir, 'failed', why);
  }

  private complete(item: QueueItem, m: RunManifest | null, dir: string | null, status: string, error: string | null): void {
    const now = this.clock();
    if (m && dir) this.mail.prepare(item, this.schedules.defs.get(item.key), m, dir, now);
    this.state.queue = this.state.queue.filter((i) => i !== item);
    const s = this.state.schedules[item.key];
    if (s) s.last = { scheduled_for: item.scheduled_for, run_id: m ? item.run_id : null, status, at: iso(now), error };
    this.dirty = true;
  }

  private nextWake(now: number): number {
    let t = this.lastScan + (this.opts.rescanMs ?? 2000);
    for (const [key] of this.schedules.defs) {
      const s = this.state.schedules[key];
      if (s) t = Math.min(t, Date.parse(s.next_due));
    }
    for (const i of this.state.queue) if (i.status === 'waiting' && i.not_before) t = Math.min(t, Date.parse(i.not_before));
    return Math.max(Math.min(t, this.mail.nextDue()), now);
  }

  /** Wakes a sleeping loop now. */
  kick(): void {
    this.wake?.();
  }

  /** Resolves when no run and no mail pass is in flight. */
  async settle(): Promise<void> {
    for (;;) {
      const pending = [...[...this.inflight.values()].map((f) => f.promise), ...this.mail.inFlight()];
      if (!pending.length) return;
      await Promise.allSettled(pending);
    }
  }

  get running(): number {
    return this.inflight.size;
  }

  /** The real-time loop: step, sleep until the wanted time (or a kick), again, until stop(). */
  async loop(): Promise<void> {
    const heartbeat = cron.schedule(
      '* * * * * *',
      () => {
        if (this.clock() >= this.wakeAt) this.kick();
      },
      { noOverlap: true, suppressMissedWarning: true } as never,
    );
    try {
      while (!this.stopping) {
        let at: number;
        try {
          at = await this.step();
        } catch (err) {
          this.log('error', 'step-failed', err instanceof QuireError ? `${err.code}: ${err.message}` : String((err as Error).stack ?? err));
          at = this.clock() + 1000;
        }
        if (this.stopping) break;
        this.wakeAt = at;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => done(), Math.min(Math.max(0, at - this.clock()), 60_000));
          const done = () => {
            clearTimeout(timer);
            this.wake = null;
            resolve();
          };
          this.wake = done;
        });
      }
    } finally {
      await heartbeat.stop();
      await heartbeat.destroy();
    }
  }

  /**
   * Stops taking work, lets running runs finish for up to `drainMs`, then aborts the rest (each
   * is recorded as interrupted and runs again at the next start), saves and releases the lock.
   */
  stop(reason = 'stop', drainMs = 30_000): Promise<void> {
    this.stopped ??= this.shutdown(reason, drainMs);
    return this.stopped;
  }

  private async shutdown(reason: string, drainMs: number): Promise<void> {
    this.stopping = true;
    this.log('info', 'scheduler-stopping', `reason=${reason} running=${this.inflight.size}`);
    this.kick();
    const runs = () => [...this.inflight.values()].map((f) => f.promise);
    if (this.inflight.size) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(runs()), new Promise((r) => (timer = setTimeout(r, drainMs)))]);
      clearTimeout(timer);
      for (const f of this.inflight.values()) f.abort.abort(reason);
      await Promise.allSettled(runs());
    }
    await this.settle();
    if (!this.opts.engine) await this.engine.close().catch((err: Error) => this.log('error', 'engine-not-closed', err.message));
    try {
      this.save();
    } catch (err) {
      if (!(err instanceof OperationalError)) throw err;
      this.log('error', 'state-not-saved', err.message);
    }
    this.release?.();
    this.release = null;
    this.log('info', 'scheduler-stopped', `reason=${reason}`);
  }
}
