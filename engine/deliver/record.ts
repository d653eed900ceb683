/**
 * delivery.json: the outbox of one run and the record of what was sent. One entry per
 * (message, recipient), each with a deterministic Message-ID and a state:
 *
 *   pending → sending → sent | failed | unknown
 *
 * `sent` is final and never sent again. `unknown` means the server may have the mail (the
 * connection dropped after the message went out, or the process died while sending): it is
 * retried with the same Message-ID, so a receiver can drop the duplicate, until the budget is
 * spent, and then stays `unknown` (final). The file is rewritten atomically on every change.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.js';

export const DELIVERY_FILE = 'delivery.json';

export type EntryState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface Attempt {
  at: string;
  /** sent; temporary (4xx, no connection) and unknown are retried; permanent (5xx) is not. */
  outcome: 'sent' | 'temporary' | 'permanent' | 'unknown' | 'interrupted';
  code: number | null;
  reply: string;
}

export interface AttachmentInfo {
  /** File in the run folder. */
  file: string;
  filename: string;
  size: number;
  sha256: string;
}

/** A picture the HTML body shows (`<img src="cid:...">`), attached inline. */
export interface InlineImage extends AttachmentInfo {
  cid: string;
}

export interface MessageSpec {
  kind: 'report' | 'alert' | 'manual';
  subject: string;
  to: string[];
  cc: string[];
  html: string;
  text: string;
  attachments: AttachmentInfo[];
  /** Pictures in the body (the chart); absent in records written before there were any. */
  inline?: InlineImage[];
  /** Exports left out (over the size limit), with why. */
  omitted: (AttachmentInfo & { reason: string })[];
}

export interface OutboxEntry {
  /** `<message key>:<recipient>`. */
  id: string;
  message: string;
  recipient: string;
  message_id: string;
  state: EntryState;
  /** No more attempts (sent, failed, or unknown with the budget spent). */
  final: boolean;
  attempts: Attempt[];
  not_before: string | null;
  sent_at: string | null;
  error: string | null;
  /** Attempts of earlier sends (`quire send` run again after a failure), kept for the record. */
  earlier_attempts?: Attempt[];
}

export interface GateResult {
  condition: string;
  passed: boolean;
  /** What the condition rendered to. */
  output: string;
  error: string | null;
}

export type DeliveryStatus = 'pending' | 'sent' | 'partial' | 'failed' | 'held';

export interface DeliveryRecord {
  version: 1;
  run: string;
  notebook: string;
  schedule: string | null;
  created_at: string;
  updated_at: string;
  status: DeliveryStatus;
  /** Why the report was not sent at all (a gate, a failed or empty export, a failed run). */
  held: { reason: string; gate: string | null } | null;
  gates: GateResult[];
  owner: string | null;
  messages: Record<string, MessageSpec>;
  entries: OutboxEntry[];
}

export function deliveryPath(runDir: string): string {
  return join(runDir, DELIVERY_FILE);
}

export function readRecord(runDir: string): DeliveryRecord | null {
  const path = deliveryPath(runDir);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as DeliveryRecord;
  return parsed?.version === 1 && Array.isArray(parsed.entries) ? parsed : null;
}

function statusOf(r: DeliveryRecord): DeliveryStatus {
  const main = r.entries.filter((e) => r.messages[e.message]?.kind !== 'alert');
  if (r.held && !main.length) return 'held';
  if (main.some((e) => !e.final)) return 'pending';
  const sent = main.filter((e) => e.state === 'sent').length;
  return sent === main.length ? 'sent' : sent === 0 ? 'failed' : 'partial';
}

export function writeRecord(runDir: string, r: DeliveryRecord, now: Date): void {
  r.updated_at = now.toISOString();
  r.status = statusOf(r);
  writeJsonAtomic(deliveryPath(runDir), r);
}

/** True when every entry is final. */
export function isDone(r: DeliveryRecord): boolean {
  return r.entries.every((e) => e.final);
}

/** `<run.kind.hash@domain>`: the same for the same run, message and recipient, on every attempt. */
export function messageIdFor(runId: string, messageKey: string, recipient: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'quire.local';
  const h = createHash('sha256').update(recipient.trim().toLowerCase()).digest('hex').slice(0, 12);
  return `<${runId}.${messageKey}.${h}@${domain}>`;
}

/** Adds an entry per recipient unless one exists for that message and recipient. */
export function addEntries(r: DeliveryRecord, messageKey: string, recipients: string[], from: string): OutboxEntry[] {
  const added: OutboxEntry[] = [];
  for (const recipient of recipients) {
    const id = `${messageKey}:${recipient}`;
    if (r.entries.some((e) => e.id === id)) continue;
    const entry: OutboxEntry = {
      id,
      message: messageKey,
      recipient,
      message_id: messageIdFor(r.run, messageKey, recipient, from),
      state: 'pending',
      final: false,
      attempts: [],
      not_before: null,
      sent_at: null,
      error: null,
    };
    r.entries.push(entry);
    added.push(entry);
  }
  return added;
}
