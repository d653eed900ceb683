import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Scheduler } from '../../engine/schedule/scheduler.js';
import { Outbox } from '../../engine/deliver/outbox.js';
import { prepareScheduled, type ScheduleEmail } from '../../engine/deliver/prepare.js';
import { readRecord, type DeliveryRecord } from '../../engine/deliver/record.js';
import { smtpTransport } from '../../engine/deliver/smtp.js';
import { runManifestSchema, type RunManifest } from '../../engine/runs/runs.js';
import { fixtureProject } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

const FROM = 'Quire Reports <reports@quire.test>';
const EMAIL: ScheduleEmail = {
  to: ['finance@example.com', 'ceo@example.com'],
  cc: ['audit@example.com'],
  subject: 'Monthly review {{ params.month }} ({{ params.region }})',
  attach: ['pdf', 'xlsx'],
  owner: 'owner@example.com',
  send_if: ['{{ checks.first.failed == 0 }}', '{{ by_region.row_count > 0 }}'],
};
/** When the tests prepare mail: a fixed time, not the machine's clock. */
const PREPARED_AT = new Date('2026-02-01T06:00:30Z');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let project: string;
/** The scheduled run made in the first test (a Prague 07:00 tick on 2026-02-01). */
let base: { dir: string; manifest: RunManifest };
let copies = 0;

/** A fresh copy of the base run folder, without its delivery record. */
function runCopy(): { dir: string; manifest: RunManifest } {
  const dir = join(mkdtempSync(join(tmpdir(), 'quire-deliver-')), 'nb', `run${copies++}`);
  cpSync(base.dir, dir, { recursive: true, filter: (src) => !/delivery\.json|delivery\.lock/.test(src) });
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) };
}

/** Runs an outbox with a fake clock until every entry is final (jumping to each next attempt). */
async function drain(dir: string, url: string, opts: { attempts?: number } = {}): Promise<DeliveryRecord> {
  let now = Date.parse('2026-02-01T06:05:00Z');
  const outbox = new Outbox({ from: FROM, transport: smtpTransport(url), clock: () => now, random: () => 0.5, attempts: opts.attempts ?? 6, backoff: { baseMs: 1000, maxMs: 60_000 } });
  for (let i = 0; i < 50; i++) {
    const res = await outbox.process(dir);
    if (res.done) return res.record!;
    now = Math.max(now + 1, res.nextAt ?? now + 1000);
  }
  throw new Error('outbox did not finish');
}

beforeAll(() => {
  process.env.QUIRE_SMTP_URL ??= 'smtp://127.0.0.1:1';
  project = fixtureProject('deliver');
});

describe('email delivery over a real SMTP server', () => {
  it("a scheduled run mails its report: recipients, subject, body, and the run's own PDF (sha256)", async () => {
    const sink = await new SmtpSink().start();
    let now = Date.parse('2026-02-01T05:59:59Z');
    const lines: string[] = [];
    const scheduler = new Scheduler({
      root: project,
      runsDir: join(project, 'runs'),
      projectTimezone: 'Europe/Prague',
      clock: () => now,
      logger: { log: (level, m) => lines.push(`${level} ${m}`) },
      rescanMs: 0,
      mail: { from: FROM, transport: smtpTransport(sink.url), reportUrl: 'https://reports.example.com/runs/{run_id}' },
    });
    scheduler.start();
    await scheduler.step();
    expect(scheduler.state.schedules['monthly.yaml#monthly']!.next_due).toBe('2026-02-01T06:00:00.000Z'); // 07:00 in Prague
    now = Date.parse('2026-02-01T06:00:00.300Z');
    await scheduler.step();
    await scheduler.settle();
    await scheduler.step();
    await scheduler.settle();
    await scheduler.stop('test', 0);
    await sink.close();

    const runs = readdirSync(join(project, 'runs', 'monthly')).filter((d) => !d.startsWith('.'));
    expect(runs).toHaveLength(1);
    const dir = join(project, 'runs', 'monthly', runs[0]!);
    const manifest = runManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
    base = { dir, manifest };
    expect(manifest.status).toBe('succeeded');
    expect(manifest.trigger).toMatchObject({ kind: 'schedule', schedule: 'monthly', scheduled_for: '2026-02-01T06:00:00.000Z' });
    expect(manifest.params.month).toBe('2026-01'); // previous_month at the scheduled time, in Prague
    expect(manifest.exports).toMatchObject({ pdf: 'report.pdf', xlsx: 'report.xlsx' });

    expect(sink.received).toHaveLength(3); // one copy per recipient, cc included
    expect(sink.received.map((r) => r.envelopeTo[0]).sort()).toEqual(['audit@example.com', 'ceo@example.com', 'finance@example.com']);
    const mail = sink.received[0]!.parsed;
    expect(mail.subject).toBe('Monthly review 2026-01 (all)');
    expect((mail.to as { value: { address: string }[] }).value.map((v) => v.address)).toEqual(['finance@example.com', 'ceo@example.com']);
    expect((mail.cc as { value: { address: string }[] }).value.map((v) => v.address)).toEqual(['audit@example.com']);
    expect(mail.from!.value[0]!.address).toBe('reports@quire.test');
    const html = String(mail.html);
    expect(html).toContain('Monthly review 2026-01');
    expect(html).toContain('Revenue by region');
    expect(html).toMatch(/revenue/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/<link/i);
    expect(mail.text).toContain('month: 2026-01');
    // The body: the headline text, the KPI cards, the chart inline, a link; no local path.
    expect(html).toMatch(/In 2026-01 we took \d+ regions(&#39;|')+ orders; the largest was \w+\./);
    expect(mail.text).toMatch(/In 2026-01 we took \d+ regions' orders/);
    expect(html).not.toContain('Internal draft note'); // a hidden text cell is not the headline
    expect(html).toContain('Order count');
    expect(html).toMatch(/>\$[\d,]+<\/div>/); // revenue formatted as the report formats it
    expect(html).toMatch(/color:#(1a7f37|c62828);">[▲▼] [+-][\d.]+%/); // the change against last month, coloured by polarity
    const link = `https://reports.example.com/runs/${encodeURIComponent(manifest.id)}`;
    expect(html).toContain(`href="${link}"`);
    expect(mail.text).toContain(`Full report: ${link}`);
    for (const body of [html, String(mail.text)]) {
      expect(body).not.toContain(project);
      expect(body).not.toContain(dir);
      expect(body).not.toMatch(/Run folder/);
    }
    const chart = mail.attachments.find((a) => a.contentType === 'image/png')!;
    expect(chart.contentDisposition).toBe('inline');
    expect(sink.received[0]!.raw.toString()).toContain(`src=3D"cid:${chart.cid}"`); // the body as sent (quoted-printable)
    expect(html).toContain(`src="data:image/png;base64,${chart.content.toString('base64')}"`); // mailparser resolved the cid
    expect(chart.content.subarray(1, 4).toString()).toBe('PNG');
    expect(chart.content.length).toBeGreaterThan(5000);
    expect(mail.attachments.filter((a) => a.contentDisposition !== 'inline').map((a) => a.filename)).toEqual(['report.pdf', 'report.xlsx']);
    const pdf = mail.attachments.find((a) => a.filename === 'report.pdf')!;
    expect(sha(pdf.content)).toBe(sha(readFileSync(join(dir, 'report.pdf'))));
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    const xlsx = mail.attachments.find((a) => a.filename === 'report.xlsx')!;
    expect(sha(xlsx.content)).toBe(sha(readFileSync(join(dir, 'report.xlsx'))));

    const record = readRecord(dir)!;
    expect(record.status).toBe('sent');
    expect(record.gates.map((g) => g.passed)).toEqual([true, true]);
    expect(record.entries.map((e) => e.state)).toEqual(['sent', 'sent', 'sent']);
    expect(new Set(record.entries.map((e) => e.message_id)).size).toBe(3);
    expect(sink.received.map((r) => r.parsed.messageId).sort()).toEqual(record.entries.map((e) => e.message_id).sort());
    expect(record.messages.report!.attachments.map((a) => [a.filename, a.size, a.sha256])).toEqual([
      ['report.pdf', pdf.content.length, sha(pdf.content)],
      ['report.xlsx', xlsx.content.length, sha(xlsx.content)],
    ]);
    expect(record.entries[0]!.attempts[0]).toMatchObject({ outcome: 'sent', code: 250 });
    expect(lines.some((l) => /mail-sent .*to=finance@example.com/.test(l))).toBe(true);
  });

  it('451 three times: delivered on attempt 4, same Message-ID each time', async () => {
    const sink = await new SmtpSink({ onMessage: (_r, n) => (n < 3 ? { code: 451, message: 'try again later' } : 'ok') }).start();
    const { dir, manifest } = runCopy();
    prepareScheduled(dir, manifest, { ...EMAIL, to: ['finance@example.com'], cc: [] }, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    const record = await drain(dir, sink.url);
    await sink.close();
    const [entry] = record.entries;
    expect(entry!.state).toBe('sent');
    expect(entry!.attempts.map((a) => [a.outcome, a.code])).toEqual([
      ['temporary', 451],
      ['temporary', 451],
      ['temporary', 451],
      ['sent', 250],
    ]);
    expect(sink.bodies.map((b) => b.messageId)).toEqual(Array(4).fill(entry!.message_id));
    expect(sink.received).toHaveLength(1);
  });

  it('550 for one recipient: one attempt for that one, the others delivered, the owner told', async () => {
    const sink = await new SmtpSink({ refuse: { 'ceo@example.com': 550 } }).start();
    const { dir, manifest } = runCopy();
    prepareScheduled(dir, manifest, EMAIL, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    const record = await drain(dir, sink.url);
    await sink.close();
    const by = Object.fromEntries(record.entries.map((e) => [e.recipient, e]));
    expect(by['ceo@example.com']!.state).toBe('failed');
    expect(by['ceo@example.com']!.attempts).toHaveLength(1);
    expect(by['ceo@example.com']!.attempts[0]).toMatchObject({ outcome: 'permanent', code: 550 });
    expect(sink.rcptRefusals).toEqual(['ceo@example.com']);
    expect(by['finance@example.com']!.state).toBe('sent');
    expect(by['audit@example.com']!.state).toBe('sent');
    expect(record.status).toBe('partial');
    const alert = sink.received.find((r) => r.envelopeTo[0] === 'owner@example.com')!;
    expect(alert.parsed.subject).toMatch(/not delivered/);
    expect(alert.parsed.text).toContain('ceo@example.com: failed');
  });

  it('server down past the retry budget: failed, after exactly the budgeted attempts', async () => {
    const gone = await new SmtpSink().start();
    const url = gone.url;
    await gone.close();
    const { dir, manifest } = runCopy();
    prepareScheduled(dir, manifest, { ...EMAIL, to: ['finance@example.com'], cc: [], owner: undefined, send_if: [] }, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    const record = await drain(dir, url, { attempts: 3 });
    const [entry] = record.entries;
    expect(entry!.state).toBe('failed');
    expect(entry!.attempts.map((a) => a.outcome)).toEqual(['temporary', 'temporary', 'temporary']);
    expect(entry!.error).toMatch(/ECONNREFUSED/);
    expect(record.status).toBe('failed');
  });

  it('connection dropped after the body, before 250: unknown, retried with the same Message-ID; duplicates ≤ drops', async () => {
    const drops = 2;
    const sink = await new SmtpSink({ onMessage: (_r, n) => (n < drops ? 'drop' : 'ok') }).start();
    const { dir, manifest } = runCopy();
    prepareScheduled(dir, manifest, { ...EMAIL, to: ['finance@example.com'], cc: [] }, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    const record = await drain(dir, sink.url);
    await sink.close();
    const [entry] = record.entries;
    expect(entry!.attempts.map((a) => a.outcome)).toEqual(['unknown', 'unknown', 'sent']);
    expect(entry!.state).toBe('sent');
    const copiesAtServer = sink.bodies.filter((b) => b.messageId === entry!.message_id).length;
    expect(sink.bodies.every((b) => b.messageId === entry!.message_id)).toBe(true);
    expect(copiesAtServer - 1).toBeLessThanOrEqual(drops);
  });

  it('a sent entry is never sent again; one left in `sending` by a crash is resent once as unknown', async () => {
    const sink = await new SmtpSink().start();
    const { dir, manifest } = runCopy();
    const email = { ...EMAIL, to: ['finance@example.com', 'ceo@example.com'], cc: [] };
    prepareScheduled(dir, manifest, email, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    // A crash while the second copy was going out: the record says `sending`, the first is sent.
    const r = readRecord(dir)!;
    r.entries[0]!.state = 'sent';
    r.entries[0]!.final = true;
    r.entries[1]!.state = 'sending';
    writeFileSync(join(dir, 'delivery.json'), JSON.stringify(r));
    const record = await drain(dir, sink.url);
    expect(sink.received.map((m) => m.envelopeTo[0])).toEqual(['ceo@example.com']);
    expect(record.entries[1]!.attempts.map((a) => a.outcome)).toEqual(['interrupted', 'sent']);
    expect(sink.received[0]!.parsed.messageId).toBe(record.entries[1]!.message_id);
    // Preparing and processing again (a restart) sends nothing.
    prepareScheduled(dir, manifest, email, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    await drain(dir, sink.url);
    expect(sink.received).toHaveLength(1);
    await sink.close();
  });

  it('fails closed: an export that was not written or is empty is never mailed; the owner hears why', async () => {
    const sink = await new SmtpSink().start();
    const empty = runCopy();
    writeFileSync(join(empty.dir, 'report.pdf'), '');
    const r1 = prepareScheduled(empty.dir, empty.manifest, EMAIL, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    expect(r1.held!.reason).toMatch(/report\.pdf of run .* is empty/);
    const missing = runCopy();
    const m2 = {
      ...missing.manifest,
      status: 'failed' as const,
      error: 'report could not be written: report.pdf could not be written: no browser',
      exports: { html: 'report.html', xlsx: 'report.xlsx' },
    };
    const r2 = prepareScheduled(missing.dir, m2, EMAIL, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    expect(r2.held!.reason).toMatch(/is failed: report could not be written/);
    const r3 = prepareScheduled(runCopy().dir, { ...missing.manifest, exports: { html: 'report.html' } }, EMAIL, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    expect(r3.held!.reason).toMatch(/the pdf export of run .* was not written/);
    const done = await drain(empty.dir, sink.url);
    expect(done.status).toBe('held');
    expect(sink.received.map((m) => m.envelopeTo[0])).toEqual(['owner@example.com']);
    expect(sink.received[0]!.parsed.text).toMatch(/is empty/);
    await sink.close();
  });

  it('send_if: a false gate holds the report, the owner is told which gate, delivery.json records it', async () => {
    const sink = await new SmtpSink().start();
    const { dir, manifest } = runCopy();
    const gate = '{{ checks.first.total > 1000000 }}';
    const r = prepareScheduled(dir, manifest, { ...EMAIL, send_if: ['{{ checks.first.failed == 0 }}', gate] }, { from: FROM, now: PREPARED_AT, schedule: 'monthly' });
    expect(r.gates.map((g) => [g.passed, g.output])).toEqual([
      [true, 'true'],
      [false, 'false'],
    ]);
    expect(r.held).toMatchObject({ gate });
    const record = await drain(dir, sink.url);
    await sink.close();
    expect(record.status).toBe('held');
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]!.envelopeTo).toEqual(['owner@example.com']);
    expect(sink.received[0]!.parsed.subject).toMatch(/Report held: Monthly review 2026-01/);
    expect(sink.received[0]!.parsed.text).toContain(gate);
  });

  it('attachments over the size limit are left out, and the mail says what and where the run is', async () => {
    const sink = await new SmtpSink().start();
    const { dir, manifest } = runCopy();
    const xlsxSize = readFileSync(join(dir, 'report.xlsx')).length;
    prepareScheduled(
      dir,
      manifest,
      { ...EMAIL, to: ['finance@example.com'], cc: [], attach: ['pdf', 'xlsx'] },
      { from: FROM, now: PREPARED_AT, schedule: 'monthly', maxAttachmentBytes: xlsxSize + 10 },
    );
    await drain(dir, sink.url);
    await sink.close();
    const mail = sink.received[0]!.parsed;
    expect(mail.attachments.filter((a) => a.contentDisposition !== 'inline').map((a) => a.filename)).toEqual(['report.xlsx']);
    expect(mail.text).toMatch(/report\.pdf \([\d.]+ MB\) was left out/);
    expect(mail.text).toContain(`It is kept with run ${manifest.id}.`);
    expect(mail.text).not.toContain(dir);
    expect(String(mail.html)).toContain('was left out');
  });
});

describe('quire send', () => {
  const cli = (args: string[], cwd: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('--dry-run writes the message as .eml into the run folder; a real send arrives once', async () => {
    const runId = base.manifest.id;
    const dry = await cli(['send', runId.slice(0, 18), '--to', 'someone@example.com', '--dry-run'], project, {});
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const eml = join(base.dir, 'email-someone@example.com.eml');
    expect(existsSync(eml)).toBe(true);
    const parsed = await simpleParser(readFileSync(eml));
    expect(parsed.subject).toBe('Monthly review 2026-01');
    expect(String(parsed.html)).toContain(`href="https://reports.example.com/runs/${encodeURIComponent(base.manifest.id)}"`); // report_url of quire.yaml
    expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(['chart.png', 'report.pdf', 'report.xlsx']);

    const sink = await new SmtpSink().start();
    const sent = await cli(['send', runId, '--to', 'cfo@example.com', '--attach', 'pdf'], project, { QUIRE_SMTP_URL: sink.url });
    expect(sent.stderr).toMatch(/mail-sent/);
    expect(sent.stdout).toMatch(/sent cfo@example.com/);
    expect(sent.code).toBe(0);
    const again = await cli(['send', runId, '--to', 'cfo@example.com', '--attach', 'pdf'], project, { QUIRE_SMTP_URL: sink.url });
    expect(again.stdout).toMatch(/already sent to cfo@example.com/);
    await sink.close();
    expect(sink.received).toHaveLength(1);
    expect(sha(sink.received[0]!.parsed.attachments.find((a) => a.filename === 'report.pdf')!.content)).toBe(sha(readFileSync(join(base.dir, 'report.pdf'))));
  });
});
