/** `quire connections list/test`, `quire plan` and a stopped `quire run` on a real MariaDB server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureProject, quire, quireAsync } from '../helpers/cli.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '../helpers/mysql.js';

let db: TestMysqlDatabase;
let dir: string;
let env: Record<string, string>;
const user = `quire_cli_${Math.random().toString(16).slice(2, 10)}`;

beforeAll(async () => {
  db = await createTestMysqlDatabase(`CREATE TABLE orders (id INT, amount DECIMAL(10,2)); INSERT INTO orders VALUES (1, 2.50), (2, 4.25)`);
  await db.sql(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'Visible0Pw'; GRANT ALL ON ${db.name}.* TO '${user}'@'127.0.0.1'`);
  dir = fixtureProject('mysql');
  env = { QUIRE_MYSQL_URL: db.url.replace('root@', `${user}:Visible0Pw@`) };
});

afterAll(async () => {
  await db?.sql(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  await db?.drop();
});

describe('quire connections (mysql)', () => {
  it('list: every connection with its type and target, passwords hidden', () => {
    const r = quire(['connections', 'list'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`shop\\s+mysql\\s+mysql://${user}:\\*\\*\\*@127\\.0\\.0\\.1:3306/`));
    expect(r.stdout).toMatch(/down\s+mysql/);
    expect(r.stdout + r.stderr).not.toMatch(/Visible0Pw|Hidden1Pw/);
  });

  it('test: reachable, server version, latency, read-only transaction; an unreachable one exits 1 with a hint', () => {
    const ok = quire(['connections', 'test', 'shop', '--json'], dir, env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ reachable: true, version: expect.stringMatching(/MariaDB/), latencyMs: expect.any(Number), readOnly: true });
    const down = quire(['connections', 'test', 'down'], dir, env);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/unreachable/);
    expect(down.stderr).toMatch(/E_MYSQL_UNREACHABLE[\s\S]*hint:/);
    expect(down.stderr).not.toMatch(/Hidden1Pw| {4}at /);
  });
});

describe('mysql cells in plan and run', () => {
  it('plan says a server cell always runs, and how to cache it', () => {
    const r = quire(['plan', 'orders.yaml'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run\s+orders\s+never cached: connection shop can't tell when its data changes/);
  });

  it('runs: the DuckDB cell reads the MySQL cell; SIGTERM kills the server-side query (no orphan)', async () => {
    const run = quire(['run', 'orders.yaml'], dir, env);
    expect(run.stderr + run.stdout).not.toMatch(/Visible0Pw/);
    expect(run.code).toBe(0);

    const active = async () =>
      Number(
        (await db.sql(`SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND <> 'Sleep' AND INFO LIKE 'SELECT count(*) AS n FROM seq_1_to_100000002 %'`, [db.name]))[0].n,
      );
    const child = quireAsync(['run', 'slow.yaml'], dir, env);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while ((await active()) === 0) await new Promise((r) => setImmediate(r));
    child.kill('SIGTERM');
    expect(await exited).not.toBe(0);
    expect(await active()).toBe(0);
  });
});
