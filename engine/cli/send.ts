import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../util/errors.js';
import { loadProject, projectPath } from '../project.js';
import { findRun } from '../runs/runs.js';
import { isAddress } from '../schedule/check.js';
import { composeReport, DEFAULT_MAX_ATTACHMENT_BYTES } from '../deliver/compose.js';
import { Outbox } from '../deliver/outbox.js';
import { prepareManual } from '../deliver/prepare.js';
import { messageIdFor, type DeliveryRecord } from '../deliver/record.js';
import { mailAttachments, renderEml, smtpSettings, smtpTransport } from '../deliver/smtp.js';
import { EXPORT_FORMATS, exporterOf, parseExportFormats } from '../export/index.js';
import { green, red, yellow } from './progress.js';

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

interface SendOpts {
  to: string[];
  cc?: string[];
  attach?: string[];
  subject?: string;
  dryRun?: boolean;
  runsDir?: string;
  maxAttachmentMb?: number;
}

export function register(program: Command): void {
  program
    .command('send')
    .description('email the report of an existing run (through the outbox: a copy already sent is not sent again)')
    .argument('<run-id>', 'run id (or a unique prefix)')
    .requiredOption('--to <addresses>', 'recipients, comma-separated (repeatable)', list)
    .option('--cc <addresses>', 'copies, comma-separated (repeatable)', list)
    .option('--attach <formats>', `exports to attach, comma-separated: ${EXPORT_FORMATS.join(', ')} (default: the run's pdf and xlsx, else its html)`, (v: string, prev: string[] = []) => [
      ...new Set([...prev, ...parseExportFormats(v, '--attach')]),
    ])
    .option('--subject <text>', 'subject (Liquid over params and run; default: the report title)')
    .option('--max-attachment-mb <mb>', 'attachments past this total are left out (the mail says so)', (v) => Number(v))
    .option('--dry-run', 'write the message as .eml files into the run folder instead of sending')
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .action(async (runId: string, opts: SendOpts) => {
      const project = loadProject(process.cwd());
      const runsDir = opts.runsDir ? resolve(opts.runsDir) : projectPath(project, project.config.runs_dir);
      const { dir, manifest } = findRun(runsDir, runId);
      for (const a of [...opts.to, ...(opts.cc ?? [])]) {
        if (!isAddress(a)) throw new UserError('E_EMAIL_ADDRESS', `'${a}' is not an email address`, { hint: 'write name@example.com' });
      }
      const made = Object.keys(manifest.exports);
      const preferred = made.filter((f) => exporterOf(f)?.attachByDefault);
      const attach = opts.attach ?? (preferred.length ? preferred : made);
      const maxAttachmentBytes = opts.maxAttachmentMb === undefined ? DEFAULT_MAX_ATTACHMENT_BYTES : Math.round(opts.maxAttachmentMb * 1024 * 1024);
      const from = process.env.QUIRE_SMTP_FROM || project.config.smtp?.from || 'quire@localhost';

      if (opts.dryRun) {
        const composed = composeReport(dir, manifest, { kind: 'manual', to: opts.to, cc: opts.cc, subject: opts.subject, attach, maxAttachmentBytes, reportUrl: project.config.report_url });
        if ('held' in composed) throw new UserError('E_SEND_HELD', `not sending: ${composed.held}`, { hint: 'only a run that succeeded with every attached export written is mailed' });
        const m = composed.message;
        for (const recipient of [...opts.to, ...(opts.cc ?? [])]) {
          const eml = await renderEml({
            from,
            to: m.to,
            cc: m.cc,
            envelopeTo: recipient,
            subject: m.subject,
            html: m.html,
            text: m.text,
            messageId: messageIdFor(manifest.id, 'dry-run', recipient, from),
            date: new Date(),
            headers: { 'X-Quire-Run': manifest.id },
            attachments: mailAttachments(dir, m),
          });
          const file = join(dir, `email-${recipient.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`);
          writeFileSync(file, eml);
          process.stdout.write(`${green('wrote')} ${show(file)}\n`);
        }
        for (const o of m.omitted) process.stdout.write(`${yellow('note')} ${o.reason}\n`);
        return;
      }

      const smtp = smtpSettings(project.config);
      const prepared = prepareManual(dir, manifest, {
        to: opts.to,
        cc: opts.cc,
        subject: opts.subject,
        attach,
        maxAttachmentBytes,
        reportUrl: project.config.report_url,
        from: smtp.from,
        now: new Date(),
        schedule: null,
      });
      if ('held' in prepared) throw new UserError('E_SEND_HELD', `not sending: ${prepared.held}`, { hint: 'only a run that succeeded with every attached export written is mailed' });
      const outbox = new Outbox({ from: smtp.from, transport: smtpTransport(smtp.url), logger: { log: (level, msg) => process.stderr.write(`${level === 'info' ? '' : `${level}: `}${msg}\n`) } });
      const mine = (r: DeliveryRecord) => r.entries.filter((e) => e.message === prepared.key);
      for (const e of mine(prepared.record)) if (e.state === 'sent') process.stdout.write(`already sent to ${e.recipient} at ${e.sent_at} (${e.message_id})\n`);
      for (;;) {
        const res = await outbox.process(dir);
        const entries = res.record ? mine(res.record) : [];
        if (entries.every((e) => e.final)) {
          let bad = 0;
          for (const e of entries) {
            if (e.state === 'sent') process.stdout.write(`${green('sent')} ${e.recipient} ${e.message_id}\n`);
            else {
              bad++;
              process.stdout.write(`${red(e.state)} ${e.recipient}: ${e.error ?? ''}\n`);
            }
          }
          process.exitCode = bad ? 1 : 0;
          return;
        }
        const waits = entries.filter((e) => !e.final && e.not_before).map((e) => Date.parse(e.not_before!));
        await sleep(Math.max(100, (waits.length ? Math.min(...waits) : Date.now() + 1000) - Date.now()));
      }
    });
}
