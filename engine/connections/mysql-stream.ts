/**
 * A MySQL/MariaDB result into a DuckDB table, one batch at a time: rows of a prepared statement
 * (binary protocol, params bound) are gathered into a batch; a full batch is appended to a staging
 * table of the cell's DuckDB connection and cast into the result table while the next one is
 * read, and the socket pauses while two wait, so memory holds about two batches whatever the row
 * count.
 */
import type { PoolConnection } from 'mysql2';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/duck.js';
import { duckColumn, uniqueNames, type DuckColumn, type MysqlField } from './mysql-types.js';

export const BATCH_ROWS = 10_000;

/**
 * One DuckDB connection runs one statement at a time ("Attempting to execute an unsuccessful or
 * closed pending query result" otherwise): queries streaming into the same one (several metric
 * scans at once) take turns step by step.
 */
const turns = new WeakMap<DuckDBConnection, Promise<unknown>>();
function onDuck<T>(duck: DuckDBConnection, step: () => Promise<T>): Promise<T> {
  const result = (turns.get(duck) ?? Promise.resolve()).then(step, step);
  turns.set(
    duck,
    result.catch(() => {}),
  );
  return result;
}

/**
 * Runs `text` with `values` on `conn` and writes its rows to `target`; returns the row count.
 * When writing into DuckDB fails mid-result, the connection is destroyed (the rest of the result
 * is never read): the caller must not release it to the pool.
 */
/** Calls `onLost` once if the connection errs or closes (a cancel kills the session). */
export function whenLost(conn: PoolConnection, onLost: (err: unknown) => void): () => void {
  const stream = (conn as unknown as { stream?: NodeJS.EventEmitter }).stream;
  let done = false;
  const lost = (err?: unknown) => {
    if (done) return;
    done = true;
    onLost(err ?? Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }));
  };
  const closed = () => lost();
  conn.once('error', lost);
  stream?.once('close', closed);
  return () => {
    done = true;
    conn.removeListener('error', lost);
    stream?.removeListener('close', closed);
  };
}

export function streamInto(conn: PoolConnection, text: string, values: unknown[], duck: DuckDBConnection, target: string, cellId: string): Promise<number> {
  const stagingName = `__quire_my_${cellId}`;
  const staging = quoteIdent(stagingName);
  let columns: DuckColumn[] | undefined;
  let batch: unknown[][] = [];
  let total = 0;
  let ended = false;
  let pending = 0;
  let paused = false;
  // DuckDB work runs in order, one step after the other, while rows keep arriving.
  let chain: Promise<void> = Promise.resolve();
  let failed: unknown;
  const then = (step: () => Promise<void>) => {
    chain = chain
      .then(() => onDuck(duck, step))
      .catch((err: unknown) => {
        if (failed === undefined) {
          failed = err;
          conn.destroy();
          if (!ended) finish();
        }
      });
  };
  const flush = (rows: unknown[][]) => async () => {
    if (failed !== undefined || !columns || rows.length === 0) return;
    await appendBatch(duck, stagingName, columns, rows);
    await duck.run(`INSERT INTO ${target} SELECT ${columns.map((c) => c.convert(quoteIdent(c.name))).join(', ')} FROM ${staging}`);
    await duck.run(`DELETE FROM ${staging}`);
    total += rows.length;
  };
  const createTables = (fields: MysqlField[]) => async () => {
    const names = uniqueNames(fields);
    columns = fields.map((f, i) => duckColumn(f, names[i]));
    await duck.run(`CREATE OR REPLACE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${columns.map((c) => `${quoteIdent(c.name)} ${c.stagingType}`).join(', ')})`);
  };

  let finish: (err?: unknown) => void = () => {};
  return new Promise<number>((resolve, reject) => {
    finish = (err?: unknown) => {
      ended = true;
      then(flush(batch));
      batch = [];
      void chain.then(async () => {
        await onDuck(duck, () => duck.run(`DROP TABLE IF EXISTS temp.main.${staging}`)).catch(() => {});
        if (failed !== undefined) reject(failed);
        else if (err !== undefined) reject(err);
        else if (!columns) reject(new Error('the statement returned no result set'));
        else resolve(total);
      });
    };
    const cmd = conn.execute({ sql: text, values: values as never[], rowsAsArray: true });
    cmd.on('fields', (fields: MysqlField[]) => then(createTables(fields)));
    cmd.on('result', (row: unknown) => {
      if (failed !== undefined) return;
      batch.push(row as unknown[]);
      if (batch.length < BATCH_ROWS) return;
      const rows = batch;
      batch = [];
      // Rows keep arriving while a batch goes into DuckDB; a second full batch waits for it.
      pending++;
      if (pending > 1 && !paused) {
        paused = true;
        conn.pause();
      }
      then(flush(rows));
      then(async () => {
        pending--;
        if (paused && !ended && failed === undefined) {
          paused = false;
          conn.resume();
        }
      });
    });
    cmd.on('error', (err: unknown) => {
      // A fatal error ends the command with 'error' only; a later 'end' is ignored.
      if (!ended) finish(err);
    });
    cmd.on('end', () => {
      if (!ended) finish();
    });
    // A killed session ends the connection, not the command: the command would wait forever.
    const stopWatching = whenLost(conn, (err) => {
      if (!ended) finish(err);
    });
    cmd.once('end', stopWatching);
    cmd.once('error', stopWatching);
  });
}

async function appendBatch(duck: DuckDBConnection, table: string, columns: readonly DuckColumn[], rows: readonly unknown[][]): Promise<void> {
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
