import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quireAsync } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { RunQueue } from '../../engine/queue/queue.js';
import { enqueueRuns } from '../../engine/queue/enqueue.js';
import { queueOutbox } from '../../engine/queue/mail.js';
import { smtpTransport } from '../../engine/deliver/smtp.js';
import { prepareScheduled } from '../../engine/deliver/prepare.js';
import type { RunManifest } from '../../engine/runs/runs.js';

const FROM = 'Quire <reports@quire.test>';
const TO = ['a@example.com', 'b@example.com', 'c@example.com'];
let db: TestDatabase;
let sink: SmtpSink;
let dir: string;
const queues: RunQueue[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sink = await new SmtpSink().start();
  dir = mkdtempSync(join(tmpdir(), 'quire-queue-mail-'));
  writeFileSync(join(dir, 'quire.yaml'), `queue:\n  url: \${QUIRE_QUEUE_URL}\nsmtp:\n  url: ${sink.url}\n  from: "${FROM}"\n`);
  writeFileSync(
    join(dir, 'daily.yaml'),
    `title: Daily\ncells:\n  - id: t\n    type: query\n    sql: SELECT 1 AS n\nschedules:\n  - name: daily\n    cron: "0 7 * * *"\n    email:\n      to: [${TO.join(', ')}]\n      subject: Daily report\n`,
  );
});

afterAll(async () => {
  for (const q of queues) await q.close();
  await sink?.close();
  await db?.drop();
});

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (code) => r(code))));
const received = (run: string) => sink.received.filter((m) => m.parsed.headers.get('x-quire-run') === run).flatMap((m) => m.envelopeTo);

describe('scheduled mail through the queue', () => {
  it('a scheduled run done by a worker mails each recipient once; two outboxes racing on one run send each entry once', async () => {
    const queue = await RunQueue.open({ url: db.url, leaseSeconds: 5, attempts: 2 });
    queues.push(queue);
    await enqueueRuns(queue, [
      {
        runId: 'tick-0700',
        notebookId: 'daily',
        notebook: 'daily.yaml',
        params: {},
        fromCli: false,
        trigger: { kind: 'schedule', schedule: 'daily', scheduled_for: '2026-12-03T07:00:00.000Z' },
        batchId: null,
      },
    ]);
    const env = { QUIRE_QUEUE_URL: db.url };
    const workers = [quireAsync(['worker', '--exit-when-idle'], dir, env), quireAsync(['worker', '--exit-when-idle'], dir, env)];
    expect(await Promise.all(workers.map(exited))).toEqual([0, 0]);
    expect(received('tick-0700').sort()).toEqual(TO);
    const runDir = join(dir, 'runs', 'daily', 'tick-0700');
    const record = JSON.parse(readFileSync(join(runDir, 'delivery.json'), 'utf8'));
    expect(record.entries.map((e: { state: string }) => e.state)).toEqual(['sent', 'sent', 'sent']);

    // The same run's outbox, prepared again in a copy, worked by two workers' outboxes at once.
    const copy = join(dir, 'runs', 'daily', 'race');
    cpSync(runDir, copy, { recursive: true, filter: (src) => !src.endsWith('delivery.json') });
    const manifest = JSON.parse(readFileSync(join(copy, 'run.json'), 'utf8')) as RunManifest;
    prepareScheduled(copy, { ...manifest, id: 'race' }, { to: TO, subject: 'Race' }, { from: FROM, now: new Date(), schedule: 'daily' });
    const other = await RunQueue.open({ url: db.url, leaseSeconds: 5, attempts: 2 });
    queues.push(other);
    // Both in this process: the pid lock file of one machine would let both through; the PostgreSQL lock does not.
    const outboxes = [queueOutbox(queue, { from: FROM, transport: smtpTransport(sink.url) }), queueOutbox(other, { from: FROM, transport: smtpTransport(sink.url) })];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(outboxes.map((o) => o.process(copy)));
      if (results.some((r) => r.done)) break;
    }
    expect(received('race').sort()).toEqual(TO);
  }, 90_000);
});
