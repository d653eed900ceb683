/**
 * The report email's body: email-safe HTML (tables for layout, every style inline, no scripts,
 * no external resources) and a plain-text twin.
 */
import type { RunSummary } from './summary.js';
import { changeTone } from '../outputs.js';

export interface EmailContent {
  title: string;
  status: string;
  runId: string;
  /** The full report on the web (quire.yaml `report_url`), or null: the mail names no local path. */
  reportUrl: string | null;
  /** Content-ID of the chart picture attached inline, when there is one. */
  chartCid: string | null;
  scheduledFor: string | null;
  startedAt: string;
  params: Record<string, unknown>;
  summary: RunSummary;
  /** Lines shown in a notice box (attachments left out, ...). */
  notes: string[];
  attachments: string[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** As on the report's KPI cards: the arrow follows the change, the colour its polarity. */
const ARROWS = { up: '▲', down: '▼', flat: '●' } as const;

const FONT = 'font-family:Helvetica,Arial,sans-serif;';
const MUTED = 'color:#5f6b7a;';

function paramText(v: unknown): string {
  return Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v);
}

function shownParams(params: Record<string, unknown>): [string, string][] {
  return Object.entries(params)
    .filter(([k]) => !/_(start|end)$/.test(k) || !(k.replace(/_(start|end)$/, '') in params))
    .map(([k, v]) => [k, paramText(v)]);
}

export function emailHtml(c: EmailContent): string {
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(c.title)}</title></head>`);
  parts.push(`<body style="margin:0;padding:0;background:#f4f6f8;">`);
  parts.push(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f6f8;"><tr><td align="center" style="padding:24px 12px;">`);
  parts.push(
    `<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="max-width:640px;width:100%;background:#ffffff;border:1px solid #dde3ea;border-radius:6px;${FONT}color:#1f2933;">`,
  );
  parts.push(`<tr><td style="padding:24px 24px 8px 24px;"><h1 style="margin:0 0 4px 0;font-size:22px;line-height:28px;${FONT}color:#1f2933;">${esc(c.title)}</h1>`);
  const when = c.scheduledFor ? `scheduled for ${esc(c.scheduledFor)}` : `run at ${esc(c.startedAt)}`;
  parts.push(`<p style="margin:0;font-size:13px;${MUTED}">Run ${esc(c.runId)} · ${esc(c.status)} · ${when}</p></td></tr>`);
  for (const para of c.summary.headline) parts.push(`<tr><td style="padding:8px 24px 0 24px;font-size:15px;line-height:22px;${FONT}color:#1f2933;">${esc(para)}</td></tr>`);
  const params = shownParams(c.params);
  if (params.length) {
    parts.push(`<tr><td style="padding:8px 24px;"><table role="presentation" cellpadding="0" cellspacing="0" style="font-size:13px;${FONT}">`);
    for (const [k, v] of params) parts.push(`<tr><td style="padding:2px 12px 2px 0;${MUTED}">${esc(k)}</td><td style="padding:2px 0;font-weight:bold;">${esc(v)}</td></tr>`);
    parts.push(`</table></td></tr>`);
  }
  if (c.notes.length) {
    parts.push(
      `<tr><td style="padding:8px 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#fff8e6;border:1px solid #f0c36d;border-radius:4px;"><tr><td style="padding:10px 12px;font-size:13px;${FONT}color:#6b4e00;">`,
    );
    parts.push(c.notes.map((n) => esc(n)).join('<br>'));
    parts.push(`</td></tr></table></td></tr>`);
  }
  const kpis = c.summary.kpis;
  if (kpis.length) {
    parts.push(`<tr><td style="padding:12px 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>`);
    kpis.forEach((k, i) => {
      if (i && i % 4 === 0) parts.push('</tr><tr>');
      const tone = changeTone(k.direction, k.good);
      const colour = tone === 'good' ? '#1a7f37' : tone === 'bad' ? '#c62828' : '#5f6b7a';
      parts.push(`<td valign="top" style="padding:8px;border:1px solid #e3e8ee;border-radius:4px;width:25%;${FONT}">`);
      parts.push(`<div style="font-size:12px;${MUTED}">${esc(k.label)}</div><div style="font-size:20px;font-weight:bold;line-height:26px;">${esc(k.text)}</div>`);
      if (k.change) parts.push(`<div style="font-size:12px;color:${colour};">${k.direction ? `${ARROWS[k.direction]} ` : ''}${esc(k.change)}</div>`);
      parts.push(`</td>`);
    });
    parts.push(`</tr></table></td></tr>`);
  }
  const chart = c.summary.chart;
  if (chart && c.chartCid) {
    parts.push(`<tr><td style="padding:12px 24px;"><div style="font-size:14px;font-weight:bold;margin:0 0 6px 0;${FONT}">${esc(chart.title)}</div>`);
    parts.push(`<img src="cid:${esc(c.chartCid)}" alt="${esc(chart.title)}" width="592" style="display:block;width:100%;max-width:592px;height:auto;border:0;"></td></tr>`);
  }
  if (c.reportUrl) {
    parts.push(
      `<tr><td style="padding:12px 24px;"><a href="${esc(c.reportUrl)}" style="display:inline-block;padding:10px 18px;background:#3056d3;color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;font-weight:bold;${FONT}">Open the full report</a></td></tr>`,
    );
  }
  if (c.attachments.length) {
    parts.push(`<tr><td style="padding:8px 24px;font-size:13px;${FONT}">Attached: ${c.attachments.map(esc).join(', ')}</td></tr>`);
  }
  parts.push(`<tr><td style="padding:12px 24px 24px 24px;font-size:12px;${FONT}${MUTED}">`);
  parts.push(`Run ${esc(c.runId)}${c.summary.dataAsOf ? `<br>Data as of ${esc(c.summary.dataAsOf)}` : ''}<br>Sent by quire.`);
  parts.push(`</td></tr></table></td></tr></table></body></html>`);
  return parts.join('\n');
}

export function emailText(c: EmailContent): string {
  const lines = [c.title, `Run ${c.runId} · ${c.status} · ${c.scheduledFor ? `scheduled for ${c.scheduledFor}` : `run at ${c.startedAt}`}`, ''];
  if (c.summary.headline.length) lines.push(...c.summary.headline, '');
  for (const [k, v] of shownParams(c.params)) lines.push(`${k}: ${v}`);
  if (c.notes.length) lines.push('', ...c.notes.map((n) => `! ${n}`));
  if (c.summary.kpis.length) {
    lines.push('');
    for (const k of c.summary.kpis) lines.push(`${k.label}: ${k.text}${k.change ? ` (${k.direction ? `${ARROWS[k.direction]} ` : ''}${k.change})` : ''}`);
  }
  if (c.summary.chart) lines.push('', `${c.summary.chart.title}: see the chart in the HTML version of this mail.`);
  if (c.attachments.length) lines.push('', `Attached: ${c.attachments.join(', ')}`);
  if (c.reportUrl) lines.push('', `Full report: ${c.reportUrl}`);
  return `${lines.join('\n')}\n`;
}

/** A short alert for the owner: why a report was held or not delivered. */
export function alertHtml(title: string, lines: string[]): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="margin:0;padding:16px;background:#ffffff;">` +
    `<div style="${FONT}font-size:14px;color:#1f2933;"><p style="margin:0 0 8px 0;font-weight:bold;">${esc(title)}</p>` +
    lines.map((l) => `<p style="margin:0 0 6px 0;">${esc(l)}</p>`).join('') +
    `</div></body></html>`
  );
}
