/**
 * SMTP through nodemailer: where to send (quire.yaml `smtp:`, or QUIRE_SMTP_URL /
 * QUIRE_SMTP_FROM, which win), one connection per delivery pass, and what a failure means.
 */
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { ProjectConfig } from '../project.js';
import { UserError } from '../util/errors.js';

export interface SmtpSettings {
  url: string;
  from: string;
}

export interface OutgoingMail {
  from: string;
  to: string[];
  cc: string[];
  /** The one recipient this copy goes to (the SMTP envelope). */
  envelopeTo: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  /** Files attached; one with a `cid` is shown in the HTML body (`<img src="cid:...">`). */
  attachments: { filename: string; path: string; cid?: string }[];
}

/** The attachments of message `m` of the run in `runDir`: its exports, then its inline pictures. */
export function mailAttachments(runDir: string, m: { attachments: { filename: string; file: string }[]; inline?: { filename: string; file: string; cid: string }[] }): OutgoingMail['attachments'] {
  return [...m.attachments.map((a) => ({ filename: a.filename, path: join(runDir, a.file) })), ...(m.inline ?? []).map((a) => ({ filename: a.filename, path: join(runDir, a.file), cid: a.cid }))];
}

export interface MailTransport {
  /** Resolves with the server's reply to the message (e.g. "250 OK queued"). */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

export type TransportFactory = () => MailTransport;

export function smtpSettings(config: Pick<ProjectConfig, 'smtp'>, env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  const url = env.QUIRE_SMTP_URL || config.smtp?.url;
  const from = env.QUIRE_SMTP_FROM || config.smtp?.from;
  if (!url) {
    throw new UserError('E_SMTP_CONFIG', 'no SMTP server configured', {
      hint: 'add `smtp: { url: smtp://host:587, from: reports@example.com }` to quire.yaml, or set QUIRE_SMTP_URL',
    });
  }
  return { url, from: from || 'quire@localhost' };
}

function toNodemailer(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    cc: mail.cc.length ? mail.cc : undefined,
    envelope: { from: mail.from, to: [mail.envelopeTo] },
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    date: mail.date,
    headers: mail.headers,
    attachments: mail.attachments,
  };
}

export function smtpTransport(url: string): TransportFactory {
  return () => {
    const t = nodemailer.createTransport(url, { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as never);
    return {
      async send(mail) {
        const info = await t.sendMail(toNodemailer(mail));
        return String(info.response ?? '');
      },
      close: () => t.close(),
    };
  };
}

/** The raw RFC 5322 message, as `--dry-run` writes it. */
export async function renderEml(mail: OutgoingMail): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await t.sendMail(toNodemailer(mail));
  return info.message as Buffer;
}

export interface Classified {
  outcome: 'temporary' | 'permanent' | 'unknown';
  code: number | null;
  reply: string;
}

/**
 * 5xx → permanent (not retried). 4xx, and no connection at all → temporary (retried). A
 * connection that broke after it was open → unknown: the server may have accepted the message.
 */
export function classifySmtpError(err: unknown): Classified {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const reply = String(e.response ?? e.message ?? err);
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code !== null && code >= 500) return { outcome: 'permanent', code, reply };
  if (code !== null && code >= 400) return { outcome: 'temporary', code, reply };
  const msg = String(e.message ?? '');
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(msg) || e.code === 'EDNS') return { outcome: 'temporary', code, reply };
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE') return { outcome: 'permanent', code, reply };
  return { outcome: 'unknown', code, reply };
}
