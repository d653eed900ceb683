import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifests, quire, quireAsync } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// Workers are real processes on the real PostgreSQL; the test waits on what they record (the run
// index), never on the clock, with a bound on each wait.
let db: TestDatabase;
let dir: string;
const env = () => ({ QUIRE_QUEUE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'quire-queue-'));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
  writeFileSync(join(dir, 'quire.yaml'), 'queue:\n  url: ${QUIRE_QUEUE_URL}\n  lease_seconds: 2\n  attempts: 6\n');
  // Long enough (a few hundred ms) that a kill lands mid-run.
  writeFileSync(
    join(dir, 'member.yaml'),
    'title: Member\nparams:\n  n: { type: integer, default: 1 }\ncells:\n  - id: t\n    type: query\n    sql: SELECT $n AS n, count(*) AS c FROM range(1000000) r, range(4) s WHERE r.range % 7 = s.range\n',
  );
});

afterAll(async () => {
  await db?.drop();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.on('exit', (code) => r(code))));

describe('quire worker', () => {
  it('runs every queued sweep member exactly once while workers are SIGKILLed mid-run', async () => {
    const members = Array.from({ length: 16 }, (_, i) => i + 1);
    const q = quire(['run', 'member.yaml', '--queue', '--detach', '--json', '--sweep', `n=${members.join(',')}`], dir, env());
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    const { batch, runs } = JSON.parse(q.stdout) as { batch: string; runs: string[] };
    expect(runs).toHaveLength(16);

    const start = () => quireAsync(['worker', '--exit-when-idle', '--concurrency', '2'], dir, env());
    const workers: ChildProcess[] = [start(), start(), start()];
    const succeeded = async () => Number((await db.sql(`SELECT count(*) AS n FROM quire.runs WHERE batch_id = $1 AND status = 'succeeded'`, [batch]))[0]!.n);
    const killed = new Set<ChildProcess>();
    let kills = 0;
    // Kill a worker that holds a running job, then start another, four times over.
    for (let round = 0; round < 3; round++) {
      const holder = await until('a worker holding a run', async () => {
        const rows = await db.sql('SELECT DISTINCT worker_id FROM quire.leases');
        const pids = new Set(rows.map((r) => Number(String(r.worker_id).split(':')[1])));
        return workers.find((w) => !killed.has(w) && pids.has(w.pid!));
      });
      holder.kill('SIGKILL');
      killed.add(holder);
      kills++;
      workers.push(start());
    }
    expect(kills).toBe(3);
    const codes = await Promise.race([Promise.all(workers.map(exited)), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('workers did not finish')), 90_000))]);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(3);

    expect(await succeeded()).toBe(16);
    const index = await db.sql('SELECT run_id, status, attempts FROM quire.runs WHERE batch_id = $1', [batch]);
    expect(index.every((r) => r.status === 'succeeded')).toBe(true);
    // Some runs were lost with their worker and ran again on another.
    expect(index.some((r) => Number(r.attempts) > 1)).toBe(true);
    // One run folder per member, each succeeded; earlier attempts sit in .attempts/.
    const done = manifests(dir, 'member').filter((m) => m.trigger?.batch === batch);
    expect(done.map((m) => m.status)).toEqual(Array(16).fill('succeeded'));
    expect(new Set(done.map((m) => String(m.params.n))).size).toBe(16);
    const listed = JSON.parse(quire(['runs', 'list', '--json', '-n', '100'], dir, env()).stdout) as { batch_id: string; status: string; worker: string }[];
    expect(listed.filter((r) => r.batch_id === batch && r.status === 'succeeded' && r.worker)).toHaveLength(16);
    const stats = JSON.parse(quire(['queue', 'stats', '--json'], dir, env()).stdout);
    expect(stats).toMatchObject({ queued: 0, active: 0, retrying: 0, failed: 0, completed: 16 });
  }, 150_000);

  it('stats and workers report; an unreachable queue says so, without its password', async () => {
    // The workers killed above are listed as lost (no heartbeat), holding nothing; the others left cleanly.
    const listed = JSON.parse(quire(['workers', '--json'], dir, env()).stdout) as { lost: boolean; runs: string[] }[];
    expect(listed).toHaveLength(3);
    expect(listed.every((w) => w.lost && w.runs.length === 0)).toBe(true);
    const bad = quire(['queue', 'stats'], dir, { QUIRE_QUEUE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/x' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/E_PG_UNREACHABLE.*the queue database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(bad.stderr).not.toContain('hunter2');
    const noQueue = mkdtempSync(join(tmpdir(), 'quire-noqueue-'));
    const refused = quire(['worker'], noQueue);
    expect(refused.stderr).toMatch(/E_QUEUE_NONE[\s\S]*hint: add `queue:/);
  });

  it('SIGTERM: the worker finishes the run it has, takes no other, and exits 0', async () => {
    const q = quire(['run', 'member.yaml', '--queue', '--detach', '--json', '--sweep', 'n=101,102,103,104,105,106'], dir, env());
    const { batch } = JSON.parse(q.stdout) as { batch: string };
    const w = quireAsync(['worker', '--concurrency', '1'], dir, env());
    await until('the first run to start', async () => (await db.sql(`SELECT 1 FROM quire.runs WHERE batch_id = $1 AND status = 'running'`, [batch])).length > 0);
    w.kill('SIGTERM');
    expect(await exited(w)).toBe(0);
    // What it had when the signal came (a run may start between our look and the signal) finished; the rest is still queued.
    const rows = (await db.sql('SELECT status FROM quire.runs WHERE batch_id = $1', [batch])).map((r) => String(r.status));
    expect(rows.filter((s) => s !== 'queued' && s !== 'succeeded')).toEqual([]);
    expect(rows.filter((s) => s === 'succeeded').length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((s) => s === 'queued').length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
