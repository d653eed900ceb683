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
    return { rows, values: read.getRowsJson(), types: read.columnTypes().map(String) };
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
});
