/**
 * The fast way a Postgres read cell's rows reach DuckDB: `COPY (query) TO STDOUT (FORMAT csv)`
 * streamed into a temp file, which DuckDB's CSV reader loads with the columns' exact types. No
 * row passes through JS, and memory stays bounded whatever the row count (the rows wait on
 * disk, not in a buffer). COPY takes no bind parameters, so params are set for the transaction
 * first (`set_config`, bound values) and the query reads them back (postgres-sql.ts
 * `settingPlaceholder`): a param value never becomes SQL text.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, sqlString } from '../duck/duck.js';
import { duckColumn, isArrayField, uniqueNames, type DuckColumn, type PgField } from './postgres-types.js';

type CopyStreams = typeof import('pg-copy-streams');
/** pg-copy-streams (CommonJS): its functions sit on `default` in the CLI bundle. */
export async function loadCopyStreams(): Promise<CopyStreams> {
  const m = (await import('pg-copy-streams')) as CopyStreams & { default?: CopyStreams };
  return typeof m.to === 'function' ? m : m.default!;
}

/** Types DuckDB's CSV reader parses from Postgres's text output as they are. */
const READ_AS_IS = /^(BOOLEAN|BIGINT|INTEGER|SMALLINT|UBIGINT|FLOAT|DOUBLE|VARCHAR|DATE|TIMESTAMP|TIMESTAMPTZ|TIME|UUID|DECIMAL\(\d+,\d+\))$/;

/** How the CSV reader reads a column, and the SQL that makes it the column's type. */
function csvColumn(c: DuckColumn): { readAs: string; select: string } {
  const col = quoteIdent(c.name);
  return READ_AS_IS.test(c.type) ? { readAs: c.type, select: col } : { readAs: 'VARCHAR', select: `${c.convert(col)} AS ${col}` };
}

/** A server error's position (1-based, in the text sent) moved back into `text`, before the wrapper `prefix`. */
function unwrapped(prefix: string) {
  return (err: unknown): never => {
    const e = err as { position?: string };
    if (e && typeof e.position === 'string' && Number(e.position) > prefix.length) e.position = String(Number(e.position) - prefix.length);
    throw err;
  };
}

/**
 * Copies the result of `text` (params as `settingPlaceholder`s, their values in `values`) into
 * `target`; returns the row count, or null when a column can't go through CSV (arrays: their
 * text is not a DuckDB list), for the caller to stream with a cursor instead.
 */
export async function copyInto(client: ClientBase, text: string, values: unknown[], duck: DuckDBConnection, target: string): Promise<number | null> {
  if (values.length) {
    await client.query(`SELECT ${values.map((_, i) => `set_config('quire.p${i + 1}', $${i + 1}::text, true)`).join(', ')}`, values);
  }
  // A newline before the closing parenthesis: the cell's SQL may end in a -- comment.
  const shapePrefix = 'SELECT * FROM (';
  const shape = await client.query({ text: `${shapePrefix}${text}\n) AS quire_shape LIMIT 0`, rowMode: 'array' }).catch(unwrapped(shapePrefix));
  const fields = shape.fields as unknown as PgField[];
  if (fields.some(isArrayField)) return null;
  const names = uniqueNames(fields);
  const columns = fields.map((f, i) => csvColumn(duckColumn(f, names[i])));
  const copyTo = (await loadCopyStreams()).to;
  const dir = await mkdtemp(join(tmpdir(), 'quire-pg-'));
  try {
    const file = join(dir, 'rows.csv');
    await pipeline(client.query(copyTo(`COPY (${text}\n) TO STDOUT (FORMAT csv)`)), createWriteStream(file)).catch(unwrapped('COPY ('));
    const spec = `{${names.map((n, i) => `${sqlString(n)}: ${sqlString(columns[i].readAs)}`).join(', ')}}`;
    const read = `read_csv(${sqlString(file)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${spec})`;
    await duck.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${columns.map((c) => c.select).join(', ')} FROM ${read}`);
    return Number((await duck.runAndReadAll(`SELECT count(*) FROM ${target}`)).getRows()[0][0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
