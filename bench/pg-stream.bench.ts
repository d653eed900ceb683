// Issue 18: a 1,000,000-row Postgres query cell streamed into DuckDB vs `COPY (query) TO STDOUT`
// into a file plus DuckDB's read_csv of it (goal ≤ 1.5×), with the cell's peak RSS ≤ 400 MB.
// Each measurement runs in its own process (bench/pg-stream-child.ts). Needs PostgreSQL on
// 127.0.0.1:5432 (user postgres, trust); the bench makes its own database and drops it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { median, ms, ratio } from './util.js';

const ROWS = 1_000_000;
const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const SQL = 'SELECT * FROM bench_rows';

interface Measured {
  ms: number;
  rows: number;
  rssMb: number;
}

function measure(mode: 'cell' | 'copy', url: string): Measured {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pg-stream-child.ts'), mode, url, SQL], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

export async function run(): Promise<string[]> {
  const database = `quire_bench_stream_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = `postgres://postgres@127.0.0.1:5432/${database}`;
  try {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    // The shape of an orders extract: ids, money as numeric(12,2), a timestamptz, a date, text, a flag, a float.
    await setup.query(`CREATE TABLE bench_rows AS
      SELECT i::bigint AS order_id, (i % 25000)::int AS customer_id, round((i % 9973) * 1.37, 2)::numeric(12,2) AS amount,
             timestamptz '2024-01-01 00:00:00+00' + (i * interval '31 seconds') AS ordered_at, date '2024-01-01' + (i % 1096) AS day,
             (ARRAY['NA','EU','APAC','LATAM'])[1 + i % 4] AS region, 'customer-' || (i % 25000) || '@example.com' AS email,
             i % 7 = 0 AS returned, (i % 1000) / 7.0::float8 AS score
      FROM generate_series(1, ${ROWS}) AS i`);
    await setup.end();
    const cells: Measured[] = [];
    const copies: Measured[] = [];
    for (let i = 0; i < 3; i++) {
      copies.push(measure('copy', url));
      cells.push(measure('cell', url));
    }
    for (const m of [...cells, ...copies]) if (m.rows !== ROWS) throw new Error(`expected ${ROWS} rows, got ${m.rows}`);
    const cell = median(cells.map((m) => m.ms));
    const copy = median(copies.map((m) => m.ms));
    const rss = Math.max(...cells.map((m) => m.rssMb));
    return [
      `${ROWS.toLocaleString('en-US')} rows, 9 columns; median of 3, each in its own process`,
      `query cell into DuckDB: ${ms(cell)}, peak RSS ${rss.toFixed(0)} MB (goal ≤ 400 MB: ${rss <= 400 ? 'met' : 'MISSED'})`,
      `COPY TO STDOUT file + read_csv: ${ms(copy)} (RSS ${Math.max(...copies.map((m) => m.rssMb)).toFixed(0)} MB)`,
      `cell / copy: ${ratio(cell, copy)} (goal ≤ 1.5×: ${cell / copy <= 1.5 ? 'met' : 'MISSED'})`,
    ];
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}
