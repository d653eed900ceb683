/** `quire connections list/test`, `quire plan` and a stopped `quire run` on a real PostgreSQL server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureProject, quire, quireAsync } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

let db: TestDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase(`CREATE TABLE orders (id int, amount numeric(10,2)); INSERT INTO orders VALUES (1, 2.50), (2, 4.25)`);
  dir = fixtureProject('postgres');
  env = { QUIRE_PG_URL: db.url.replace('postgres@', 'postgres:Visible0Pw@') };
});

afterAll(async () => {
  await db?.drop();
});

describe('quire connections', () => {
  it('list: every connection with its type and target, passwords hidden', () => {
    const r = quire(['connections', 'list'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warehouse\s+postgres\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\//);
    expect(r.stdout).toMatch(/down\s+postgres/);
    expect(r.stdout + r.stderr).not.toMatch(/Visible0Pw|Hidden1Pw/);
  });

  it('test: reachable, server version, latency, read-only session; an unreachable one exits 1 with a hint', () => {
    const ok = quire(['connections', 'test', 'warehouse', '--json'], dir, env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ reachable: true, version: expect.stringMatching(/^15\./), latencyMs: expect.any(Number), readOnly: true });
    const down = quire(['connections', 'test', 'down'], dir, env);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/unreachable/);
    expect(down.stderr).toMatch(/E_PG_UNREACHABLE[\s\S]*hint:/);
    expect(down.stderr).not.toMatch(/Hidden1Pw| {4}at /);
  });
});

describe('server cells in plan and run', () => {
  it('plan says a server cell always runs, and how to cache it', () => {
    const r = quire(['plan', 'orders.yaml'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run\s+orders\s+never cached: connection warehouse can't tell when its data changes \(give it `cache: \{ ttl: 1h \}`/);
  });

  it('runs: the DuckDB cell reads the Postgres cell; SIGTERM cancels the server-side query (no orphan)', async () => {
    const run = quire(['run', 'orders.yaml'], dir, env);
    expect(run.stderr + run.stdout).not.toMatch(/Visible0Pw/);
    expect(run.code).toBe(0);

    const active = async () =>
      (await db.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()`, [db.name]))[0].n as number;
    const child = quireAsync(['run', 'slow.yaml'], dir, env);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while ((await active()) === 0) await new Promise((r) => setImmediate(r));
    child.kill('SIGTERM');
    expect(await exited).not.toBe(0);
    expect(await active()).toBe(0);
  });
});
