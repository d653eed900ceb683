/**
 * `quire demo-data --postgres`: the demo warehouse copied into the real PostgreSQL (a fresh
 * database, dropped after) equals the DuckDB one, and the example notebook on it
 * (docs/examples/postgres) runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadDemoIntoPostgres } from '../../engine/demo/postgres.js';
import { DEMO_TABLES } from '../../engine/demo/demo-data.js';
import { runNotebook } from '../../engine/index.js';
import { loadStoredOutputs, outputsMap } from '../../engine/runs/tables.js';
import type { TableOutput } from '../../engine/outputs.js';
import type { QuireError } from '../../engine/util/errors.js';
import { REPO, TEST_DB_ORDERS } from '../helpers/paths.js';
import { createTestDatabase, PG_SERVER, type TestDatabase } from '../helpers/postgres.js';

let db: TestDatabase;
let runs: string;

beforeAll(async () => {
  db = await createTestDatabase();
  runs = mkdtempSync(join(tmpdir(), 'quire-demo-pg-runs-'));
});

afterAll(async () => {
  await db?.drop();
  rmSync(runs, { recursive: true, force: true });
});

async function duckRows(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJson();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('demo-data --postgres', () => {
  it('loads every demo table with the rows and values of the DuckDB warehouse, and the example notebook runs on it', async () => {
    const result = await loadDemoIntoPostgres({ url: db.url, orders: TEST_DB_ORDERS });
    expect(Object.keys(result.tables)).toEqual([...DEMO_TABLES]);
    for (const table of DEMO_TABLES) {
      const [pg] = await db.sql(`SELECT count(*)::int AS n FROM public.${table}`);
      const [[duck]] = await duckRows(`SELECT count(*)::INT FROM ${table}`);
      expect([table, pg.n]).toEqual([table, duck]);
    }
    const [pg] = await db.sql(
      'SELECT count(DISTINCT customer_id)::int AS customers, round(sum(amount)::numeric, 2)::text AS amount, (count(*) FILTER (WHERE country_code IS NULL))::int AS no_country, min(ordered_at)::text AS first FROM orders',
    );
    const [duck] = await duckRows(
      'SELECT count(DISTINCT customer_id)::INT, round(sum(amount), 2)::DECIMAL(18,2)::VARCHAR, (count(*) FILTER (WHERE country_code IS NULL))::INT, min(ordered_at)::VARCHAR FROM orders',
    );
    expect([pg.customers, pg.amount, pg.no_country, pg.first]).toEqual(duck);
    const [types] = await db.sql("SELECT string_agg(data_type, ',' ORDER BY ordinal_position) AS t FROM information_schema.columns WHERE table_name = 'orders'");
    expect(types.t).toBe('integer,integer,date,timestamp without time zone,text,text,text,text,text,double precision,double precision,integer');

    process.env.WAREHOUSE_URL = db.url;
    const run = await runNotebook(join(REPO, 'docs/examples/postgres/monthly-review.yaml'), { params: { month: '2026-03' }, runsDir: runs, cache: 'off' });
    expect(run.manifest.cells.filter((c) => c.status !== 'succeeded')).toEqual([]);
    const totals = outputsMap(loadStoredOutputs(run.dir, run.manifest.id)).get('month_totals') as TableOutput;
    const [[revenue, orders]] = await duckRows(
      "SELECT round(sum(amount), 2)::DOUBLE, count(*)::INT FROM orders WHERE order_date >= DATE '2026-03-01' AND order_date < DATE '2026-04-01' AND status = 'completed'",
    );
    expect(totals.rows[0].slice(0, 2).map(Number)).toEqual([revenue, orders]);
  });

  it('a schema of its own; a bad schema name or an unknown database is a UserError, the password hidden', async () => {
    const r = await loadDemoIntoPostgres({ url: db.url, orders: 1000, schema: 'demo' });
    const [n] = await db.sql('SELECT count(*)::int AS n FROM demo.orders');
    expect(n.n).toBe(r.tables.orders);
    await expect(loadDemoIntoPostgres({ url: db.url, schema: 'Demo; DROP' })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    const err = (await loadDemoIntoPostgres({ url: `${PG_SERVER.replace('postgres@', 'postgres:S3cretPw@')}/quire_no_such_db_x`, orders: 1000 }).catch((e: unknown) => e)) as QuireError;
    expect(err).toMatchObject({ code: 'E_PG_DATABASE' });
    expect(`${err.message} ${err.hint}`).not.toContain('S3cretPw');
  });
});
