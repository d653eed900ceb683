import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { RunQueue, BOSS_SCHEMA } from '../../engine/queue/queue.js';
import { enqueueRuns, jobIdOf, type RunJob } from '../../engine/queue/enqueue.js';

let db: TestDatabase;
let queue: RunQueue;

beforeAll(async () => {
  db = await createTestDatabase();
  queue = await RunQueue.open({ url: db.url, leaseSeconds: 30, attempts: 3 });
});

afterAll(async () => {
  await queue?.close();
  await db?.drop();
});

const job = (runId: string): RunJob => ({
  runId,
  notebookId: 'review',
  notebook: 'review.yaml',
  params: { month: '2026-10' },
  fromCli: false,
  trigger: { kind: 'schedule', schedule: 'monthly', scheduled_for: '2026-11-01T07:00:00.000Z' },
  batchId: null,
});

describe('enqueueing runs', () => {
  it('a run id maps to one fixed UUID', () => {
    expect(jobIdOf('monthly-20261101T0700Z')).toBe(jobIdOf('monthly-20261101T0700Z'));
    expect(jobIdOf('a')).not.toBe(jobIdOf('b'));
    expect(jobIdOf('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('the same run enqueued twice (two schedulers, one tick) is one index row and one job', async () => {
    const first = await enqueueRuns(queue, [job('monthly-20261101T0700Z')]);
    const again = await Promise.all([enqueueRuns(queue, [job('monthly-20261101T0700Z')]), enqueueRuns(queue, [job('monthly-20261101T0700Z'), job('monthly-20261201T0700Z')])]);
    expect(first).toEqual(['monthly-20261101T0700Z']);
    expect(again.flat()).toEqual(['monthly-20261201T0700Z']);
    const jobs = await db.sql(`SELECT id, data->>'runId' AS run_id, state FROM ${BOSS_SCHEMA}.job ORDER BY 2`);
    expect(jobs.map((j) => [j.run_id, j.state])).toEqual([
      ['monthly-20261101T0700Z', 'created'],
      ['monthly-20261201T0700Z', 'created'],
    ]);
    const runs = await db.sql('SELECT run_id, status, params FROM quire.runs ORDER BY 1');
    expect(runs).toEqual([
      { run_id: 'monthly-20261101T0700Z', status: 'queued', params: { month: '2026-10' } },
      { run_id: 'monthly-20261201T0700Z', status: 'queued', params: { month: '2026-10' } },
    ]);
  });
});
