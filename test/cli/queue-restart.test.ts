import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { manifests, quire, quireAsync } from '../helpers/cli.js';

// A throwaway PostgreSQL cluster of its own (the machine's server is shared by other tests), so it
// can be restarted mid-batch: workers must reconnect and every job complete once.
const VERSION = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql')[0] : undefined;
const CLUSTER = 'quire_restart_test';
const PORT = 5499;
const url = `postgres://postgres@127.0.0.1:${PORT}/postgres`;
const ctl = (...args: string[]) => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', VERSION!, CLUSTER, ...args], { stdio: 'ignore' });
let dir: string;

async function ready(): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('exit', (code) => r(code))));

function dropCluster(): void {
  try {
    execFileSync('pg_dropcluster', ['--stop', VERSION!, CLUSTER], { stdio: 'ignore' });
  } catch {
    /* none left from an earlier run */
  }
}

beforeAll(() => VERSION && dropCluster(), 30_000);
afterAll(() => VERSION && dropCluster(), 30_000);

describe.skipIf(!VERSION)('the queue survives a PostgreSQL restart', () => {
  it('workers reconnect and every member completes once', async () => {
    execFileSync('pg_createcluster', [VERSION!, CLUSTER, '--port', String(PORT), '--', '--auth=trust'], { stdio: 'ignore' });
    ctl('start');
    await until('the cluster', ready);
    dir = mkdtempSync(join(tmpdir(), 'quire-queue-restart-'));
    writeFileSync(join(dir, 'quire.yaml'), `queue:\n  url: ${url}\n  lease_seconds: 3\n  attempts: 6\n`);
    writeFileSync(
      join(dir, 'member.yaml'),
      'title: Member\nparams:\n  n: { type: integer, default: 1 }\ncells:\n  - id: t\n    type: query\n    sql: SELECT $n AS n, count(*) AS c FROM range(1000000) r, range(4) s WHERE r.range % 7 = s.range\n',
    );
    const q = quire(['run', 'member.yaml', '--queue', '--detach', '--json', '--sweep', `n=${Array.from({ length: 12 }, (_, i) => i + 1).join(',')}`], dir);
    expect(q.code).toBe(0);
    const { batch } = JSON.parse(q.stdout) as { batch: string };
    const workers = [quireAsync(['worker', '--exit-when-idle'], dir), quireAsync(['worker', '--exit-when-idle'], dir)];
    const logs = ['', ''];
    workers.forEach((w, i) => {
      w.stdout?.on('data', (d) => (logs[i] += d));
      w.stderr?.on('data', (d) => (logs[i] += d));
    });
    await until('a few runs done', async () => Number((await sql(`SELECT count(*) AS n FROM quire.runs WHERE status = 'succeeded'`))[0]!.n) >= 3);
    ctl('restart', '-m', 'fast');
    await until('the cluster back', ready);
    const codes = await Promise.race([Promise.all(workers.map(exited)), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`workers did not finish:\n${logs.join('\n----\n')}`)), 90_000))]);
    expect(codes).toEqual([0, 0]);
    const rows = await sql('SELECT status FROM quire.runs WHERE batch_id = $1', [batch]);
    expect(rows.map((r) => r.status)).toEqual(Array(12).fill('succeeded'));
    const done = manifests(dir, 'member').filter((m) => m.trigger?.batch === batch);
    expect(done.map((m) => m.status)).toEqual(Array(12).fill('succeeded'));
  }, 150_000);
});
