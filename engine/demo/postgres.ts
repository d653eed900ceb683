/**
 * `quire demo-data --postgres <url>`: the demo warehouse (demo-data.ts, built in DuckDB) copied
 * into a PostgreSQL schema, so notebooks can run `connection: warehouse` cells on it. Each table
 * leaves DuckDB as a CSV file (DuckDB's COPY) and enters Postgres through `COPY ... FROM STDIN`
 * (pg-copy-streams): no row passes through JS. All in one transaction: a failed load leaves the
 * schema as it was.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type pg from 'pg';
import { sqlString } from '../duck/duck.js';
import { pgError, redactUrl } from '../connections/postgres-errors.js';
import { loadCopyStreams } from '../connections/postgres-copy.js';
import { OperationalError, UserError } from '../util/errors.js';
import { buildDemoData, DEFAULT_ORDERS, DEMO_TABLES } from './demo-data.js';

export interface LoadDemoPostgresOptions {
  /** postgres://user:password@host:5432/database */
  url: string;
  /** The schema the tables go into (created when missing; its demo tables are replaced). Default `public`. */
  schema?: string;
  orders?: number;
  onProgress?: (msg: string) => void;
}

export interface LoadDemoPostgresResult {
  /** The url with its password hidden. */
  target: string;
  schema: string;
  orders: number;
  tables: Record<string, number>;
  ms: number;
}

/** DuckDB column types of the demo tables → Postgres types that keep every value as it is. */
function pgType(duckType: string): string {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckType);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const types: Record<string, string> = {
    VARCHAR: 'text',
    BIGINT: 'bigint',
    INTEGER: 'integer',
    SMALLINT: 'smallint',
    DOUBLE: 'double precision',
    FLOAT: 'real',
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    BOOLEAN: 'boolean',
  };
  const t = types[duckType];
  if (!t) throw new Error(`no Postgres type for the demo column type ${duckType}`);
  return t;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Builds the demo data (`orders` orders) and loads it into `schema` of the database at `url`.
 *
 * @example
 *   await loadDemoIntoPostgres({ url: process.env.PG_URL!, schema: 'demo', orders: 200_000 });
 */
export async function loadDemoIntoPostgres(opts: LoadDemoPostgresOptions): Promise<LoadDemoPostgresResult> {
  const t0 = performance.now();
  const schema = opts.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new UserError('E_BAD_ARGUMENT', `--schema must be a plain lowercase name (letters, digits, _), got "${schema}"`, { hint: 'e.g. --schema demo' });
  }
  const progress = opts.onProgress ?? (() => {});
  const target = redactUrl(opts.url);
  const { Client } = (await import('pg')).default;
  const copyFrom = (await loadCopyStreams()).from;
  const client: pg.Client = new Client({ connectionString: opts.url, application_name: 'quire demo-data', connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  // Server and network failures say what to do; anything else is this machine's trouble (disk, DuckDB).
  const fail = (err: unknown) =>
    typeof (err as { code?: unknown })?.code === 'string'
      ? pgError(err, { connection: 'demo-data --postgres', url: opts.url })
      : new OperationalError('E_DEMO_DATA', `loading the demo data into ${target} failed: ${(err as Error).message}`, { hint: 'check the disk space of the temp folder, then run again', cause: err });
  try {
    await client.connect();
  } catch (err) {
    throw fail(err);
  }
  const dir = await mkdtemp(join(tmpdir(), 'quire-demo-pg-'));
  let instance: DuckDBInstance | undefined;
  try {
    const built = await buildDemoData({ out: join(dir, 'warehouse.duckdb'), orders: opts.orders ?? DEFAULT_ORDERS, onProgress: (m) => progress(`duckdb: ${m}`) });
    instance = await DuckDBInstance.create(built.out, { access_mode: 'READ_ONLY' });
    const duck = await instance.connect();
    const tables: Record<string, number> = {};
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
      for (const table of DEMO_TABLES) {
        const s = performance.now();
        const columns = (await duck.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${sqlString(table)} ORDER BY ordinal_position`)).getRows();
        const qualified = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)}`;
        await client.query(`DROP TABLE IF EXISTS ${qualified}`);
        await client.query(`CREATE TABLE ${qualified} (${columns.map(([name, type]) => `${client.escapeIdentifier(String(name))} ${pgType(String(type))}`).join(', ')})`);
        const file = join(dir, `${table}.csv`);
        await duck.run(`COPY ${table} TO ${sqlString(file)} (FORMAT csv, HEADER false)`);
        await pipeline(createReadStream(file), client.query(copyFrom(`COPY ${qualified} FROM STDIN (FORMAT csv)`)));
        await rm(file);
        await client.query(`ANALYZE ${qualified}`);
        tables[table] = built.tables[table];
        progress(`postgres: ${schema}.${table}: ${built.tables[table].toLocaleString('en-US')} rows (${((performance.now() - s) / 1000).toFixed(1)} s)`);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      duck.closeSync();
    }
    return { target, schema, orders: built.orders, tables, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw fail(err);
  } finally {
    instance?.closeSync();
    await client.end().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
