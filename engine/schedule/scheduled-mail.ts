/**
 * The scheduler's mail. A run that finished for a schedule with `email:` gets its messages
 * prepared (the run's delivery.json) and its folder listed in the state's outbox, saved before
 * anything is sent; `flush` then sends what is due in the background, each folder on the
 * outbox's own retry times, and drops a folder from the list once it is done.
 */
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import type { RunManifest } from '../runs/runs.js';
import { Outbox } from '../deliver/outbox.js';
import { prepareScheduled, type ScheduleEmail } from '../deliver/prepare.js';
import type { TransportFactory } from '../deliver/smtp.js';
import type { Backoff } from '../util/backoff.js';
import type { ScheduleDef } from './discover.js';
import type { QueueItem, SchedulerState } from './state.js';

export interface MailSetup {
  from: string;
  transport: TransportFactory;
  attempts?: number;
  backoff?: Backoff;
  maxAttachmentBytes?: number;
  /** quire.yaml `report_url`. */
  reportUrl?: string;
}

/** What the mail needs of its scheduler. */
export interface MailHost {
  runsDir: string;
  state: SchedulerState;
  clock: () => number;
  random?: () => number;
  logger: Logger;
  log(level: 'info' | 'warn' | 'error', event: string, detail?: string): void;
  save(): void;
  /** Wakes the scheduler's loop (a delivery pass ended). */
  kick(): void;
}

export class ScheduledMail {
  private readonly outbox: Outbox | null;
  /** Per run folder (notebook/run) in the outbox: its pass in flight, or when to try it next. */
  private readonly folders = new Map<string, { promise: Promise<void> | null; nextAt: number }>();

  constructor(
    private readonly host: MailHost,
    private readonly setup: MailSetup | null,
  ) {
    this.outbox = setup
      ? new Outbox({ from: setup.from, transport: setup.transport, clock: host.clock, random: host.random, logger: host.logger, attempts: setup.attempts, backoff: setup.backoff })
      : null;
  }

  /** Prepares the mail of run `m` (folder `dir`) of `item` when its schedule has `email:`. */
  prepare(item: QueueItem, def: ScheduleDef | undefined, m: RunManifest, dir: string, now: number): void {
    const email = def?.spec.email as ScheduleEmail | undefined;
    if (!email) return;
    if (!this.setup) {
      this.host.log('error', 'mail-not-configured', `${item.key} run=${item.run_id} (set smtp: in quire.yaml or QUIRE_SMTP_URL)`);
      return;
    }
    const rel = join(item.notebook_id, item.run_id);
    const state = this.host.state;
    if (!state.outbox.includes(rel)) {
      state.outbox.push(rel);
      this.host.save(); // the outbox index knows the run before delivery.json has entries
    }
    const r = prepareScheduled(dir, m, email, {
      from: this.setup.from,
      now: new Date(now),
      schedule: def!.spec.name,
      maxAttachmentBytes: this.setup.maxAttachmentBytes,
      reportUrl: this.setup.reportUrl,
    });
    if (r.held) this.host.log('warn', 'mail-held', `${item.key} run=${item.run_id}${r.held.gate ? ` gate="${r.held.gate}"` : ''} reason="${r.held.reason}"${r.owner ? ` owner=${r.owner}` : ''}`);
    else this.host.log('info', 'mail-queued', `${item.key} run=${item.run_id} recipients=${r.entries.length}`);
    this.folders.set(rel, { promise: null, nextAt: now });
  }

  /** Starts a delivery pass for each folder in the outbox that is due and has none in flight. */
  flush(now: number): void {
    if (!this.outbox) return;
    const state = this.host.state;
    for (const rel of state.outbox) {
      const w = this.folders.get(rel) ?? { promise: null, nextAt: now };
      this.folders.set(rel, w);
      if (w.promise || w.nextAt > now) continue;
      w.promise = this.outbox
        .process(join(this.host.runsDir, rel))
        .then((res) => {
          if (res.done) {
            state.outbox = state.outbox.filter((d) => d !== rel);
            this.folders.delete(rel);
            this.host.save();
            this.host.log('info', 'mail-done', `run=${rel} status=${res.record?.status ?? 'none'}`);
          } else w.nextAt = res.nextAt ?? this.host.clock() + 1000;
        })
        .catch((err) => {
          w.nextAt = this.host.clock() + 5000;
          this.host.log('error', 'mail-error', `run=${rel}: ${(err as Error).message}`);
        })
        .finally(() => {
          w.promise = null;
          this.host.kick();
        });
    }
  }

  /** When the next waiting folder is due (Infinity: none). */
  nextDue(): number {
    let t = Infinity;
    for (const w of this.folders.values()) if (!w.promise) t = Math.min(t, w.nextAt);
    return t;
  }

  /** The delivery passes in flight. */
  inFlight(): Promise<void>[] {
    return [...this.folders.values()].flatMap((w) => (w.promise ? [w.promise] : []));
  }
}
