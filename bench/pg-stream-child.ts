// One measurement of bench/pg-stream in its own process, so its peak RSS is this one's alone:
//   cell: a `connection: warehouse` query cell's path (PostgresConnection.query) into a DuckDB table
//   copy: `COPY (query) TO STDOUT` into a CSV file, then DuckDB's read_csv of that file into a table
// Prints {"ms", "rows", "rssMb"} on its last line.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { PostgresConnection } from '../engine/connections/postgres.js';
import { RESULTS_CATALOG, sqlString } from '../engine/duck/duck.js';

const [mode, url, sql] = process.argv.slice(2) as ['cell' | 'copy', string, string];
const db = await DuckDBInstance.create(':memory:');
const duck = await db.connect();
const t0 = performance.now();
let rows = 0;
if (mode === 'cell') {
  const connection = new PostgresConnection('warehouse', { type: 'postgres', url });
  rows = await connection.query({ cellId: 'big', sql, params: { values: {}, types: {} }, mode: 'read', duck });
  await connection.close();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'quire-pg-copy-'));
  const file = join(dir, 'rows.csv');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await pipeline(client.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT csv, HEADER)`)), createWriteStream(file));
  await client.end();
  await duck.run(`CREATE TABLE ${RESULTS_CATALOG}.main.big AS SELECT * FROM read_csv(${sqlString(file)}, header = true)`);
  rows = Number((await duck.runAndReadAll(`SELECT count(*) FROM ${RESULTS_CATALOG}.main.big`)).getRows()[0][0]);
  rmSync(dir, { recursive: true, force: true });
}
const ms = performance.now() - t0;
duck.closeSync();
db.closeSync();
console.log(JSON.stringify({ ms, rows, rssMb: process.resourceUsage().maxRSS / 1024 }));
