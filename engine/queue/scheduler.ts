/**
 * Schedulers enqueue, workers run. With a queue, any number of `quire scheduler` processes on any
 * machines share each schedule's next due time in PostgreSQL: the one whose compare-and-set moves
 * it forward enqueues the tick, and the tick's run id (schedule + scheduled time) makes a second
 * enqueue of it a no-op. `missed` keeps its meaning (decideDue, as on one machine); `overlap: skip`
 * looks in the run index for a run of the schedule still queued or running, on any worker.
 */
import { ScheduleScanner, type ScheduleDef } from '../schedule/discover.js';
import { nextFire } from '../schedule/cron.js';
import { decideDue } from '../schedule/due.js';
import { tickRunId } from '../schedule/state.js';
import { tickParams } from '../schedule/runner.js';
import { loadNotebook } from '../notebooks.js';
import type { Logger } from '../util/log.js';
import { enqueueRuns } from './enqueue.js';
import type { RunQueue } from './queue.js';

export interface QueueSchedulerOptions {
  root: string;
  projectTimezone: string;
  runsDir: string;
  queue: RunQueue;
  clock?: () => number;
  logger?: Logger;
  graceMs?: number;
  missedCap?: number;
  rescanMs?: number;
}

const iso = (t: number) => new Date(t).toISOString();

export class QueueScheduler {
  private readonly scanner: ScheduleScanner;
  private readonly clock: () => number;
  private defs: ScheduleDef[] = [];
  private lastScan = Number.NEGATIVE_INFINITY;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: QueueSchedulerOptions) {
    this.scanner = new ScheduleScanner(opts.root, opts.projectTimezone, [opts.runsDir]);
    this.clock = opts.clock ?? Date.now;
  }

  private log(level: 'info' | 'warn' | 'error', event: string, detail = ''): void {
    this.opts.logger?.log(level, `${event}${detail ? ` ${detail}` : ''}`);
  }

  /** One pass over the schedules; returns when (ms since epoch) it wants to run again. */
  async step(): Promise<number> {
    const now = this.clock();
    if (now - this.lastScan >= (this.opts.rescanMs ?? 2000)) this.rescan(now);
    let wake = this.lastScan + (this.opts.rescanMs ?? 2000);
    for (const def of this.defs) wake = Math.min(wake, await this.take(def, now));
    return Math.max(wake, now);
  }

  private rescan(now: number): void {
    this.lastScan = now;
    const found = this.scanner.scan();
    for (const nb of found) for (const p of nb.problems) this.log('error', 'schedule-invalid', p);
    this.defs = found.flatMap((nb) => nb.schedules);
  }

  /** Enqueues what is due of one schedule (if this scheduler wins it); returns its next due time. */
  private async take(def: ScheduleDef, now: number): Promise<number> {
    const { pool } = this.opts.queue;
    await pool.query('INSERT INTO quire.schedules (key, timing, next_due) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [def.key, def.timing, iso(nextFire(def.spec.cron, def.timezone, now))]);
    const row = (await pool.query<{ timing: string; next_due: Date }>('SELECT timing, next_due FROM quire.schedules WHERE key = $1', [def.key])).rows[0];
    if (!row) return now;
    let due = row.next_due.getTime();
    if (row.timing !== def.timing) {
      // Cron or timezone changed: retimed from now (the same rule as on one machine).
      const next = nextFire(def.spec.cron, def.timezone, now);
      const moved = await pool.query('UPDATE quire.schedules SET timing = $2, next_due = $3 WHERE key = $1 AND timing = $4', [def.key, def.timing, iso(next), row.timing]);
      if (moved.rowCount) this.log('info', 'schedule-retimed', `${def.key} next=${iso(next)}`);
      return next;
    }
    const d = decideDue(def.spec.cron, def.timezone, def.missed, due, now, { graceMs: this.opts.graceMs ?? 60_000, cap: this.opts.missedCap ?? 100 });
    if (!d) return due;
    // Compare-and-set: of schedulers seeing the same due time, one moves it and enqueues.
    const won = await pool.query('UPDATE quire.schedules SET next_due = $2 WHERE key = $1 AND next_due = $3', [def.key, iso(d.nextDue), iso(due)]);
    due = d.nextDue;
    if (!won.rowCount) return due;
    if (d.missed > 0) this.log('warn', 'ticks-missed', `${def.key} count=${d.missed}${d.capped ? '+' : ''} missed=${def.missed} running=${d.run.length}`);
    for (const t of d.run) await this.enqueueTick(def, iso(t));
    return due;
  }

  private async enqueueTick(def: ScheduleDef, scheduledFor: string): Promise<void> {
    const runId = tickRunId(def.notebookId, def.spec.name, scheduledFor);
    if (def.overlap === 'skip') {
      const busy = await this.opts.queue.pool.query(`SELECT run_id FROM quire.runs WHERE notebook_id = $1 AND trigger->>'schedule' = $2 AND status IN ('queued', 'running') AND run_id <> $3 LIMIT 1`, [
        def.notebookId,
        def.spec.name,
        runId,
      ]);
      if (busy.rowCount) {
        this.log('warn', 'overlap-skipped', `${def.key} scheduled_for=${scheduledFor} (run ${busy.rows[0].run_id} is still queued or running; overlap=skip)`);
        return;
      }
    }
    const nb = loadNotebook(def.notebookPath);
    const added = await enqueueRuns(this.opts.queue, [
      {
        runId,
        notebookId: def.notebookId,
        notebook: def.notebookRel,
        params: tickParams(nb, def, scheduledFor),
        fromCli: false,
        trigger: { kind: 'schedule', schedule: def.spec.name, scheduled_for: scheduledFor },
        exports: def.spec.export as string[] | undefined,
        batchId: null,
        retries: def.retries,
      },
    ]);
    this.log('info', added.length ? 'tick-enqueued' : 'tick-already-enqueued', `${def.key} scheduled_for=${scheduledFor} run=${runId}`);
  }

  /** Steps until stopped, sleeping until the next due time (or a rescan). */
  async loop(): Promise<void> {
    while (!this.stopping) {
      let next: number;
      try {
        next = await this.step();
      } catch (err) {
        this.log('error', 'queue-unreachable', (err as Error).message);
        next = this.clock() + 2000;
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(50, next - this.clock()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }
}
