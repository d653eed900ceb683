import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { RunQueue } from '../../engine/queue/queue.js';
import { enqueueRuns } from '../../engine/queue/enqueue.js';
import { QueueWorker } from '../../engine/queue/worker.js';
import { loadProject } from '../../engine/project.js';
import type { RunFn } from '../../engine/schedule/runner.js';

let db: TestDatabase;
let queue: RunQueue;

beforeAll(async () => {
  db = await createTestDatabase();
  queue = await RunQueue.open({ url: db.url, leaseSeconds: 2, attempts: 3 });
});

afterAll(async () => {
  await queue?.close();
  await db?.drop();
});

describe('a queue worker', () => {
  it('a heartbeat between taking a job and leasing it does not call the job lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-worker-lease-'));
    writeFileSync(join(dir, 'quire.yaml'), 'runs_dir: runs\n');
    await enqueueRuns(queue, [{ runId: 'r-1', notebookId: 'one', notebook: 'one.yaml', params: {}, fromCli: true, trigger: { kind: 'cli', schedule: null, scheduled_for: null }, batchId: null }]);
    const run: RunFn = async () => ({ manifest: { status: 'succeeded' } }) as never;
    const lines: string[] = [];
    const worker = new QueueWorker({ project: loadProject(dir), queue, concurrency: 1, exitWhenIdle: true, run, log: (l) => lines.push(l), pollMs: 50 });
    // The heartbeat comes just as the job is being leased (the statement that takes the lease waits for it).
    const prepared = queue.preparedQuery.bind(queue);
    let beaten = false;
    queue.preparedQuery = (async (text: string, values: unknown[]) => {
      if (!beaten && text.includes('INSERT INTO quire.leases')) {
        beaten = true;
        await (worker as unknown as { beat(): Promise<void> }).beat();
      }
      return prepared(text, values);
    }) as typeof queue.preparedQuery;
    try {
      await worker.run();
    } finally {
      queue.preparedQuery = prepared;
    }
    expect(beaten).toBe(true);
    expect(lines.filter((l) => /lease lost|worker lost/.test(l))).toEqual([]);
    const row = await queue.pool.query<{ status: string; attempts: number }>('SELECT status, attempts FROM quire.runs WHERE run_id = $1', ['r-1']);
    expect(row.rows[0]).toEqual({ status: 'succeeded', attempts: 1 });
  });

  it('a run cancelled while its job was being taken is not run: the job is dropped, the run stays cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-worker-cancel-'));
    writeFileSync(join(dir, 'quire.yaml'), 'runs_dir: runs\n');
    await enqueueRuns(queue, [{ runId: 'r-2', notebookId: 'one', notebook: 'one.yaml', params: {}, fromCli: true, trigger: { kind: 'cli', schedule: null, scheduled_for: null }, batchId: null }]);
    await queue.pool.query(`UPDATE quire.runs SET cancel_requested = 'cancelled by ann' WHERE run_id = 'r-2'`);
    let ran = 0;
    const run: RunFn = async () => {
      ran++;
      return { manifest: { status: 'succeeded' } } as never;
    };
    const lines: string[] = [];
    await new QueueWorker({ project: loadProject(dir), queue, concurrency: 1, exitWhenIdle: true, run, log: (l) => lines.push(l), pollMs: 50 }).run();
    expect(ran).toBe(0);
    expect(lines).toContain('run r-2 was cancelled before it started');
    const row = await queue.pool.query('SELECT status, error, run_dir FROM quire.runs WHERE run_id = $1', ['r-2']);
    expect(row.rows[0]).toEqual({ status: 'cancelled', error: 'cancelled by ann', run_dir: null });
    expect((await queue.pool.query('SELECT count(*)::int AS n FROM quire.leases')).rows[0]).toEqual({ n: 0 });
  });
});
