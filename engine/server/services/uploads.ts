/**
 * Uploading a CSV, XLSX or Parquet file into a NEW table of the project database, in two steps:
 *
 * 1. `stageUpload`: the file is checked and converted to a Parquet file in a scratch folder of the
 *    server (DuckDB infers the types over the whole file; a bad line or cell is a UserError naming
 *    the row and column). The inferred columns, the row count and a preview come back with an id.
 * 2. `commitUpload`: the project database is attached read-write, and inside one transaction the
 *    name is checked to be free and `CREATE TABLE … AS` reads the staged file: the table appears
 *    whole or not at all.
 *
 * No text of the user reaches SQL: the file paths are the server's own (bound as values), column
 * names come from the file through DuckDB's reader, and the table name is validated and quoted.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { DEFAULT_CATALOG, quoteIdent, sqlString } from '../../duck/duck.js';
import { applyAccess, HARDENED_CONFIG } from '../../duck/access.js';
import { projectPath } from '../../project.js';
import { FieldInputError, OperationalError, QuireError, UserError } from '../../util/errors.js';
import type { StateKey } from '../../util/state.js';
import type { ServiceContext } from './context.js';
import { DATABASE_LOCK } from './database-lock.js';
import { columnSchema, tableNames } from './tables.js';
import { sheetToCsv } from './upload-xlsx.js';

export const UPLOAD_FORMATS = ['csv', 'xlsx', 'parquet'] as const;
export type UploadFormat = (typeof UPLOAD_FORMATS)[number];

/** Largest file accepted by default (the server's `--upload-limit` may change it). */
export const DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024;
/** How long a staged upload waits for its commit. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
/** Staged uploads kept at once; the oldest goes first. */
const MAX_STAGED = 20;
const PREVIEW_ROWS = 10;

export const uploadIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'an upload id');
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export const commitInputSchema = z.object({
  table: z.string().regex(TABLE_NAME, 'a table name: letters, digits and _, starting with a letter or _, at most 63 characters'),
});

export const stagedUploadSchema = z.object({
  id: z.string(),
  filename: z.string(),
  format: z.enum(UPLOAD_FORMATS),
  /** Bytes. */
  size: z.number(),
  /** The sheet read, for a workbook. */
  sheet: z.string().nullable(),
  row_count: z.number(),
  columns: z.array(columnSchema),
  preview: z.array(z.array(z.unknown())),
  /** A table name to suggest, from the file name; one the database does not have (`orders_2` when `orders` is taken). */
  suggested_table: z.string(),
  expires_at: z.string(),
});

export const committedUploadSchema = z.object({ table: z.string(), row_count: z.number(), columns: z.array(columnSchema) });

export type StagedUpload = z.infer<typeof stagedUploadSchema>;
export type CommittedUpload = z.infer<typeof committedUploadSchema>;

interface Staged {
  info: StagedUpload;
  dir: string;
  parquet: string;
  expires: number;
}

/** The staged uploads of a server: a scratch folder removed when the state closes. */
export class UploadStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'quire-uploads-'));
  private readonly staged = new Map<string, Staged>();

  add(s: Staged): void {
    this.staged.set(s.info.id, s);
    while (this.staged.size > MAX_STAGED) this.remove(this.staged.keys().next().value!);
  }

  get(id: string, now: number): Staged | undefined {
    this.expire(now);
    return this.staged.get(id);
  }

  remove(id: string): void {
    const s = this.staged.get(id);
    this.staged.delete(id);
    if (s) rmSync(s.dir, { recursive: true, force: true });
  }

  expire(now: number): void {
    for (const [id, s] of this.staged) if (s.expires <= now) this.remove(id);
  }

  close(): void {
    this.staged.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const UPLOADS: StateKey<UploadStore> = { name: 'staged uploads', create: () => new UploadStore(), close: (s) => s.close() };

function formatOf(filename: string): UploadFormat {
  const ext = extname(filename).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.parquet') return 'parquet';
  throw new UserError('E_UPLOAD_FORMAT', `can't load '${filename}': only .csv, .tsv, .xlsx and .parquet files are accepted`, {
    hint: ext === '.xls' ? 'save the workbook as .xlsx' : 'export the data as CSV, XLSX or Parquet',
  });
}

/** Magic bytes of the format: a renamed or truncated file is refused before DuckDB reads it. */
function checkMagic(format: UploadFormat, data: Uint8Array, filename: string): void {
  const ascii = (from: number, to: number) => Buffer.from(data.subarray(from, to)).toString('latin1');
  const bad =
    (format === 'xlsx' && ascii(0, 4) !== 'PK\u0003\u0004') || (format === 'parquet' && (data.byteLength < 12 || ascii(0, 4) !== 'PAR1' || ascii(data.byteLength - 4, data.byteLength) !== 'PAR1'));
  if (bad) {
    throw new UserError('E_UPLOAD_CORRUPT', `'${filename}' is not a readable ${format === 'xlsx' ? 'XLSX workbook' : 'Parquet file'} (it is damaged, cut short or of another format)`, {
      hint: 'export the file again and upload it once more',
    });
  }
}

/** A table name suggested from a file name: `Sales 2026.csv` → `sales_2026`. */
export function suggestTableName(filename: string): string {
  const base = filename
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z_]/.test(base) ? base : `t_${base || 'upload'}`;
}

/** `base` if no name of `taken` is it (case-insensitively, as DuckDB resolves names), else the first free `base_2`, `base_3`, … */
export function freeTableName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const name = `${base.slice(0, 62 - String(n).length)}_${n}`;
    if (!used.has(name.toLowerCase())) return name;
  }
}

async function stagingConnection(dir: string): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', HARDENED_CONFIG);
  const conn = await instance.connect();
  await applyAccess(instance, conn, [dir]);
  return { instance, conn };
}

interface Reject {
  line: number;
  column: string | null;
  message: string;
}

/** Refuses a CSV with bad lines: the first few, by line (or sheet row) and column. */
function refuseRejects(rejects: Reject[], total: number, where: (line: number) => string): void {
  if (!total) return;
  const shown = rejects.map((r) => `${where(r.line)}${r.column ? `, column ${r.column}` : ''}: ${r.message}`);
  const more = total > rejects.length ? ` (and ${total - rejects.length} more)` : '';
  throw new UserError('E_UPLOAD_BAD_ROW', `${total === 1 ? 'a row' : `${total} rows`} of the file can't be read: ${shown.join('; ')}${more}`, {
    hint: 'fix those rows (the first line is the header, with the column names) and upload the file again; nothing was loaded',
  });
}

/** Reads `source` (CSV; XLSX converted to CSV first; Parquet) into `parquet`. */
async function convert(conn: DuckDBConnection, format: UploadFormat, source: string, parquet: string, dir: string): Promise<{ sheet: string | null }> {
  if (format === 'parquet') {
    await conn.run('COPY (SELECT * FROM read_parquet($src)) TO $out (FORMAT parquet)', { src: source, out: parquet });
    return { sheet: null };
  }
  let csv = source;
  let sheet: string | null = null;
  let types: string[] | null = null;
  let rowOfLine: number[] | null = null;
  if (format === 'xlsx') {
    csv = join(dir, 'sheet.csv');
    ({ sheet, types, rowOfLine } = await sheetToCsv(source, csv));
  }
  // `types` are the reader's own type names (a fixed set), by position; sample_size=-1 infers over every row.
  const typesSql = types ? `, types=[${types.map((t) => sqlString(t)).join(', ')}], delim=','` : '';
  await conn.run(
    `COPY (SELECT * FROM read_csv($src, header=true, sample_size=-1, store_rejects=true, rejects_table='upload_rejects', rejects_scan='upload_scans'${typesSql})) TO $out (FORMAT parquet)`,
    { src: csv, out: parquet },
  );
  const count = Number((await conn.runAndReadAll('SELECT count(*) FROM upload_rejects')).getRows()[0][0]);
  const first = await conn.runAndReadAll('SELECT line, column_name, error_message FROM upload_rejects ORDER BY line LIMIT 3');
  const rejects = first.getRows().map(([line, column, message]) => ({ line: Number(line), column: column === null ? null : String(column), message: String(message).split('\n')[0] }));
  refuseRejects(rejects, count, (line) => (rowOfLine ? `sheet '${sheet}', row ${rowOfLine[line - 1] ?? line}` : `line ${line}`));
  return { sheet };
}

/** DuckDB's reading error as a UserError: its first line says where (e.g. "CSV Error on Line: 7"). */
function readError(err: unknown, filename: string, format: UploadFormat): QuireError {
  if (err instanceof QuireError) return err;
  const message = (err as Error).message ?? String(err);
  const first = message.split('\n').find((l) => l.trim()) ?? message;
  const line = /Line:\s*(\d+)/i.exec(message)?.[1];
  return new UserError('E_UPLOAD_BAD_FILE', `can't read '${filename}' as ${format.toUpperCase()}${line ? ` (line ${line})` : ''}: ${first}`, {
    hint: format === 'csv' ? 'a CSV file needs a header line with the column names, one delimiter throughout and UTF-8 text' : 'export the file again and upload it once more',
    cause: err,
  });
}

/**
 * Stages an uploaded file: checks it, infers its columns over every row and keeps it as Parquet
 * until it is committed (or expires). Nothing reaches the project database.
 */
export async function stageUpload(ctx: ServiceContext, file: { filename: string; data: Uint8Array }, opts: { maxBytes?: number } = {}): Promise<StagedUpload> {
  const maxBytes = opts.maxBytes ?? DEFAULT_UPLOAD_LIMIT;
  const filename = file.filename.replace(/^.*[\\/]/, '').slice(0, 200) || 'upload';
  const format = formatOf(filename);
  if (file.data.byteLength > maxBytes) {
    throw new UserError('E_UPLOAD_TOO_LARGE', `'${filename}' is ${(file.data.byteLength / 1048576).toFixed(1)} MB; uploads are limited to ${(maxBytes / 1048576).toFixed(0)} MB`, {
      hint: 'load larger files with a query cell or the DuckDB CLI',
    });
  }
  if (!file.data.byteLength) throw new UserError('E_UPLOAD_EMPTY', `'${filename}' is empty`, { hint: 'choose a file with a header row and data' });
  checkMagic(format, file.data, filename);
  const store = ctx.state.get(UPLOADS);
  const now = ctx.clock().getTime();
  store.expire(now);
  const id = randomUUID().replace(/-/g, '');
  const dir = join(store.dir, id);
  mkdirSync(dir);
  const source = join(dir, `source.${format}`);
  const parquet = join(dir, 'staged.parquet');
  writeFileSync(source, file.data);
  const { instance, conn } = await stagingConnection(dir);
  try {
    const { sheet } = await convert(conn, format, source, parquet, dir).catch((err) => {
      throw readError(err, filename, format);
    });
    rmSync(source, { force: true });
    const described = await conn.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($p)', { p: parquet });
    const columns = described.getRows().map(([name, type]) => ({ name: String(name), type: String(type) }));
    const rowCount = Number((await conn.runAndReadAll('SELECT count(*) FROM read_parquet($p)', { p: parquet })).getRows()[0][0]);
    const preview = (await conn.runAndReadAll(`SELECT * FROM read_parquet($p) LIMIT ${PREVIEW_ROWS}`, { p: parquet })).getRowsJson() as unknown[][];
    const info: StagedUpload = {
      id,
      filename,
      format,
      size: file.data.byteLength,
      sheet,
      row_count: rowCount,
      columns,
      preview,
      suggested_table: freeTableName(suggestTableName(filename), await tableNames(ctx)),
      expires_at: new Date(now + UPLOAD_TTL_MS).toISOString(),
    };
    store.add({ info, dir, parquet, expires: now + UPLOAD_TTL_MS });
    return info;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export function stagedUpload(ctx: ServiceContext, id: string): StagedUpload {
  return found(ctx, id).info;
}

function found(ctx: ServiceContext, id: string): Staged {
  const now = ctx.clock().getTime();
  const s = uploadIdSchema.safeParse(id).success ? ctx.state.get(UPLOADS).get(id, now) : undefined;
  if (!s) {
    throw new UserError('E_UPLOAD_UNKNOWN', `no staged upload '${id}' (it was committed, it expired after ${UPLOAD_TTL_MS / 60000} minutes, or the server restarted)`, {
      hint: 'upload the file again',
    });
  }
  return s;
}

export interface CommitHooks {
  /** Called inside the transaction after the table is made, before COMMIT (tests make it fail). */
  beforeCommit?: () => void | Promise<void>;
}

/**
 * Creates `table` from a staged upload, atomically; refuses a name the database has (tables and
 * views, case-insensitively, as DuckDB resolves names). The staged file is removed after.
 */
export async function commitUpload(ctx: ServiceContext, id: string, input: { table: string }, hooks: CommitHooks = {}): Promise<CommittedUpload> {
  const staged = found(ctx, id);
  const parsed = commitInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new FieldInputError('table', 'E_BAD_TABLE_NAME', `'${String(input.table)}' is not a table name`, { hint: 'letters, digits and _, starting with a letter or _, at most 63 characters' });
  }
  const { table } = parsed.data;
  const database = projectPath(ctx.project, ctx.project.config.database);
  if (database === ':memory:') {
    throw new UserError('E_UPLOAD_NO_DATABASE', 'the project has no database file to load the table into', { hint: 'set `database:` in quire.yaml, e.g. database: data/warehouse.duckdb' });
  }
  return ctx.state.get(DATABASE_LOCK).write(async () => {
    mkdirSync(dirname(database), { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', HARDENED_CONFIG);
    const conn = await instance.connect();
    try {
      await applyAccess(instance, conn, [dirname(database), staged.dir]);
      try {
        // the path is quire.yaml's `database:` (ATTACH takes no bound parameter)
        await conn.run(`ATTACH ${sqlString(database)} AS ${quoteIdent(DEFAULT_CATALOG)}`);
      } catch (err) {
        throw new OperationalError('E_DATABASE_BUSY', `can't open the project database for writing: ${(err as Error).message.split('\n')[0]}`, {
          hint: 'another process (a run, the scheduler, a DuckDB shell) has it open; try again when it is done',
          cause: err,
        });
      }
      await conn.run('BEGIN TRANSACTION');
      try {
        const names = await conn.runAndReadAll(
          `SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = 'main'
           UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = $db AND schema_name = 'main'`,
          { db: DEFAULT_CATALOG },
        );
        const existing = names.getRows().map(([name]) => String(name));
        const taken = existing.find((name) => name.toLowerCase() === table.toLowerCase());
        if (taken !== undefined) {
          throw new FieldInputError('table', 'E_TABLE_EXISTS', `the project database already has a table named '${taken}'; an upload never replaces one`, {
            hint: `choose another name: '${freeTableName(table, existing)}' is free (or drop the old table yourself first)`,
          });
        }
        const target = `${quoteIdent(DEFAULT_CATALOG)}.main.${quoteIdent(table)}`;
        await conn.run(`CREATE TABLE ${target} AS SELECT * FROM read_parquet($p)`, { p: staged.parquet });
        const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${target}`)).getRows()[0][0]);
        if (rows !== staged.info.row_count)
          throw new OperationalError('E_UPLOAD_COMMIT', `the new table has ${rows} rows, the staged file ${staged.info.row_count}`, { hint: 'upload the file again' });
        await hooks.beforeCommit?.();
        await conn.run('COMMIT');
        ctx.state.get(UPLOADS).remove(id);
        return { table, row_count: rows, columns: staged.info.columns };
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => {});
        if (err instanceof QuireError) throw err;
        throw new OperationalError('E_UPLOAD_COMMIT', `creating table ${table} failed: ${(err as Error).message.split('\n')[0]}`, { hint: 'nothing was written; try again', cause: err });
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
}
