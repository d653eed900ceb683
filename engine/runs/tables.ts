/**
 * What a run keeps so its report can be rendered again without re-running queries
 * (`quire export <run-id>`): `outputs.json` (every cell's output as the report shows it, the
 * data stamp) and `tables/<cell id>.parquet` (the full result table of each table cell, for Excel).
 * Every file is written under a temporary name and renamed into place.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeJsonAtomic } from '../util/atomic.js';
import { quoteIdent, RESULTS_CATALOG, sqlString } from '../duck/sql-text.js';
import { OperationalError, UserError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { tableOf, type CellOutput, type DataStamp, type TableColumn } from '../outputs.js';

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

function removeQuietly(path: string): void {
  try {
    if (existsSync(path)) unlinkSync(path);
  } catch {
    /* nothing left to clean */
  }
}

function writeError(id: string, dir: string, err: unknown): OperationalError {
  return new OperationalError('E_WRITE', `cannot save the table of cell ${id} in ${dir}: ${(err as Error).message.split('\n')[0]}`, {
    hint: 'check that the runs folder is writable and the disk is not full',
    cause: err,
  });
}

/**
 * The run folder's `tables/`: each table cell's whole result as Parquet, saved as soon as the
 * cell is done (while other cells run). A table the cell cache holds already is hard-linked
 * from there, not written twice.
 */
export class RunTables {
  readonly stored: Record<string, StoredTable> = {};
  private readonly tablesDir: string;

  constructor(
    private readonly dir: string,
    private readonly logger?: Logger,
  ) {
    this.tablesDir = join(dir, TABLES_DIR);
  }

  /**
   * Saves the table of a cell's output: linked (or copied) from `from.file`, else copied out of
   * the session on `from.conn`. Throws an OperationalError when the folder can't be written.
   */
  async keep(id: string, output: CellOutput, from: { file: string | null; conn?: DuckDBConnection }): Promise<void> {
    const table = tableOf(output);
    if (!table) return;
    mkdirSync(this.tablesDir, { recursive: true });
    const file = join(this.tablesDir, `${id}.parquet`);
    const tmp = `${file}.${process.pid}.tmp`;
    const stored = { file: `${TABLES_DIR}/${id}.parquet`, rows: table.rowCount, columns: table.columns };
    if (from.file) {
      try {
        try {
          linkSync(from.file, tmp);
        } catch {
          copyFileSync(from.file, tmp); // another file system, or links not allowed
        }
        renameSync(tmp, file);
        this.stored[id] = stored;
        return;
      } catch (err) {
        removeQuietly(tmp);
        if (!from.conn) throw writeError(id, this.dir, err);
      }
    }
    if (!from.conn) return;
    const source = `${RESULTS_CATALOG}.main.${quoteIdent(id)}`;
    try {
      await from.conn.run(`COPY (SELECT * FROM ${source}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
      renameSync(tmp, file);
      this.stored[id] = stored;
    } catch (err) {
      removeQuietly(tmp);
      const message = (err as Error).message;
      if (/space|disk|permission|read-only|No such file|I\/O|IO Error/i.test(message)) throw writeError(id, this.dir, err);
      // No such table (a cell whose output is not a table of its own), or a type Parquet cannot
      // hold: exports show the preview rows of this table.
      if (!/does not exist/i.test(message)) this.logger?.log('warn', `table of cell ${id} not saved as Parquet (${message.split('\n')[0]}); exports show its first ${table.rows.length} rows`);
    }
  }
}

/**
 * Writes outputs.json: every cell's output as the report shows it, the tables `RunTables` saved,
 * and the data stamp. Returns what was stored; throws an OperationalError when it can't be written.
 */
export function writeStoredOutputs(dir: string, outputs: ReadonlyMap<string, CellOutput | null>, tables: Record<string, StoredTable>, opts: StoreOptions): StoredOutputs {
  const plain: Record<string, CellOutput> = {};
  const digest = createHash('sha256');
  for (const [id, output] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) {
    if (!output) continue;
    plain[id] = output.kind === 'chart' && output.rendered ? { ...output, rendered: null } : output;
    const table = tableOf(output);
    // The fingerprint covers row count, columns and the preview rows: cheap, and it changes with the data a report shows.
    if (table && tables[id]) digest.update(JSON.stringify([id, table.columns, tables[id].rows, createHash('sha256').update(JSON.stringify(table.rows)).digest('hex')]));
  }
  const stored: StoredOutputs = {
    version: VERSION,
    status: opts.status,
    error: opts.error ?? null,
    description: opts.description ?? null,
    theme: opts.theme ?? null,
    data: { asOf: newestMtime(opts.dataFiles ?? []), fingerprint: digest.digest('hex').slice(0, 12) },
    outputs: plain,
    tables: Object.fromEntries(
      Object.keys(tables)
        .sort()
        .map((id) => [id, tables[id]]),
    ),
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
