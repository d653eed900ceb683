/**
 * What a run keeps so its report can be rendered again without re-running queries
 * (`quire export <run-id>`): `outputs.json` (every cell's output as the report shows it, the
 * data stamp) and `tables/<cell id>.parquet` (the full result table of each table cell, for Excel).
 * Every file is written under a temporary name and renamed into place.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeJsonAtomic } from '../atomic.js';
import { quoteIdent, RESULTS_CATALOG, sqlString, type DuckSession } from '../duck.js';
import { OperationalError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { tableOf, type CellOutput, type DataStamp, type TableColumn, type TableOutput } from './model.js';

export const OUTPUTS_FILE = 'outputs.json';
export const TABLES_DIR = 'tables';
const VERSION = 1;

export interface StoredTable {
  /** Path of the Parquet file, relative to the run folder. */
  file: string;
  rows: number;
  columns: TableColumn[];
}

export interface StoredOutputs {
  version: number;
  /** The run's status and error once its cells ran, before any export (re-exports show the run as it was). */
  status: 'succeeded' | 'failed' | 'partial' | 'running';
  error: string | null;
  description: string | null;
  theme: 'light' | 'dark' | null;
  data: DataStamp | null;
  outputs: Record<string, CellOutput>;
  tables: Record<string, StoredTable>;
}

export interface StoreOptions {
  status: StoredOutputs['status'];
  error?: string | null;
  description?: string | null;
  theme?: 'light' | 'dark' | null;
  /** The database files the run read (their newest modification time is "data as of"). */
  dataFiles?: string[];
  logger?: Logger;
}

async function tableExists(conn: DuckDBConnection, id: string): Promise<boolean> {
  const r = await conn.runAndReadAll(
    `SELECT count(*)::INTEGER FROM duckdb_tables() WHERE database_name = '${RESULTS_CATALOG}' AND schema_name = 'main' AND table_name = $name`,
    { name: id },
  );
  return Number(r.getRows()[0]?.[0] ?? 0) > 0;
}

/** Newest modification time of the files that exist, ISO 8601; null when none does. */
function newestMtime(files: readonly string[]): string | null {
  let newest = -Infinity;
  for (const f of files) {
    try {
      newest = Math.max(newest, statSync(f).mtimeMs);
    } catch {
      /* in-memory or missing */
    }
  }
  return Number.isFinite(newest) ? new Date(newest).toISOString() : null;
}

const STORE_CONCURRENCY = 4;

/** One result table → tables/<id>.parquet (atomically) with its row count and content hash. */
async function storeTable(conn: DuckDBConnection, dir: string, tablesDir: string, id: string, table: TableOutput, opts: StoreOptions): Promise<{ stored: StoredTable; hash: string } | null> {
  if (!(await tableExists(conn, id))) return null;
  const source = `${RESULTS_CATALOG}.main.${quoteIdent(id)}`;
  // The fingerprint covers row count, columns and the preview rows: cheap, and it changes with the data a report shows.
  const rows = table.rowCount;
  const hash = createHash('sha256').update(JSON.stringify(table.rows)).digest('hex');
  const file = join(tablesDir, `${id}.parquet`);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await conn.run(`COPY (SELECT * FROM ${source}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
    renameSync(tmp, file);
    return { stored: { file: `${TABLES_DIR}/${id}.parquet`, rows, columns: table.columns }, hash };
  } catch (err) {
    try {
      if (existsSync(tmp)) unlinkSync(tmp);
    } catch {
      /* nothing left to clean */
    }
    const message = (err as Error).message;
    if (/space|disk|permission|read-only|No such file|I\/O|IO Error/i.test(message)) {
      throw new OperationalError('E_WRITE', `cannot save the table of cell ${id} in ${dir}: ${message.split('\n')[0]}`, {
        hint: 'check that the runs folder is writable and the disk is not full',
        cause: err,
      });
    }
    // A type Parquet cannot hold: Excel gets the preview rows of this table instead.
    opts.logger?.log('warn', `table of cell ${id} not saved as Parquet (${message.split('\n')[0]}); exports show its first ${table.rows.length} rows`);
    return null;
  }
}

/**
 * Writes outputs.json and the Parquet copies of the result tables while the run's DuckDB session
 * is still open. Returns what was stored; throws an OperationalError when the folder can't be written.
 */
export async function storeOutputs(session: DuckSession, dir: string, outputs: ReadonlyMap<string, CellOutput | null>, opts: StoreOptions): Promise<StoredOutputs> {
  const tables: Record<string, StoredTable> = {};
  const plain: Record<string, CellOutput> = {};
  const hashes = new Map<string, string>();
  const tablesDir = join(dir, TABLES_DIR);
  const pending: [string, TableOutput][] = [];
  for (const [id, output] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) {
    if (!output) continue;
    plain[id] = output.kind === 'chart' && output.rendered ? { ...output, rendered: null } : output;
    const table = tableOf(output);
    if (table) pending.push([id, table]);
  }
  if (pending.length) mkdirSync(tablesDir, { recursive: true });
  // Tables are saved a few at a time, each on its own connection: many small COPYs overlap.
  const worker = async () => {
    const conn = await session.connect();
    try {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const [id, table] = next;
        const saved = await storeTable(conn, dir, tablesDir, id, table, opts);
        if (saved) {
          tables[id] = saved.stored;
          hashes.set(id, JSON.stringify([id, table.columns, saved.stored.rows, saved.hash]));
        }
      }
    } finally {
      session.release(conn);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STORE_CONCURRENCY, pending.length) }, worker));
  const digest = createHash('sha256');
  for (const id of [...hashes.keys()].sort()) digest.update(hashes.get(id)!);
  const stored: StoredOutputs = {
    version: VERSION,
    status: opts.status,
    error: opts.error ?? null,
    description: opts.description ?? null,
    theme: opts.theme ?? null,
    data: { asOf: newestMtime(opts.dataFiles ?? []), fingerprint: digest.digest('hex').slice(0, 12) },
    outputs: plain,
    tables,
  };
  writeJsonAtomic(join(dir, OUTPUTS_FILE), stored);
  return stored;
}

/** The stored outputs of a run folder; a clear error for runs made before outputs were kept. */
export function loadStoredOutputs(dir: string, runId: string): StoredOutputs {
  const path = join(dir, OUTPUTS_FILE);
  if (!existsSync(path)) {
    throw new UserError('E_RUN_NO_OUTPUTS', `run ${runId} has no ${OUTPUTS_FILE}: it did not finish storing its outputs, or an older quire made it`, {
      hint: 'run the notebook again (quire run) to get a run that can be exported',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new OperationalError('E_RUN_OUTPUTS', `cannot read ${path}: ${(err as Error).message}`, { hint: 'the file is damaged; run the notebook again', cause: err });
  }
  const s = parsed as Partial<StoredOutputs> | null;
  if (!s || typeof s !== 'object' || s.version !== VERSION || typeof s.outputs !== 'object' || typeof s.tables !== 'object') {
    throw new OperationalError('E_RUN_OUTPUTS', `${path} is not outputs of this quire version (version ${String(s?.version)})`, { hint: 'run the notebook again' });
  }
  return s as StoredOutputs;
}

/** Outputs by cell id, as `buildReportModel` takes them. */
export function outputsMap(stored: StoredOutputs): Map<string, CellOutput | null> {
  return new Map(Object.entries(stored.outputs));
}
