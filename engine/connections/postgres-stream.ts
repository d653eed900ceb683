/**
 * The fallback of postgres-copy.ts (a NULL param, an array column): a Postgres cursor's rows into a DuckDB table, one batch at a time: each batch is appended
 * (as text, decimals as decimals) to a staging table of the cell's DuckDB connection, then cast into the result table, so
 * memory holds one batch whatever the row count.
 */
import type { ClientBase } from 'pg';
import type Cursor from 'pg-cursor';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/duck.js';
import { duckColumn, uniqueNames, type DuckColumn, type PgField } from './postgres-types.js';

export const BATCH_ROWS = 10_000;

/** Every value as the text Postgres sent: no JS number or Date in between. */
const asText = { getTypeParser: () => (value: string) => value };

interface Batch {
  rows: (string | null)[][];
  fields: PgField[];
}

function read(cursor: Cursor, rows: number): Promise<Batch> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (err, got, result) => (err ? reject(err) : resolve({ rows: got as unknown as (string | null)[][], fields: (result?.fields ?? []) as PgField[] })));
  });
}

function closeCursor(cursor: Cursor): Promise<void> {
  return new Promise((resolve) => cursor.close(() => resolve()));
}

/** Runs `text` with `values` on `client` and writes its rows to `target`; returns the row count. */
export async function streamInto(client: ClientBase, text: string, values: unknown[], duck: DuckDBConnection, target: string, cellId: string): Promise<number> {
  const { default: CursorClass } = await import('pg-cursor');
  const cursor = client.query(new CursorClass(text, values, { rowMode: 'array', types: asText }));
  const staging = quoteIdent(`__quire_pg_${cellId}`);
  let columns: DuckColumn[] | undefined;
  let total = 0;
  // The next batch is fetched while this one goes into DuckDB: at most two batches in memory.
  let next: Promise<Batch> | undefined = read(cursor, BATCH_ROWS);
  try {
    while (next) {
      const batch: Batch = await next;
      next = batch.rows.length === BATCH_ROWS ? read(cursor, BATCH_ROWS) : undefined;
      if (!columns) {
        const names = uniqueNames(batch.fields);
        columns = batch.fields.map((f, i) => duckColumn(f, names[i]));
        await duck.run(`CREATE OR REPLACE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
        await duck.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${columns.map((c) => `${quoteIdent(c.name)} ${c.stagingType}`).join(', ')})`);
      }
      if (batch.rows.length === 0) break;
      await appendBatch(duck, `__quire_pg_${cellId}`, columns, batch.rows);
      await duck.run(`INSERT INTO ${target} SELECT ${columns.map((c) => c.convert(quoteIdent(c.name))).join(', ')} FROM ${staging}`);
      await duck.run(`DELETE FROM ${staging}`);
      total += batch.rows.length;
    }
  } finally {
    // A fetch still in flight settles before the cursor closes (its error, if any, is the one thrown already).
    await next?.catch(() => {});
    await closeCursor(cursor);
    await duck.run(`DROP TABLE IF EXISTS temp.main.${staging}`);
  }
  return total;
}

async function appendBatch(duck: DuckDBConnection, table: string, columns: readonly DuckColumn[], rows: readonly (string | null)[][]): Promise<void> {
  const appender = await duck.createAppender(table, 'main', 'temp');
  try {
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) {
        const v = row[i];
        if (v === null || v === undefined) appender.appendNull();
        else columns[i].append(appender, v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
