/**
 * The COPY path of Postgres read cells (postgres-copy.ts) against the real PostgreSQL: text that
 * CSV must quote, empty strings apart from NULLs, params read back from the transaction's
 * settings, a trailing comment, and the cursor fallback (a NULL param, an array column).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { connectionType, type ConnectionConfig } from '../../engine/connections/index.js';
import { DuckSession, RESULTS_CATALOG, type BoundParams } from '../../engine/duck/duck.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE notes (id int, body text, day date, amount numeric(10,2), ok boolean);
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE TABLE typed (id bigint, big numeric(20,4), total numeric, placed timestamptz, local timestamp, took interval, ref uuid,
      meta jsonb, doc json, raw bytea, feeling mood, at time, f4 real, f8 double precision, small smallint);
    INSERT INTO typed VALUES
      (9007199254740993, 1234567890123456.1234, 12.3456789012, '2026-03-01 10:00:00.123456+02', '2026-03-01 10:00:00.5', '1 year 2 mons 3 days 04:05:06.7',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, "a,b"]}', '{"x": "y, z"}', '\\x0102ff', 'happy', '23:59:59.999', 1.5, 0.1, -3),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    INSERT INTO notes VALUES (1, 'a, "quoted"
second line', '2026-03-01', 1.50, true), (2, '', '2026-03-02', NULL, false), (3, NULL, NULL, -2.25, NULL), (4, '\\N', '2026-03-04', 0, true);
  `);
});

afterAll(async () => {
  await db?.drop();
});

async function query(sql: string, params: BoundParams = { values: {}, types: {} }): Promise<{ rows: number; values: unknown[][]; types: string[] }> {
  const connection = connectionType('postgres')!.open('warehouse', { type: 'postgres', url: db.url } as ConnectionConfig, { root: tmpdir(), write: false });
  const session = await DuckSession.open({ database: ':memory:' });
  const duck = await session.connect();
  try {
    const rows = await connection.query({ cellId: 'out', sql, params, mode: 'read', duck });
    const read = await duck.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.out`);
    // DESCRIBE, not the reader's column types: those show JSON as the VARCHAR it is stored as.
    const types = (await duck.runAndReadAll(`DESCRIBE ${RESULTS_CATALOG}.main.out`)).getRows().map((r) => String(r[1]));
    return { rows, values: read.getRowsJson(), types };
  } finally {
    await connection.close();
    session.close();
  }
}

describe('postgres read cells through COPY', () => {
  it('keep text that CSV quotes, empty strings apart from NULLs, and exact types; a trailing -- comment is fine', async () => {
    const r = await query('SELECT * FROM notes ORDER BY id -- the whole table');
    expect(r.rows).toBe(4);
    expect(r.types).toEqual(['INTEGER', 'VARCHAR', 'DATE', 'DECIMAL(10,2)', 'BOOLEAN']);
    expect(r.values).toEqual([
      [1, 'a, "quoted"\nsecond line', '2026-03-01', '1.50', true],
      [2, '', '2026-03-02', null, false],
      [3, null, null, '-2.25', null],
      [4, '\\N', '2026-03-04', '0.00', true],
    ]);
  });

  it('read params back from the transaction, typed (date, list, number); a NULL param or an array column goes through the cursor', async () => {
    const params: BoundParams = {
      values: { from: '2026-03-02', ids: ['1', '2', '4'], min: -1 },
      types: { from: 'DATE', ids: 'VARCHAR[]', min: 'DOUBLE' },
    };
    const r = await query('SELECT id FROM notes WHERE day >= $from AND id::text = ANY($ids) AND coalesce(amount, 0) > $min ORDER BY id', params);
    expect(r.values).toEqual([[2], [4]]);
    const withNull = await query('SELECT count(*) AS n FROM notes WHERE $p::text IS NULL', { values: { p: null as unknown as string }, types: { p: 'VARCHAR' } });
    expect(withNull.values).toEqual([['4']]);
    const arrays = await query('SELECT array_agg(id ORDER BY id) AS ids FROM notes');
    expect(arrays).toMatchObject({ types: ['INTEGER[]'], values: [[[1, 2, 3, 4]]] });
  });

  it('give the same table as the cursor for every scalar type: decimals, timestamptz, interval, uuid, json(b), bytea, enums, time, floats', async () => {
    const sql = 'SELECT * FROM typed WHERE $p::text IS NULL OR true ORDER BY id';
    const copied = await query(sql, { values: { p: 'x' }, types: { p: 'VARCHAR' } });
    const cursor = await query(sql, { values: { p: null as unknown as string }, types: { p: 'VARCHAR' } });
    expect(copied.types).toEqual([
      'BIGINT',
      'DECIMAL(20,4)',
      'DECIMAL(38,10)',
      'TIMESTAMP WITH TIME ZONE',
      'TIMESTAMP',
      'INTERVAL',
      'UUID',
      'JSON',
      'JSON',
      'BLOB',
      'VARCHAR',
      'TIME',
      'FLOAT',
      'DOUBLE',
      'SMALLINT',
    ]);
    expect(copied.types).toEqual(cursor.types);
    expect(copied.values).toEqual(cursor.values);
    expect(copied.values[1][0]).toBe('9007199254740993');
    expect(copied.values[1].filter((v) => v === null)).toEqual([]);
    expect(copied.values[0].slice(1).every((v) => v === null)).toBe(true);
  });
});
