/**
 * Every registered connection type passes this suite (engine/connections/index.ts). A type
 * brings a fixture below: a place holding a table `t(v VARCHAR)` it can change, and a way to open
 * the connection on it with a DuckDB session holding the results catalog.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CONNECTION_TYPES, type ConnectionConfig } from '../../engine/connections/index.js';
import type { Connection, QueryRequest } from '../../engine/connections/connection.js';
import { DuckSession, RESULTS_CATALOG, quoteIdent, type BoundParams } from '../../engine/duck/duck.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { createTestMysqlDatabase } from '../helpers/mysql.js';

interface Opened {
  connection: Connection;
  session: DuckSession;
  duck: DuckDBConnection;
}

interface Fixture {
  /** Opens the connection (read-write when `write`) and a session it writes results into. */
  open(write: boolean): Promise<Opened>;
  /** The values of t, read beside the connection. */
  rows(): Promise<string[]>;
  /** Adds a row to t, beside the connection (while it is closed). */
  insert(v: string): Promise<void>;
  /** A query that runs for minutes unless cancelled. */
  slowSql: string;
  cleanup(): void | Promise<void>;
}

async function duckdbFile(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-conn-duckdb-'));
  const path = join(dir, 'data.duckdb');
  const direct = async <T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    try {
      return await fn(c);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  };
  await direct((c) => c.run(`CREATE TABLE t AS SELECT * FROM (VALUES ('a'), ('b')) v(v)`));
  const type = CONNECTION_TYPES.find((t) => t.type === 'duckdb')!;
  return {
    async open(write) {
      const config: ConnectionConfig = { type: 'duckdb', path: 'data.duckdb' };
      const connection = type.open('files', config, { root: dir, write });
      const session = await DuckSession.open({ database: ':memory:', attach: connection.attachments });
      return { connection, session, duck: await session.connect() };
    },
    rows: () => direct(async (c) => (await c.runAndReadAll('SELECT v FROM t ORDER BY v')).getRows().map((r) => String(r[0]))),
    insert: (v) => direct(async (c) => void (await c.run(`INSERT INTO t VALUES ('${v}')`))),
    slowSql: 'SELECT sum(a.range * b.range) AS s FROM range(1000000000) a, range(1000) b',
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database on the test PostgreSQL server; its freshness SQL lets it fingerprint t. */
async function postgresServer(): Promise<Fixture> {
  const db = await createTestDatabase(`CREATE TABLE t (v text); INSERT INTO t VALUES ('a'), ('b')`);
  const type = CONNECTION_TYPES.find((t) => t.type === 'postgres')!;
  const config = { type: 'postgres', url: db.url, cache: { freshness: 'SELECT count(*), max(v) FROM t' } };
  return {
    async open(write) {
      const connection = type.open('warehouse', config, { root: tmpdir(), write });
      const session = await DuckSession.open({ database: ':memory:', attach: [] });
      return { connection, session, duck: await session.connect() };
    },
    rows: async () => (await db.sql('SELECT v FROM t ORDER BY v')).map((r) => String(r.v)),
    insert: async (v) => void (await db.sql('INSERT INTO t VALUES ($1)', [v])),
    slowSql: 'SELECT pg_sleep(600)',
    cleanup: () => db.drop(),
  };
}

/** A fresh database on the test MariaDB server; its freshness SQL lets it fingerprint t. */
async function mysqlServer(): Promise<Fixture> {
  const db = await createTestMysqlDatabase(`CREATE TABLE t (v VARCHAR(100)); INSERT INTO t VALUES ('a'), ('b')`);
  const type = CONNECTION_TYPES.find((t) => t.type === 'mysql')!;
  const config = { type: 'mysql', url: db.url, cache: { freshness: 'SELECT count(*), max(v) FROM t' } };
  return {
    async open(write) {
      const connection = type.open('shop', config, { root: tmpdir(), write });
      const session = await DuckSession.open({ database: ':memory:', attach: [] });
      return { connection, session, duck: await session.connect() };
    },
    rows: async () => (await db.sql('SELECT v FROM t ORDER BY v')).map((r) => String(r.v)),
    insert: async (v) => void (await db.sql('INSERT INTO t VALUES (?)', [v])),
    // MariaDB's sequence engine: a cross join that runs for minutes unless killed.
    slowSql: 'SELECT count(*) AS n FROM seq_1_to_100000000 a, seq_1_to_100000000 b',
    cleanup: () => db.drop(),
  };
}

/** One fixture per registered type: a new type without one fails the first test. */
const FIXTURES: Record<string, () => Promise<Fixture>> = {
  duckdb: duckdbFile,
  postgres: postgresServer,
  mysql: mysqlServer,
};

const noParams: BoundParams = { values: {}, types: {} };

async function resultRows(duck: DuckDBConnection, id: string): Promise<Record<string, unknown>[]> {
  const r = await duck.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.${quoteIdent(id)}`);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

describe.each(CONNECTION_TYPES.map((t) => t.type))('connection type %s', (type) => {
  let fixture: Fixture | undefined;
  const open: Opened[] = [];
  const setup = async (write = false) => {
    fixture ??= await FIXTURES[type]!();
    const o = await fixture.open(write);
    open.push(o);
    return o;
  };
  const request = (o: Opened, cellId: string, sql: string, more: Partial<QueryRequest> = {}): QueryRequest => ({ cellId, sql, params: noParams, mode: 'read', duck: o.duck, ...more });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.connection.close();
      o.session.close();
    }
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('has a conformance fixture', () => {
    expect(FIXTURES[type], `add a fixture for ${type} to FIXTURES`).toBeDefined();
  });

  it('attaches: a query reads its data into a table named by the cell id, and nothing else', async () => {
    const o = await setup();
    const before = (await o.duck.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = '${RESULTS_CATALOG}'`)).getRows()[0][0];
    const rows = await o.connection.query(request(o, 'first_cell', 'SELECT v FROM t ORDER BY v'));
    expect(rows).toBe(2);
    expect(await resultRows(o.duck, 'first_cell')).toEqual([{ v: 'a' }, { v: 'b' }]);
    const after = (await o.duck.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = '${RESULTS_CATALOG}'`)).getRows()[0][0];
    expect(Number(after) - Number(before)).toBe(1);
  });

  it('binds params as values: a value written as SQL stays a string', async () => {
    const o = await setup();
    const evil = "x'; DROP TABLE t; --";
    const params: BoundParams = { values: { p: evil, n: 1 }, types: { p: 'VARCHAR', n: 'BIGINT' } };
    await o.connection.query(request(o, 'bound', 'SELECT $p AS p, count(*) AS c FROM t WHERE v <> $p AND $n = 1', { params }));
    expect(await resultRows(o.duck, 'bound')).toEqual([{ p: evil, c: '2' }]);
    await o.connection.close();
    expect(await fixture!.rows()).toEqual(['a', 'b']);
  });

  it('fingerprints its data: changed by a write, not by reading or by time', async () => {
    const o = await setup();
    const first = await o.connection.fingerprint();
    expect(first).toEqual(expect.any(String));
    await o.connection.query(request(o, 'read_it', 'SELECT * FROM t'));
    expect(await o.connection.fingerprint()).toBe(first);
    await o.connection.close();
    o.session.close();
    await fixture!.insert('c');
    const reopened = await setup();
    const changed = await reopened.connection.fingerprint();
    expect(changed).not.toBe(first);
    expect(await reopened.connection.fingerprint()).toBe(changed);
  });

  it('refuses a write statement before it runs, unless mode is write', async () => {
    const o = await setup();
    await expect(o.connection.query(request(o, 'sneaky', 'DELETE FROM t'))).rejects.toMatchObject({ code: 'E_SQL_WRITE' });
    await o.connection.close();
    o.session.close();
    expect(await fixture!.rows()).toEqual(['a', 'b']);

    const w = await setup(true);
    await w.connection.query(request(w, 'writer', "DELETE FROM t WHERE v = 'a'", { mode: 'write' }));
    expect(await resultRows(w.duck, 'writer')).toEqual([{ rows_changed: '1' }]);
    await w.connection.close();
    w.session.close();
    expect(await fixture!.rows()).toEqual(['b']);
  });

  it('cancels a long query: by cancel() and by the request signal', async () => {
    const o = await setup();
    const running = o.connection.query(request(o, 'slow', fixture!.slowSql));
    // A cancel that comes before the query started would be missed: repeat until it ends.
    const repeat = setInterval(() => o.connection.cancel(), 20);
    await expect(running).rejects.toThrow(/interrupt/i);
    clearInterval(repeat);

    const ac = new AbortController();
    const aborted = o.connection.query(request(o, 'slow2', fixture!.slowSql, { signal: ac.signal }));
    const again = setInterval(() => ac.abort('test'), 20);
    await expect(aborted).rejects.toThrow();
    clearInterval(again);
    // Still usable afterwards.
    await o.connection.query(request(o, 'after', 'SELECT count(*) AS n FROM t'));
    expect(await resultRows(o.duck, 'after')).toEqual([{ n: '2' }]);
  }, 30_000);

  it('closes: later queries fail, and no handle is left open', async () => {
    const handles = process
      .getActiveResourcesInfo()
      .filter((h) => h !== 'Timeout')
      .sort();
    const o = await setup();
    await o.connection.query(request(o, 'before_close', 'SELECT * FROM t'));
    await o.connection.close();
    await o.connection.close();
    await expect(o.connection.query(request(o, 'after_close', 'SELECT * FROM t'))).rejects.toMatchObject({ code: 'E_CONNECTION_CLOSED' });
    o.session.close();
    open.length = 0;
    expect(
      process
        .getActiveResourcesInfo()
        .filter((h) => h !== 'Timeout')
        .sort(),
    ).toEqual(handles);
  });
});
