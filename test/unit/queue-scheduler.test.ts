import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { RunQueue } from '../../engine/queue/queue.js';
import { QueueScheduler } from '../../engine/queue/scheduler.js';

let db: TestDatabase;
let dir: string;
const queues: RunQueue[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'quire-queue-sched-'));
  writeFileSync(join(dir, 'quire.yaml'), 'queue:\n  url: postgres://unused\n');
  const nb = (overlap: string) =>
    `title: Every minute\nparams:\n  day: { type: date, default: today }\ncells:\n  - id: t\n    type: query\n    sql: SELECT $day AS d\nschedules:\n  - name: minutely\n    cron: "* * * * *"\n    overlap: ${overlap}\n    missed: skip\n`;
  writeFileSync(join(dir, 'queued.yaml'), nb('queue'));
  writeFileSync(join(dir, 'skipping.yaml'), nb('skip'));
});

afterAll(async () => {
  for (const q of queues) await q.close();
  await db?.drop();
});

async function scheduler(clock: () => number): Promise<QueueScheduler> {
  const queue = await RunQueue.open({ url: db.url, leaseSeconds: 30, attempts: 3 });
  queues.push(queue);
  return new QueueScheduler({ root: dir, projectTimezone: 'UTC', runsDir: join(dir, 'runs'), queue, clock, rescanMs: 3_600_000 });
}

describe('schedulers on a queue', () => {
  it('two schedulers stepping together over 50 ticks enqueue exactly one run per tick; overlap skip holds across them', async () => {
    let now = Date.parse('2026-12-01T07:00:30Z');
    const clock = () => now;
    const a = await scheduler(clock);
    const b = await scheduler(clock);
    await Promise.all([a.step(), b.step()]); // learn the schedules: first due at 07:01
    for (let tick = 1; tick <= 50; tick++) {
      now += 60_000;
      // Both see the same tick at once, in either order.
      await Promise.all(tick % 2 ? [a.step(), b.step()] : [b.step(), a.step()]);
    }
    const rows = await db.sql(`SELECT notebook_id, trigger->>'scheduled_for' AS t, params FROM quire.runs ORDER BY 1, 2`);
    const queued = rows.filter((r) => r.notebook_id === 'queued');
    expect(queued).toHaveLength(50);
    expect(new Set(queued.map((r) => r.t)).size).toBe(50);
    expect(queued[0]).toMatchObject({ t: '2026-12-01T07:01:00.000Z', params: { day: '2026-12-01' } });
    expect(queued[49]!.t).toBe('2026-12-01T07:50:00.000Z');
    // Nothing ran the first tick of `skipping`, so every later one was skipped while it waited.
    expect(rows.filter((r) => r.notebook_id === 'skipping').map((r) => r.t)).toEqual(['2026-12-01T07:01:00.000Z']);
    const jobs = await db.sql(`SELECT count(*)::int AS n FROM quire_jobs.job`);
    expect(jobs[0]!.n).toBe(51);
  });
});
