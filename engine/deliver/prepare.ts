/**
 * Turns a finished run into delivery.json entries: gates first (`send_if`), then the report
 * message (or the reason it is held), one entry per recipient. Idempotent: entries that exist
 * are kept as they are, so preparing again after a crash never re-sends a sent mail.
 */
import { createHash } from 'node:crypto';
import type { RunManifest } from '../runs/runs.js';
import { composeReport } from './compose.js';
import { evaluateGates, gateScope } from './gates.js';
import { alertHtml } from './html.js';
import { addEntries, readRecord, writeRecord, type DeliveryRecord } from './record.js';

export interface ScheduleEmail {
  to: string[];
  cc?: string[];
  subject?: string;
  attach?: string[];
  owner?: string;
  send_if?: string[];
}

export interface PrepareOptions {
  from: string;
  now: Date;
  schedule: string | null;
  maxAttachmentBytes?: number;
  /** quire.yaml `report_url` (see composeReport). */
  reportUrl?: string;
}

function freshRecord(manifest: RunManifest, opts: PrepareOptions, owner: string | null): DeliveryRecord {
  const at = opts.now.toISOString();
  return {
    version: 1,
    run: manifest.id,
    notebook: manifest.notebook.id,
    schedule: opts.schedule,
    created_at: at,
    updated_at: at,
    status: 'pending',
    held: null,
    gates: [],
    owner,
    messages: {},
    entries: [],
  };
}

function heldAlert(r: DeliveryRecord, manifest: RunManifest, runDir: string, reason: string, gate: string | null, from: string): void {
  r.held = { reason, gate };
  if (!r.owner || r.messages.held) return;
  const title = `Report held: ${manifest.title}`;
  const lines = [
    gate ? `The gate "${gate}" held the report of run ${manifest.id}: ${reason}.` : `The report of run ${manifest.id} was not sent: ${reason}.`,
    ...(manifest.trigger.scheduled_for ? [`Scheduled for ${manifest.trigger.scheduled_for}${r.schedule ? ` (schedule ${r.schedule})` : ''}.`] : []),
    `Run folder: ${runDir}`,
  ];
  r.messages.held = { kind: 'alert', subject: `[quire] ${title}`, to: [r.owner], cc: [], html: alertHtml(title, lines), text: `${lines.join('\n')}\n`, attachments: [], omitted: [] };
  addEntries(r, 'held', [r.owner], from);
}

/** Entries for a scheduled run's report (or its owner alert). Returns the record written. */
export function prepareScheduled(runDir: string, manifest: RunManifest, email: ScheduleEmail, opts: PrepareOptions): DeliveryRecord {
  const existing = readRecord(runDir);
  if (existing) return existing;
  const r = freshRecord(manifest, opts, email.owner ?? null);
  const attach = email.attach ?? [];
  if (manifest.status === 'succeeded' && email.send_if?.length) {
    r.gates = evaluateGates(email.send_if, gateScope(runDir, manifest));
  }
  const closed = r.gates.find((g) => !g.passed);
  if (closed) {
    heldAlert(r, manifest, runDir, closed.error ? `it could not be evaluated (${closed.error})` : `it rendered "${closed.output}"`, closed.condition, opts.from);
  } else {
    const composed = composeReport(runDir, manifest, {
      kind: 'report',
      to: email.to,
      cc: email.cc,
      subject: email.subject,
      attach,
      maxAttachmentBytes: opts.maxAttachmentBytes,
      reportUrl: opts.reportUrl,
    });
    if ('held' in composed) heldAlert(r, manifest, runDir, composed.held, null, opts.from);
    else {
      r.messages.report = composed.message;
      addEntries(r, 'report', [...email.to, ...(email.cc ?? [])], opts.from);
    }
  }
  writeRecord(runDir, r, opts.now);
  return r;
}

export interface ManualOptions extends PrepareOptions {
  to: string[];
  cc?: string[];
  subject?: string;
  attach: string[];
}

/**
 * Entries for `quire send`: the message key depends on what is sent, so the same command run
 * again finds its entries (a sent one is reported, not sent again; a failed one is tried again).
 */
export function prepareManual(runDir: string, manifest: RunManifest, opts: ManualOptions): { record: DeliveryRecord; key: string } | { held: string } {
  const composed = composeReport(runDir, manifest, {
    kind: 'manual',
    to: opts.to,
    cc: opts.cc,
    subject: opts.subject,
    attach: opts.attach,
    maxAttachmentBytes: opts.maxAttachmentBytes,
    reportUrl: opts.reportUrl,
  });
  if ('held' in composed) return { held: composed.held };
  const key = `manual-${createHash('sha256')
    .update(JSON.stringify([opts.attach, composed.message.subject, opts.to, opts.cc ?? []]))
    .digest('hex')
    .slice(0, 8)}`;
  const r = readRecord(runDir) ?? freshRecord(manifest, opts, null);
  r.messages[key] ??= composed.message;
  addEntries(r, key, [...opts.to, ...(opts.cc ?? [])], opts.from);
  for (const e of r.entries) {
    if (e.message === key && e.final && e.state !== 'sent') {
      e.final = false;
      e.state = e.state === 'unknown' ? 'unknown' : 'pending';
      e.not_before = null;
      e.earlier_attempts = [...(e.earlier_attempts ?? []), ...e.attempts];
      e.attempts = [];
    }
  }
  writeRecord(runDir, r, opts.now);
  return { record: r, key };
}
