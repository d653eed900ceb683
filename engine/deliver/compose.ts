/**
 * Builds the report message of a run: subject, body, attachments. Fails closed: a run that did
 * not succeed, or an attachment that was not written or is empty, gives a reason to hold the
 * mail instead of a message. Attachments past the size limit are left out and the mail says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { plainLiquid } from '../text/liquid.js';
import type { RunManifest } from '../runs/runs.js';
import { emailHtml, emailText } from './html.js';
import type { AttachmentInfo, MessageSpec } from './record.js';
import { summarizeRun } from './summary.js';
import { writeChartImage } from './chart-image.js';

export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface ComposeOptions {
  kind: 'report' | 'manual';
  to: string[];
  cc?: string[];
  subject?: string;
  /** Export formats to attach (html, pdf, xlsx). */
  attach: string[];
  maxAttachmentBytes?: number;
  /** quire.yaml `report_url`: where the full report of a run is read, `{run_id}` and `{notebook}` filled in. */
  reportUrl?: string;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function renderSubject(template: string | undefined, manifest: RunManifest): string {
  if (!template) return manifest.title;
  try {
    const scope = { params: manifest.params, run: { id: manifest.id, status: manifest.status, scheduled_for: manifest.trigger.scheduled_for }, title: manifest.title };
    return plainLiquid().parseAndRenderSync(template, scope).replace(/\s+/g, ' ').trim() || manifest.title;
  } catch {
    return manifest.title;
  }
}

/** The link to a run's report: `{run_id}` and `{notebook}` of the template filled in, URL-encoded. */
export function reportLink(template: string | undefined, manifest: RunManifest): string | null {
  if (!template) return null;
  return template.replace(/\{(run_id|notebook)\}/g, (_, k: string) => encodeURIComponent(k === 'run_id' ? manifest.id : manifest.notebook.id));
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Why this run must not be mailed as a complete report, or null. */
export function holdReason(runDir: string, manifest: RunManifest, attach: string[]): string | null {
  if (manifest.status !== 'succeeded') {
    const failed = manifest.cells.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.error?.message ?? 'failed'}`);
    return `run ${manifest.id} ${manifest.status === 'running' ? 'did not finish' : `is ${manifest.status}`}${manifest.error ? `: ${manifest.error}` : failed.length ? `: ${failed.join('; ')}` : ''}`;
  }
  for (const format of attach) {
    const file = manifest.exports[format];
    if (!file) return `the ${format} export of run ${manifest.id} was not written${manifest.error ? ` (${manifest.error})` : ''}`;
    let size: number;
    try {
      size = statSync(join(runDir, file)).size;
    } catch {
      return `${file} of run ${manifest.id} is missing from ${runDir}`;
    }
    if (size === 0) return `${file} of run ${manifest.id} is empty`;
  }
  return null;
}

/** The message, or why it is held. */
export function composeReport(runDir: string, manifest: RunManifest, opts: ComposeOptions): { message: MessageSpec } | { held: string } {
  const held = holdReason(runDir, manifest, opts.attach);
  if (held) return { held };
  const limit = opts.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  const attachments: AttachmentInfo[] = [];
  const omitted: MessageSpec['omitted'] = [];
  let total = 0;
  for (const format of opts.attach) {
    const file = manifest.exports[format]!;
    const path = join(runDir, file);
    const info: AttachmentInfo = { file, filename: file, size: statSync(path).size, sha256: sha256File(path) };
    if (total + info.size > limit) {
      omitted.push({ ...info, reason: `${file} (${mb(info.size)}) was left out: attachments are limited to ${mb(limit)}` });
      continue;
    }
    total += info.size;
    attachments.push(info);
  }
  const reportUrl = reportLink(opts.reportUrl, manifest);
  const notes = omitted.map((o) => `${o.reason}. ${reportUrl ? `It is in the full report at ${reportUrl}` : `It is kept with run ${manifest.id}`}.`);
  const summary = summarizeRun(runDir, manifest);
  const chart = summary.chart ? writeChartImage(runDir, manifest.id, summary.chart.svg) : null;
  const content = {
    title: manifest.title,
    status: manifest.status,
    runId: manifest.id,
    reportUrl,
    chartCid: chart?.cid ?? null,
    scheduledFor: manifest.trigger.scheduled_for,
    startedAt: manifest.started_at,
    params: manifest.params,
    summary,
    notes,
    attachments: attachments.map((a) => a.filename),
  };
  return {
    message: {
      kind: opts.kind,
      subject: renderSubject(opts.subject, manifest),
      to: opts.to,
      cc: opts.cc ?? [],
      html: emailHtml(content),
      text: emailText(content),
      attachments,
      inline: chart ? [chart] : [],
      omitted,
    },
  };
}
