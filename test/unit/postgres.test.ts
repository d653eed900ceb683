/**
 * `type: postgres` connections against the real PostgreSQL server (127.0.0.1:5432): types,
 * params, validation by Postgres's parser, errors, cancel, cache. One fresh database per file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runNotebook, validateNotebook } from '../../engine/index.js';
import { connectionType, type ConnectionConfig } from '../../engine/connections/index.js';
import type { Connection, QueryRequest } from '../../engine/connections/connection.js';
import { PostgresConnection } from '../../engine/connections/postgres.js';
import { pgError, redactUrl } from '../../engine/connections/postgres-errors.js';
import { decimalOf } from '../../engine/connections/postgres-types.js';
import { DuckSession, RESULTS_CATALOG, type BoundParams } from '../../engine/duck/duck.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';
import { createTestDatabase, PG_SERVER, type TestDatabase } from '../helpers/postgres.js';

let db: TestDatabase;
const role = `quire_test_nopriv_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TABLE orders (id bigint, amount numeric(14,2), placed timestamptz, day date, took interval, ref uuid, meta jsonb,
      tags text[], counts int[], raw bytea, feeling mood, note text, updated_at timestamptz);
    INSERT INTO orders VALUES
      (9007199254740993, 12345678901.25, '2026-03-01 10:00:00+02', '2026-03-01', '1 day 02:03:04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '{"k": [1, 2]}', '{a,"b c"}', '{1,NULL,3}', '\\x0102ff', 'happy', 'first', '2026-03-01'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-03-02');
    CREATE TABLE secret (v int);
    CREATE ROLE ${role} LOGIN;
  `);
});

afterAll(async () => {
  await db?.drop();
  const admin = await createTestDatabase();
  await admin.sql(`DROP ROLE IF EXISTS ${role}`);
  await admin.drop();
});

const noParams: BoundParams = { values: {}, types: {} };

async function withConnection<T>(url: string, fn: (c: Connection, req: (id: string, sql: string, more?: Partial<QueryRequest>) => QueryRequest, session: DuckSession) => Promise<T>): Promise<T> {
  const connection = connectionType('postgres')!.open('warehouse', { type: 'postgres', url } as ConnectionConfig, { root: tmpdir(), write: false });
  const session = await DuckSession.open({ database: ':memory:', attach: [] });
  const duck = await session.connect();
  try {
    return await fn(connection, (cellId, sql, more = {}) => ({ cellId, sql, params: noParams, mode: 'read', duck, ...more }), session);
  } finally {
    await connection.close();
    session.close();
  }
}

/** A project whose quire.yaml has `warehouse` (url from the environment) and the notebook. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
const PW_CONNECTION = 'warehouse: { type: postgres, url: "${QUIRE_TEST_PG_URL_PW}" }';

// biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
function project(notebook: string, connection = 'warehouse: { type: postgres, url: "${QUIRE_TEST_PG_URL}" }'): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-pg-'));
  writeFileSync(join(dir, 'quire.yaml'), `connections:\n  ${connection}\n`);
  writeFileSync(join(dir, 'nb.yaml'), notebook);
  return join(dir, 'nb.yaml');
}

async function validationErrors(path: string): Promise<QuireError[]> {
  const err = await validateNotebook(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationErrors);
  return (err as ValidationErrors).errors;
}

describe('postgres query cells', () => {
  it('stream rows into DuckDB with exact types, NULLs kept', async () => {
    await withConnection(db.url, async (c, req, session) => {
      expect(await c.query(req('typed', 'SELECT * FROM orders ORDER BY id DESC'))).toBe(2);
      const duck = await session.connect();
      const types = (
        await duck.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = '${RESULTS_CATALOG}' AND table_name = 'typed' ORDER BY ordinal_position`)
      ).getRows();
      expect(Object.fromEntries(types)).toEqual({
        id: 'BIGINT',
        amount: 'DECIMAL(14,2)',
        placed: 'TIMESTAMP WITH TIME ZONE',
        day: 'DATE',
        took: 'INTERVAL',
        ref: 'UUID',
        meta: 'JSON',
        tags: 'VARCHAR[]',
        counts: 'INTEGER[]',
        raw: 'BLOB',
        feeling: 'VARCHAR',
        note: 'VARCHAR',
        updated_at: 'TIMESTAMP WITH TIME ZONE',
      });
      const [first, second] = (
        await duck.runAndReadAll(
          `SELECT id::VARCHAR, amount::VARCHAR, epoch(placed), day::VARCHAR, to_seconds(0) + took = INTERVAL '1 day 2 hours 3 minutes 4 seconds', ref::VARCHAR, meta->>'$.k[1]', tags, counts, hex(raw), feeling FROM ${RESULTS_CATALOG}.main.typed`,
        )
      ).getRowsJson();
      expect(first).toEqual(['9007199254740993', '12345678901.25', 1772352000, '2026-03-01', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2', ['a', 'b c'], [1, null, 3], '0102FF', 'happy']);
      expect(second).toEqual(['2', null, null, null, null, null, null, null, null, null, null]);
      duck.closeSync();
    });
  });

  it('stream more rows than one batch, and a sum comes back as DECIMAL', async () => {
    await withConnection(db.url, async (c, req, session) => {
      expect(await c.query(req('many', 'SELECT g AS n, g::numeric / 4 AS q FROM generate_series(1, 25003) g'))).toBe(25003);
      const duck = await session.connect();
      const [row] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER, sum(n)::VARCHAR, any_value(typeof(q)), sum(q)::VARCHAR FROM ${RESULTS_CATALOG}.main.many`)).getRowsJson();
      expect(row).toEqual([25003, '312587506', 'DECIMAL(38,10)', '78146876.5000000000']);
      duck.closeSync();
    });
  });

  it('bind $name params as server-side values: typed, never spliced, literals left alone', async () => {
    await withConnection(db.url, async (c, req, session) => {
      const params: BoundParams = { values: { month_start: '2026-03-01', who: "x'; DROP TABLE orders; --", ids: ['2', '5'] }, types: { month_start: 'DATE', who: 'VARCHAR', ids: 'VARCHAR[]' } };
      await c.query(req('bound', "SELECT count(*) AS n, $who AS who, '$month_start' AS literal FROM orders WHERE day >= $month_start OR id::text = ANY($ids)", { params }));
      const duck = await session.connect();
      expect((await duck.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.bound`)).getRowsJson()).toEqual([['2', "x'; DROP TABLE orders; --", '$month_start']]);
      duck.closeSync();
    });
    expect((await db.sql('SELECT count(*)::int AS n FROM orders'))[0].n).toBe(2);
  });

  it('a timeout becomes statement_timeout on the server: E_SQL_TIMEOUT', async () => {
    await withConnection(db.url, async (c, req) => {
      await expect(c.query(req('slow', 'SELECT pg_sleep(30)', { timeoutMs: 100 }))).rejects.toMatchObject({ code: 'E_SQL_TIMEOUT', hint: expect.stringMatching(/timeout_ms/) });
    });
  });

  it('an aborted run cancels the server-side query: no orphan left in pg_stat_activity', async () => {
    const running = async () =>
      (await db.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()`, [db.name]))[0].n;
    await withConnection(db.url, async (c, req) => {
      const ac = new AbortController();
      const query = c.query(req('orphan', 'SELECT pg_sleep(600)', { signal: ac.signal }));
      const outcome = query.then(
        () => 'finished',
        (e: QuireError) => e.code,
      );
      // Abort once the server shows the query running (polled, not slept on).
      while ((await running()) === 0) await new Promise((r) => setImmediate(r));
      ac.abort('test');
      expect(await outcome).toBe('E_SQL_CANCELLED');
      expect(await running()).toBe(0);
    });
  });

  it('server errors are UserErrors with a code and hint: missing table, permission denied, unknown database, host down', async () => {
    await withConnection(db.url, async (c, req) => {
      await expect(c.query(req('missing', 'SELECT * FROM nope'))).rejects.toMatchObject({ code: 'E_PG_TABLE', hint: expect.any(String) });
    });
    await withConnection(`${PG_SERVER.replace('postgres@', `${role}@`)}/${db.name}`, async (c, req) => {
      await expect(c.query(req('denied', 'SELECT * FROM secret'))).rejects.toMatchObject({ code: 'E_PG_PERMISSION', hint: expect.stringMatching(/GRANT/) });
    });
    await withConnection(`${PG_SERVER}/quire_no_such_db`, async (c, req) => {
      await expect(c.query(req('nodb', 'SELECT 1'))).rejects.toMatchObject({ code: 'E_PG_DATABASE' });
    });
    await withConnection('postgres://postgres:pw@127.0.0.1:1/x', async (c, req) => {
      await expect(c.query(req('down', 'SELECT 1'))).rejects.toMatchObject({ code: 'E_PG_UNREACHABLE', message: expect.not.stringContaining('pw') });
    });
  });

  it('a wrong password (SQLSTATE 28P01, which the trust-auth test server never sends) is E_PG_AUTH, the password hidden', () => {
    const url = 'postgres://alice:s3cr%40t@db.example:5432/sales';
    const err = pgError({ code: '28P01', message: 'password authentication failed for user "alice" (s3cr@t)' }, { connection: 'warehouse', url });
    expect(err).toMatchObject({ code: 'E_PG_AUTH', hint: expect.stringMatching(/password/) });
    expect(err.message).not.toMatch(/s3cr/);
    expect(redactUrl(url)).toBe('postgres://alice:***@db.example:5432/sales');
    expect(redactUrl('postgres://bob@h/db?password=hunter2')).not.toMatch(/hunter2/);
  });
});

describe('postgres cells in a notebook', () => {
  beforeAll(() => {
    process.env.QUIRE_TEST_PG_URL = db.url;
  });

  it("quire validate checks the SQL with PostgreSQL's parser, located at notebook line:col", async () => {
    const path = project(`title: Bad
params:
  month: { type: month, default: "2026-03" }
cells:
  - id: recent
    type: query
    connection: warehouse
    sql: |
      SELECT id
      FROM orders
      WHERE day >= $month_start AND id ILIKE ANY (ARRAY['a'])
      ORDER BY id LIMIT ALL OFFSET 1 ROWS FETCH
  - id: sneaky
    type: query
    connection: warehouse
    sql: DELETE FROM orders
`);
    const errors = await validationErrors(path);
    expect(errors.map((e) => [e.code, e.location?.line, e.location?.col])).toEqual([
      ['E_SQL_SYNTAX', 12, 43],
      ['E_SQL_WRITE', 16, 10],
    ]);
    expect(errors[0].hint).toMatch(/PostgreSQL/);
  });

  it('runs: a DuckDB cell reads the Postgres cell by its id; a server error is located in the notebook; the password never shows', async () => {
    process.env.QUIRE_TEST_PG_URL_PW = db.url.replace('postgres@', 'postgres:Sup3rSecretPw@');
    const path = project(
      `title: Orders
params:
  month: { type: month, default: "2026-03" }
cells:
  - id: recent
    type: query
    connection: warehouse
    sql: |
      SELECT id, amount FROM orders
      WHERE day >= $month_start
  - id: total
    type: query
    sql: SELECT sum(amount) AS amount FROM recent
  - id: broken
    type: query
    connection: warehouse
    on_error: continue
    sql: |
      SELECT id
      FROM no_such_table
`,
      PW_CONNECTION,
    );
    const result = await runNotebook(path, { cache: 'off' });
    const cells = Object.fromEntries(result.manifest.cells.map((c) => [c.id, c]));
    expect([cells.recent.status, cells.recent.rows, cells.total.status]).toEqual(['succeeded', 1, 'succeeded']);
    expect(cells.broken.error).toMatchObject({ code: 'E_PG_TABLE', location: expect.stringMatching(/nb\.yaml:20:12$/) });
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const f of files(result.dir)) expect(readFileSync(f).includes('Sup3rSecretPw'), f).toBe(false);
  });

  it('cache: without ttl or freshness a server cell always runs and plan says why; with ttl it is served until the window passes; freshness keys it', async () => {
    let now = Date.parse('2026-03-05T10:00:00Z');
    const clock = () => new Date(now);
    const nb = (cache: string) =>
      project(`title: Cached
cells:
  - id: counted
    type: query
    connection: warehouse
${cache}    sql: SELECT count(*) AS n FROM orders
`);
    const plain = nb('');
    await runNotebook(plain, { now: clock });
    const again = await runNotebook(plain, { now: clock });
    expect(again.manifest.cells[0].cache_hit).toBe(false);
    expect(again.manifest.cells[0]).toMatchObject({ status: 'succeeded' });

    const ttl = nb('    cache: { ttl: 1h }\n');
    await runNotebook(ttl, { now: clock });
    expect((await runNotebook(ttl, { now: clock })).manifest.cells[0].cache_hit).toBe(true);
    now += 3_600_000;
    expect((await runNotebook(ttl, { now: clock })).manifest.cells[0].cache_hit).toBe(false);

    const fresh = nb('    cache: { freshness: "SELECT max(updated_at) FROM orders" }\n');
    await runNotebook(fresh, { now: clock });
    expect((await runNotebook(fresh, { now: clock })).manifest.cells[0].cache_hit).toBe(true);
    await db.sql(`UPDATE orders SET updated_at = '2026-03-04' WHERE id = 2`);
    const after = await runNotebook(fresh, { now: clock });
    expect(after.manifest.cells[0]).toMatchObject({ cache_hit: false, rows: 1 });
  });
});

describe('numeric text to DECIMAL', () => {
  it('rounds half away from zero to the scale, keeps big values exact, refuses NaN', () => {
    const text = (t: string, w: number, sc: number) => decimalOf(t, w, sc).toString();
    expect(text('333.33333333333333333333', 38, 10)).toBe('333.3333333333');
    expect(text('-0.66666666666', 38, 10)).toBe('-0.6666666667');
    expect(text('2.5', 12, 0)).toBe('3');
    expect(text('-2.5', 12, 0)).toBe('-3');
    expect(text('1234567890123456789012345678.5', 38, 10)).toBe('1234567890123456789012345678.5000000000');
    expect(() => decimalOf('NaN', 38, 10)).toThrow(expect.objectContaining({ code: 'E_PG_TYPE' }));
  });
});

describe('PostgresConnection', () => {
  it('probes: version, latency, read-only session', async () => {
    const c = new PostgresConnection('warehouse', { type: 'postgres', url: db.url });
    try {
      const probe = await c.probe();
      expect(probe.version).toMatch(/^\d+\.\d+/);
      expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
      expect(probe.readOnly).toBe(true);
    } finally {
      await c.close();
    }
  });
});
