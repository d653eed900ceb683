/**
 * `type: mysql` connections against the real MariaDB server (127.0.0.1:3306): types, params,
 * validation, errors, timeout, cancel, cache, probe. One fresh database (and users) per file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runNotebook, validateNotebook } from '../../engine/index.js';
import { connectionType, type ConnectionConfig } from '../../engine/connections/index.js';
import type { Connection, QueryRequest } from '../../engine/connections/connection.js';
import { MysqlConnection } from '../../engine/connections/mysql.js';
import { analyzeMysql, toPlaceholders } from '../../engine/connections/mysql-sql.js';
import { DuckSession, RESULTS_CATALOG, type BoundParams } from '../../engine/duck/duck.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';
import { createTestMysqlDatabase, MYSQL_SERVER, type TestMysqlDatabase } from '../helpers/mysql.js';

let db: TestMysqlDatabase;
const suffix = randomBytes(4).toString('hex');
const noPriv = `quire_np_${suffix}`;
const withPw = `quire_pw_${suffix}`;

beforeAll(async () => {
  db = await createTestMysqlDatabase(`
    CREATE TABLE orders (id BIGINT, amount DECIMAL(14,2), big_u BIGINT UNSIGNED, small_u INT UNSIGNED, tiny TINYINT, placed DATETIME(3),
      stamped TIMESTAMP NULL, day DATE, at_time TIME, meta JSON, raw BLOB, bin VARBINARY(8), note TEXT, feeling ENUM('sad','ok','happy'),
      tags SET('a','b','c'), yr YEAR, ratio DOUBLE, flags BIT(8), updated_at DATETIME);
    INSERT INTO orders VALUES
      (9007199254740993, 123456789012.25, 18446744073709551615, 4294967295, -128, '2026-03-01 10:00:00.125', '2026-03-01 08:00:00',
       '2026-03-01', '13:14:15', '{"k": [1, 2]}', x'0102ff', x'ab', 'héllo', 'happy', 'a,c', 2026, 0.1, b'10000001', '2026-03-01'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, '2026-03-02');
    CREATE TABLE secret (v INT);
    CREATE USER '${noPriv}'@'127.0.0.1';
    GRANT SELECT ON orders TO '${noPriv}'@'127.0.0.1';
    CREATE USER '${withPw}'@'127.0.0.1' IDENTIFIED BY 'Right-Pw-1';
  `);
});

afterAll(async () => {
  await db?.sql(`DROP USER IF EXISTS '${noPriv}'@'127.0.0.1', '${withPw}'@'127.0.0.1'`);
  await db?.drop();
});

const noParams: BoundParams = { values: {}, types: {} };
type Req = (id: string, sql: string, more?: Partial<QueryRequest>) => QueryRequest;

async function withConnection<T>(url: string, fn: (c: Connection, req: Req, session: DuckSession) => Promise<T>): Promise<T> {
  const connection = connectionType('mysql')!.open('shop', { type: 'mysql', url } as ConnectionConfig, { root: tmpdir(), write: false });
  const session = await DuckSession.open({ database: ':memory:', attach: [] });
  const duck = await session.connect();
  try {
    return await fn(connection, (cellId, sql, more = {}) => ({ cellId, sql, params: noParams, mode: 'read', duck, ...more }), session);
  } finally {
    await connection.close();
    session.close();
  }
}

async function read(session: DuckSession, sql: string): Promise<unknown[][]> {
  const duck = await session.connect();
  try {
    return (await duck.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    duck.closeSync();
  }
}

describe('mysql query cells', () => {
  it('stream rows into DuckDB with exact types, NULLs kept', async () => {
    await withConnection(db.url, async (c, req, session) => {
      expect(await c.query(req('typed', 'SELECT * FROM orders ORDER BY id DESC'))).toBe(2);
      const types = await read(session, `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = '${RESULTS_CATALOG}' AND table_name = 'typed' ORDER BY ordinal_position`);
      expect(Object.fromEntries(types)).toEqual({
        id: 'BIGINT',
        amount: 'DECIMAL(14,2)',
        big_u: 'UBIGINT',
        small_u: 'UINTEGER',
        tiny: 'TINYINT',
        placed: 'TIMESTAMP',
        stamped: 'TIMESTAMP WITH TIME ZONE',
        day: 'DATE',
        at_time: 'TIME',
        meta: 'JSON',
        raw: 'BLOB',
        bin: 'BLOB',
        note: 'VARCHAR',
        feeling: 'VARCHAR',
        tags: 'VARCHAR[]',
        yr: 'SMALLINT',
        ratio: 'DOUBLE',
        flags: 'UBIGINT',
        updated_at: 'TIMESTAMP',
      });
      const [first, second] = await read(
        session,
        `SELECT id::VARCHAR, amount::VARCHAR, big_u::VARCHAR, small_u, tiny, placed::VARCHAR, epoch(stamped), day::VARCHAR, at_time::VARCHAR, meta->>'$.k[1]', hex(raw), hex(bin), note, feeling, tags, yr, ratio, flags FROM ${RESULTS_CATALOG}.main.typed`,
      );
      expect(first).toEqual([
        '9007199254740993',
        '123456789012.25',
        '18446744073709551615',
        4294967295,
        -128,
        '2026-03-01 10:00:00.125',
        1772352000,
        '2026-03-01',
        '13:14:15',
        '2',
        '0102FF',
        'AB',
        'héllo',
        'happy',
        ['a', 'c'],
        2026,
        0.1,
        '129',
      ]);
      expect(second).toEqual(['2', null, null, null, null, null, null, null, null, null, null, null, null, null, [], null, null, null]);
    });
  });

  it('stream more rows than one batch; a sum and an average come back as DECIMAL', async () => {
    await withConnection(db.url, async (c, req, session) => {
      expect(await c.query(req('many', 'SELECT seq AS n, seq / 4 AS q, CAST(seq AS DECIMAL(10,2)) AS d FROM seq_1_to_25003'))).toBe(25003);
      expect(await read(session, `SELECT count(*)::INTEGER, sum(n)::VARCHAR, any_value(typeof(q)), sum(q)::VARCHAR FROM ${RESULTS_CATALOG}.main.many`)).toEqual([
        [25003, '312587506', 'DECIMAL(24,4)', '78146876.5000'],
      ]);
      await c.query(req('agg', 'SELECT SUM(amount) AS s, AVG(amount) AS a, COUNT(*) AS c FROM orders'));
      expect(await read(session, `SELECT typeof(s), s::VARCHAR, typeof(a), a::VARCHAR, typeof(c) FROM ${RESULTS_CATALOG}.main.agg`)).toEqual([
        ['DECIMAL(36,2)', '123456789012.25', 'DECIMAL(18,6)', '123456789012.250000', 'BIGINT'],
      ]);
    });
  });

  it('bind $name params as ? values: typed, never spliced, literals and comments left alone, lists expanded', async () => {
    await withConnection(db.url, async (c, req, session) => {
      const params: BoundParams = {
        values: { month_start: '2026-03-01', who: "x'; DROP TABLE orders; --", ids: ['2', '5'], none: [], n: 2 },
        types: { month_start: 'DATE', who: 'VARCHAR', ids: 'VARCHAR[]', none: 'VARCHAR[]', n: 'BIGINT' },
      };
      const sql = "SELECT count(*) AS n, $who AS who, '$month_start' AS literal, $month_start AS d FROM orders AS `$n` -- $who\nWHERE day >= $month_start OR id IN ($ids) OR id IN ($none) OR id = $n";
      await c.query(req('bound', sql, { params }));
      expect(await read(session, `SELECT n, who, literal, d::VARCHAR, typeof(d) FROM ${RESULTS_CATALOG}.main.bound`)).toEqual([
        ['2', "x'; DROP TABLE orders; --", '$month_start', '2026-03-01', 'DATE'],
      ]);
    });
    expect((await db.sql('SELECT count(*) AS n FROM orders'))[0].n).toBe(2);
    const original = 'SELECT $a, \'$b\', "$c", a$d /* $e */ # $f\n, $a';
    const rewritten = toPlaceholders(original, { values: { a: 1 }, types: { a: 'DOUBLE' } });
    expect(rewritten.text).toBe('SELECT ?, \'$b\', "$c", a$d /* $e */ # $f\n, ?');
    expect(rewritten.names).toEqual(['a', 'a']);
    expect(rewritten.original(rewritten.text.lastIndexOf('?'))).toBe(original.lastIndexOf('$a'));
  });

  it('a timeout becomes max_statement_time on the server: E_SQL_TIMEOUT, and the pooled session keeps no limit', async () => {
    await withConnection(db.url, async (c, req, session) => {
      await expect(c.query(req('slow', 'SELECT count(*) FROM seq_1_to_100000000 a, seq_1_to_100000000 b', { timeoutMs: 100 }))).rejects.toMatchObject({
        code: 'E_SQL_TIMEOUT',
        hint: expect.stringMatching(/timeout_ms/),
      });
      await c.query(req('limit', 'SELECT @@max_statement_time AS t'));
      expect(await read(session, `SELECT t::DOUBLE FROM ${RESULTS_CATALOG}.main.limit`)).toEqual([[0]]);
    });
  });

  it('an aborted run kills the server-side query: no orphan left in the processlist', async () => {
    const running = async () =>
      Number((await db.sql(`SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND <> 'Sleep' AND INFO LIKE 'SELECT count(*) FROM seq_1_to_100000001 %'`, [db.name]))[0].n);
    await withConnection(db.url, async (c, req) => {
      const ac = new AbortController();
      const query = c.query(req('orphan', 'SELECT count(*) FROM seq_1_to_100000001 a, seq_1_to_100000001 b', { signal: ac.signal }));
      const outcome = query.then(
        () => 'finished',
        (e: QuireError) => e.code ?? e,
      );
      // Abort once the server shows the query running (polled, not slept on).
      while ((await running()) === 0) await new Promise((r) => setImmediate(r));
      ac.abort('test');
      expect(await outcome).toBe('E_SQL_CANCELLED');
      expect(await running()).toBe(0);
    });
  });

  it('server errors are UserErrors with a code and hint: missing table, syntax, permission denied, unknown database, wrong password, host down', async () => {
    await withConnection(db.url, async (c, req) => {
      await expect(c.query(req('missing', 'SELECT * FROM nope'))).rejects.toMatchObject({ code: 'E_MYSQL_TABLE', hint: expect.any(String) });
      await expect(c.query(req('column', 'SELECT nope FROM orders'))).rejects.toMatchObject({ code: 'E_MYSQL_COLUMN' });
      await expect(c.query(req('syntax', 'SELECT FROM WHERE'))).rejects.toMatchObject({ code: 'E_SQL_SYNTAX' });
      await expect(c.query(req('write', 'UPDATE orders SET id = 1'))).rejects.toMatchObject({ code: 'E_SQL_WRITE' });
    });
    await withConnection(`mysql://${noPriv}@127.0.0.1:3306/${db.name}`, async (c, req) => {
      await expect(c.query(req('denied', 'SELECT * FROM secret'))).rejects.toMatchObject({ code: 'E_MYSQL_PERMISSION', hint: expect.stringMatching(/GRANT/) });
    });
    await withConnection(`${MYSQL_SERVER}/quire_no_such_db_${suffix}`, async (c, req) => {
      await expect(c.query(req('nodb', 'SELECT 1'))).rejects.toMatchObject({ code: 'E_MYSQL_DATABASE' });
    });
    await withConnection(`mysql://${withPw}:Wrong-Pw-2@127.0.0.1:3306/${db.name}`, async (c, req) => {
      const err = await c.query(req('pw', 'SELECT 1')).catch((e: QuireError) => e);
      expect(err).toMatchObject({ code: 'E_MYSQL_AUTH', hint: expect.stringMatching(/password/) });
      expect(String((err as Error).message)).not.toMatch(/Wrong-Pw/);
      expect(c.describe()).toBe(`mysql://${withPw}:***@127.0.0.1:3306/${db.name}`);
    });
    await withConnection('mysql://root:pw@127.0.0.1:1/x', async (c, req) => {
      await expect(c.query(req('down', 'SELECT 1'))).rejects.toMatchObject({ code: 'E_MYSQL_UNREACHABLE', message: expect.not.stringContaining('pw') });
    });
  });

  it('write mode runs in a read-write transaction; the result is rows_changed', async () => {
    await withConnection(db.url, async (c, req, session) => {
      await c.query(req('touch', 'UPDATE orders SET updated_at = updated_at WHERE id = $id', { mode: 'write', params: { values: { id: 2 }, types: { id: 'BIGINT' } } }));
      expect(await read(session, `SELECT rows_changed FROM ${RESULTS_CATALOG}.main.touch`)).toEqual([['1']]);
    });
  });
});

describe('mysql SQL analysis', () => {
  it('params, unqualified tables without CTEs, read-only, volatile, syntax errors at the cell offset', async () => {
    const check = await analyzeMysql("WITH c AS (SELECT id FROM orders) SELECT * FROM c JOIN shop.other o ON o.id = c.id WHERE c.id = $id AND '$x' <> $y");
    expect(check).toMatchObject({ tables: ['orders'], params: ['id', 'y'], readOnly: true, volatile: false });
    expect(await analyzeMysql('SELECT NOW(), RAND()')).toMatchObject({ readOnly: true, volatile: true });
    for (const write of ['DELETE FROM t', 'SELECT * FROM t FOR UPDATE', "SELECT * FROM t INTO OUTFILE '/tmp/x'", 'SELECT 1; SELECT 2'])
      expect(await analyzeMysql(write), write).toMatchObject({ readOnly: false });
    const bad = await analyzeMysql('SELECT $a,\n  FROM t');
    // On the second line of the cell's SQL (the parser stops at FROM or its table).
    expect(bad.syntaxError?.offset).toBeGreaterThanOrEqual('SELECT $a,\n  '.length);
    expect(bad.syntaxError?.offset).toBeLessThan('SELECT $a,\n  FROM t'.length);
  });
});

/** A project whose quire.yaml has `shop` (url from the environment) and the notebook. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
function project(notebook: string, connection = 'shop: { type: mysql, url: "${QUIRE_TEST_MYSQL_URL}" }'): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-mysql-'));
  writeFileSync(join(dir, 'quire.yaml'), `connections:\n  ${connection}\n`);
  writeFileSync(join(dir, 'nb.yaml'), notebook);
  return join(dir, 'nb.yaml');
}

describe('mysql cells in a notebook', () => {
  beforeAll(() => {
    process.env.QUIRE_TEST_MYSQL_URL = db.url;
  });

  it('quire validate checks the SQL before it runs, located at notebook line:col', async () => {
    const path = project(`title: Bad
params:
  month: { type: month, default: "2026-03" }
cells:
  - id: recent
    type: query
    connection: shop
    sql: |
      SELECT id
      FROM orders
      WHERE day >= $month_start AND id IN (1, 2
      ORDER BY id
  - id: sneaky
    type: query
    connection: shop
    sql: DELETE FROM orders
`);
    const err = await validateNotebook(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationErrors);
    const errors = (err as ValidationErrors).errors;
    expect(errors.map((e) => [e.code, e.location?.line, e.location?.col])).toEqual([
      ['E_SQL_SYNTAX', 12, 7],
      ['E_SQL_WRITE', 16, 10],
    ]);
    expect(errors[0].hint).toMatch(/MySQL/);
  });

  it('runs: a DuckDB cell reads the MySQL cell by its id; a server error is located in the notebook; the password never shows', async () => {
    process.env.QUIRE_TEST_MYSQL_URL_PW = db.url.replace(`root@`, `${withPw}:Right-Pw-1@`);
    await db.sql(`GRANT SELECT ON ${db.name}.* TO '${withPw}'@'127.0.0.1'`);
    const path = project(
      `title: Orders
params:
  month: { type: month, default: "2026-03" }
cells:
  - id: recent
    type: query
    connection: shop
    sql: |
      SELECT id, amount FROM orders
      WHERE day >= $month_start
  - id: total
    type: query
    sql: SELECT sum(amount) AS amount FROM recent
  - id: broken
    type: query
    connection: shop
    on_error: continue
    sql: |
      SELECT id
      FROM no_such_table
`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
      'shop: { type: mysql, url: "${QUIRE_TEST_MYSQL_URL_PW}" }',
    );
    const result = await runNotebook(path, { cache: 'off' });
    const cells = Object.fromEntries(result.manifest.cells.map((c) => [c.id, c]));
    expect([cells.recent.status, cells.recent.rows, cells.total.status]).toEqual(['succeeded', 1, 'succeeded']);
    expect(cells.broken.error).toMatchObject({ code: 'E_MYSQL_TABLE' });
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const f of files(result.dir)) expect(readFileSync(f).includes('Right-Pw-1'), f).toBe(false);
  });

  it('cache: always runs without ttl or freshness; ttl serves for the window; freshness keys it', async () => {
    let now = Date.parse('2026-03-05T10:00:00Z');
    const clock = () => new Date(now);
    const nb = (cache: string) =>
      project(`title: Cached
cells:
  - id: counted
    type: query
    connection: shop
${cache}    sql: SELECT count(*) AS n FROM orders
`);
    const plain = nb('');
    await runNotebook(plain, { now: clock });
    expect((await runNotebook(plain, { now: clock })).manifest.cells[0]).toMatchObject({ status: 'succeeded', cache_hit: false });

    const ttl = nb('    cache: { ttl: 1h }\n');
    await runNotebook(ttl, { now: clock });
    expect((await runNotebook(ttl, { now: clock })).manifest.cells[0].cache_hit).toBe(true);
    now += 3_600_000;
    expect((await runNotebook(ttl, { now: clock })).manifest.cells[0].cache_hit).toBe(false);

    const fresh = nb('    cache: { freshness: "SELECT max(updated_at) FROM orders" }\n');
    await runNotebook(fresh, { now: clock });
    expect((await runNotebook(fresh, { now: clock })).manifest.cells[0].cache_hit).toBe(true);
    await db.sql(`UPDATE orders SET updated_at = '2026-03-04' WHERE id = 2`);
    expect((await runNotebook(fresh, { now: clock })).manifest.cells[0]).toMatchObject({ cache_hit: false, rows: 1 });
  });
});

describe('MysqlConnection', () => {
  it('probes: version, latency, and a READ ONLY transaction that refuses a write', async () => {
    const c = new MysqlConnection('shop', { type: 'mysql', url: db.url });
    try {
      const probe = await c.probe();
      expect(probe.version).toMatch(/^\d+\.\d+.*MariaDB/);
      expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
      expect(probe).toMatchObject({ readOnly: true, readOnlyDetail: expect.stringMatching(/READ ONLY/) });
    } finally {
      await c.close();
    }
  });
});
