/**
 * Sends what delivery.json holds. One pass over a run takes its lock (in this process and, via
 * a lock file, against other processes), turns leftovers in `sending` into `unknown`, sends
 * every due entry once and records each attempt before and after it, atomically.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Logger } from '../util/log.js';
import { backoffDelay, type Backoff } from '../util/backoff.js';
import { tryLock } from '../util/lock.js';
import { alertHtml } from './html.js';
import { addEntries, isDone, readRecord, writeRecord, type DeliveryRecord, type OutboxEntry } from './record.js';
import { classifySmtpError, mailAttachments, type OutgoingMail, type TransportFactory } from './smtp.js';

export interface OutboxOptions {
  from: string;
  transport: TransportFactory;
  clock?: () => number;
  random?: () => number;
  logger?: Logger;
  /** Attempts per entry, the first included (default 6). */
  attempts?: number;
  backoff?: Backoff;
  /**
   * Takes the lock on a run's delivery. Default: a pid lock file in the run folder, which holds on
   * one machine; workers on several machines pass one held in the queue's PostgreSQL.
   */
  lock?: (runDir: string) => Promise<DeliveryLock>;
}

export type DeliveryLock = { release: () => void | Promise<void> } | { heldBy: number | string };

export interface PassResult {
  record: DeliveryRecord | null;
  /** When the next entry of this run is due (ms), null when none is waiting. */
  nextAt: number | null;
  done: boolean;
  /** Another process holds this run's delivery. */
  busy?: number | string;
}

export const DEFAULT_MAIL_BACKOFF: Backoff = { baseMs: 5_000, maxMs: 5 * 60_000 };

export class Outbox {
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly attempts: number;
  private readonly backoff: Backoff;
  private readonly busy = new Map<string, Promise<PassResult>>();

  constructor(private readonly opts: OutboxOptions) {
    this.clock = opts.clock ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.attempts = opts.attempts ?? 6;
    this.backoff = opts.backoff ?? DEFAULT_MAIL_BACKOFF;
  }

  private log(level: 'info' | 'warn' | 'error', text: string) {
    this.opts.logger?.log(level, text);
  }

  /** One pass over a run's delivery; passes of the same run never overlap. */
  process(runDir: string): Promise<PassResult> {
    const running = this.busy.get(runDir);
    if (running) return running;
    const p = this.pass(runDir).finally(() => this.busy.delete(runDir));
    this.busy.set(runDir, p);
    return p;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.busy.size) await Promise.allSettled([...this.busy.values()]);
  }

  private async pass(runDir: string): Promise<PassResult> {
    if (!existsSync(runDir)) return { record: null, nextAt: null, done: true };
    const lock = this.opts.lock ? await this.opts.lock(runDir) : tryLock(join(runDir, 'delivery.lock'));
    if ('heldBy' in lock) return { record: readRecord(runDir), nextAt: this.clock() + 1000, done: false, busy: lock.heldBy };
    try {
      const r = readRecord(runDir);
      if (!r) return { record: null, nextAt: null, done: true };
      const now = () => new Date(this.clock());
      // We hold the lock: an entry left in `sending` was cut off by a crash; it may have arrived.
      let changed = false;
      for (const e of r.entries) {
        if (e.state === 'sending') {
          e.attempts.push({ at: now().toISOString(), outcome: 'interrupted', code: null, reply: 'the process stopped while sending' });
          e.state = 'unknown';
          e.not_before = null;
          e.final = e.attempts.length >= this.attempts;
          changed = true;
          this.log('warn', `mail-unknown run=${r.run} to=${e.recipient} message_id=${e.message_id} reason="interrupted while sending"`);
        }
      }
      if (changed) writeRecord(runDir, r, now());
      let transport: ReturnType<TransportFactory> | null = null;
      try {
        for (let round = 0; round < 2; round++) {
          for (const e of r.entries) {
            if (e.final || (e.not_before && Date.parse(e.not_before) > this.clock())) continue;
            transport ??= this.opts.transport();
            await this.attempt(runDir, r, e, transport);
          }
          // Every report copy is final and some did not arrive: tell the owner, once.
          if (!this.alertIfUndelivered(runDir, r)) break;
        }
      } finally {
        transport?.close();
      }
      const waiting = r.entries.filter((e) => !e.final).map((e) => (e.not_before ? Date.parse(e.not_before) : this.clock()));
      return { record: r, nextAt: waiting.length ? Math.min(...waiting) : null, done: isDone(r) };
    } finally {
      await lock.release();
    }
  }

  private mailOf(runDir: string, r: DeliveryRecord, e: OutboxEntry): OutgoingMail {
    const m = r.messages[e.message]!;
    return {
      from: this.opts.from,
      to: m.to,
      cc: m.cc,
      envelopeTo: e.recipient,
      subject: m.subject,
      html: m.html,
      text: m.text,
      messageId: e.message_id,
      date: new Date(Date.parse(r.created_at)),
      headers: { 'X-Quire-Run': r.run, 'X-Quire-Delivery': e.message },
      attachments: mailAttachments(runDir, m),
    };
  }

  private async attempt(runDir: string, r: DeliveryRecord, e: OutboxEntry, transport: ReturnType<TransportFactory>): Promise<void> {
    const n = e.attempts.length + 1;
    e.state = 'sending';
    writeRecord(runDir, r, new Date(this.clock()));
    const at = new Date(this.clock()).toISOString();
    const fields = `run=${r.run} to=${e.recipient} message_id=${e.message_id} attempt=${n}`;
    try {
      const reply = await transport.send(this.mailOf(runDir, r, e));
      e.attempts.push({ at, outcome: 'sent', code: Number.parseInt(reply, 10) || 250, reply });
      e.state = 'sent';
      e.final = true;
      e.sent_at = new Date(this.clock()).toISOString();
      e.not_before = null;
      e.error = null;
      this.log('info', `mail-sent ${fields} reply="${reply}"`);
    } catch (err) {
      const c = classifySmtpError(err);
      e.attempts.push({ at, outcome: c.outcome, code: c.code, reply: c.reply });
      e.error = c.reply;
      const spent = n >= this.attempts;
      if (c.outcome === 'permanent' || (c.outcome === 'temporary' && spent)) {
        e.state = 'failed';
        e.final = true;
        e.not_before = null;
        this.log('error', `mail-failed ${fields} reply="${c.reply}"${c.outcome === 'permanent' ? ' (permanent, not retried)' : ' (retries spent)'}`);
      } else {
        e.state = c.outcome === 'unknown' ? 'unknown' : 'pending';
        e.final = spent;
        e.not_before = spent ? null : new Date(this.clock() + backoffDelay(this.backoff, n, this.random)).toISOString();
        this.log(
          'warn',
          `mail-${spent ? 'unknown' : 'retry'} ${fields} outcome=${c.outcome} reply="${c.reply}"${spent ? ' (retries spent; it may or may not have arrived)' : ` next=${e.not_before}`}`,
        );
      }
    }
    writeRecord(runDir, r, new Date(this.clock()));
  }

  /** Adds the owner alert for undelivered copies; true when one was added (to be sent now). */
  private alertIfUndelivered(runDir: string, r: DeliveryRecord): boolean {
    if (!r.owner || r.messages.undelivered) return false;
    const main = r.entries.filter((e) => r.messages[e.message]?.kind === 'report');
    if (!main.length || main.some((e) => !e.final) || main.every((e) => e.state === 'sent')) return false;
    const bad = main.filter((e) => e.state !== 'sent');
    const title = `Report not delivered: ${r.messages[main[0]!.message]!.subject}`;
    const lines = [
      `${bad.length} of ${main.length} copies of the report of run ${r.run} were not delivered:`,
      ...bad.map((e) => `${e.recipient}: ${e.state}${e.error ? ` — ${e.error}` : ''}`),
      `Run folder: ${runDir}`,
    ];
    r.messages.undelivered = { kind: 'alert', subject: `[quire] ${title}`, to: [r.owner], cc: [], html: alertHtml(title, lines), text: `${lines.join('\n')}\n`, attachments: [], omitted: [] };
    addEntries(r, 'undelivered', [r.owner], this.opts.from);
    writeRecord(runDir, r, new Date(this.clock()));
    this.log('warn', `mail-alert run=${r.run} owner=${r.owner} reason="${bad.length} undelivered"`);
    return true;
  }
}
