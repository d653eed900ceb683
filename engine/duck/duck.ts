import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBType, BIGINT, BOOLEAN, DATE, DOUBLE, LIST, VARCHAR, dateValue, listValue } from '@duckdb/node-api';
import { OperationalError, UserError } from '../util/errors.js';
import { quoteIdent, RESULTS_CATALOG, sqlString } from './sql-text.js';
import type { DuckInstancePool } from './duck-pool.js';
import { accessKey, applyAccess, HARDENED_CONFIG, type AllowedDirectories } from './access.js';
import type { TableColumn, TableOutput, TableValue } from '../outputs.js';

export { quoteIdent, RESULTS_CATALOG, sqlString };

/** Catalog name under which the project's `database:` file is attached. */
export const DEFAULT_CATALOG = 'db';

export type SqlParamType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'DATE' | 'VARCHAR[]';
export type SqlParamValue = string | number | boolean | string[];
export interface BoundParams {
  values: Record<string, SqlParamValue>;
  types: Record<string, SqlParamType>;
}

/** A DuckDB file attached to a session under `alias`. */
export interface DuckAttachment {
  alias: string;
  path: string;
  readOnly: boolean;
}

export interface DuckSessionOptions {
  /** Project database file, or ':memory:'. */
  database: string;
  /** Attach the database read-write (some cell has `mode: write`). */
  write?: boolean;
  /** Other DuckDB files attached under their connection name (read-only unless a cell writes to it). */
  attach?: readonly DuckAttachment[];
  /** Directory relative file paths in SQL resolve against. */
  fileSearchPath?: string;
  /**
   * An instance to run in instead of a new one (the members of a sweep take turns on a few):
   * databases it has attached already are reused, the results catalog is emptied on open, and
   * closing the session leaves the instance open. One session at a time per instance.
   */
  instance?: DuckDBInstance;
  /** Spare instances to start from and give this one back to (an EngineState's DUCK_POOL); without it the instance is closed with the session. */
  pool?: DuckInstancePool;
  /** IANA zone in which TIMESTAMPTZ values become dates and local times (the project's `timezone:`); unset: the machine's. */
  timezone?: string;
  /** Folders SQL may read and write (access.ts); unset or null: anywhere. Extensions are never auto-installed either way. */
  allowedDirectories?: AllowedDirectories;
  /** DuckDB's worker threads for this session (a server keeps a core for itself); unset: DuckDB's default, every core. */
  threads?: number;
}

/**
 * One in-memory DuckDB instance per run. Cell results are tables in the in-memory catalog;
 * the project database is attached beside it, so a cell id shadows a database table of the
 * same name through the search path. Every connection gets the same search path.
 * A `deferred` session opens on its first connection: a rerun served wholly from the cell
 * cache never starts DuckDB.
 */
export class DuckSession {
  private opened: Promise<{ instance: DuckDBInstance; setupSql: string[] }> | undefined;
  private instance_: DuckDBInstance | undefined;
  private closed = false;
  private readonly connections = new Set<DuckDBConnection>();
  private readonly idle: DuckDBConnection[] = [];

  private constructor(private readonly opts: DuckSessionOptions) {}

  static async open(opts: DuckSessionOptions): Promise<DuckSession> {
    const session = new DuckSession(opts);
    await session.ready();
    return session;
  }

  /** A session that opens DuckDB when it is first asked for a connection; missing database files are reported now. */
  static deferred(opts: DuckSessionOptions): DuckSession {
    const all = [{ alias: DEFAULT_CATALOG, path: opts.database }, ...(opts.attach ?? [])];
    const missing = all.find((a) => a.path !== ':memory:' && !existsSync(a.path));
    if (missing) throw missingDatabase(missing.path, missing.alias);
    return new DuckSession(opts);
  }

  /** Whether DuckDB was started. */
  get isOpen(): boolean {
    return this.instance_ !== undefined;
  }

  private ready() {
    if (this.closed) throw new Error('the DuckDB session is closed');
    this.opened ??= openInstance(this.opts).then((o) => {
      this.instance_ = o.instance;
      return o;
    });
    return this.opened;
  }

  /** A connection with the session's search path, reused from earlier cells when one is free. */
  async connect(): Promise<DuckDBConnection> {
    const idle = this.idle.pop();
    if (idle) return idle;
    const { instance, setupSql } = await this.ready();
    const conn = await instance.connect();
    for (const sql of setupSql) await conn.run(sql);
    this.connections.add(conn);
    return conn;
  }

  /** Gives a connection back for reuse; it stays open until the session closes. */
  release(conn: DuckDBConnection): void {
    if (this.connections.has(conn) && !this.idle.includes(conn)) this.idle.push(conn);
  }

  /** Interrupts every running query (Ctrl-C, timeouts). */
  interruptAll(): void {
    for (const c of this.connections) c.interrupt();
  }

  /** Closing twice is harmless (the instance must not be kept as a spare twice). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.closeSync();
    this.connections.clear();
    this.idle.length = 0;
    const instance = this.instance_;
    if (!instance || this.opts.instance) return;
    // A write session may have changed settings: never kept.
    if (this.opts.write || this.opts.attach?.some((a) => !a.readOnly) || !this.opts.pool) {
      instance.closeSync();
      return;
    }
    this.opts.pool.giveBack(instance, accessKey(this.opts.allowedDirectories), emptyInstance);
  }

  /** First `limit` rows, column types and total row count (counted unless the caller knows it) of a result table. */
  async readTable(conn: DuckDBConnection, table: string, limit: number, rowCount?: number): Promise<TableOutput> {
    const source = `${RESULTS_CATALOG}.main.${quoteIdent(table)}`;
    const reader = await conn.runAndReadAll(`SELECT * FROM ${source} LIMIT ${Math.max(0, Math.floor(limit))}`);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns: TableColumn[] = names.map((name, i) => ({ name, type: String(types[i]) }));
    // A count below what the preview holds is wrong (a statement that answered some other count): counted again.
    if (rowCount === undefined || reader.currentRowCount !== Math.min(limit, rowCount)) {
      const count = await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${source}`);
      rowCount = Number(count.getRows()[0][0]);
    }
    return { kind: 'table', columns, rows: reader.getRowsJson() as TableValue[][], rowCount };
  }
}

function missingDatabase(path: string, alias: string): UserError {
  return new UserError('E_DATABASE_MISSING', `database file not found: ${path}`, {
    hint: alias === DEFAULT_CATALOG ? 'create it (the demo data: `quire demo-data`) or fix `database:` in quire.yaml' : `fix the path of connection '${alias}' in quire.yaml`,
  });
}

const startInstance = () => DuckDBInstance.create(':memory:', HARDENED_CONFIG);

/** Starts DuckDB for a session of `pool` about to open (with `allowedDirectories`), while the caller does other work. */
export function warmInstance(pool: DuckInstancePool, allowedDirectories?: AllowedDirectories): void {
  pool.warm(accessKey(allowedDirectories), startInstance);
}

/** The instance with the databases attached, and the SQL each new connection runs first. */
async function openInstance(opts: DuckSessionOptions): Promise<{ instance: DuckDBInstance; setupSql: string[] }> {
  const instance = opts.instance ?? (await opts.pool?.takeStarted(accessKey(opts.allowedDirectories))) ?? (await startInstance());
  const setupSql: string[] = [];
  const attach = async (conn: DuckDBConnection, path: string, alias: string, readOnly: boolean) => {
    if (opts.instance && (await attachedAs(conn, alias, path, readOnly))) return;
    if (!existsSync(path)) throw missingDatabase(path, alias);
    await conn.run(`ATTACH ${sqlString(path)} AS ${quoteIdent(alias)}${readOnly ? ' (READ_ONLY)' : ''}`);
  };
  const conn = await instance.connect();
  try {
    await applyAccess(instance, conn, opts.allowedDirectories);
    // A setting of the whole instance: a spare is reset when it is given back (emptyInstance).
    if (opts.threads) await conn.run(`SET threads = ${Math.max(1, Math.floor(opts.threads))}`);
    const searchPath = [`${RESULTS_CATALOG}.main`];
    if (opts.database !== ':memory:') {
      await attach(conn, opts.database, DEFAULT_CATALOG, !opts.write);
      searchPath.push(`${DEFAULT_CATALOG}.main`);
    }
    for (const a of opts.attach ?? []) await attach(conn, a.path, a.alias, a.readOnly);
    if (opts.instance) await dropResults(conn);
    setupSql.push(`SET search_path = ${sqlString(searchPath.join(','))}`);
    if (opts.fileSearchPath) setupSql.push(`SET file_search_path = ${sqlString(opts.fileSearchPath)}`);
    if (opts.timezone) setupSql.push(`SET TimeZone = ${sqlString(opts.timezone)}`);
  } catch (err) {
    conn.closeSync();
    if (!opts.instance) instance.closeSync();
    if (err instanceof UserError) throw err;
    throw new OperationalError('E_DATABASE_OPEN', `cannot open database ${opts.database}: ${(err as Error).message}`, {
      hint: 'another process may hold it open for writing; close it or use a copy',
      cause: err,
    });
  }
  conn.closeSync();
  return { instance, setupSql };
}

/** Empties the results catalog (a shared instance holds the previous session's tables). */
async function dropResults(conn: DuckDBConnection): Promise<void> {
  const r = await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = '${RESULTS_CATALOG}' AND schema_name = 'main'`);
  for (const [name] of r.getRows()) await conn.run(`DROP TABLE IF EXISTS ${RESULTS_CATALOG}.main.${quoteIdent(String(name))}`);
}

/** Back to the state of a new instance: no result tables or views, no database attached, every thread. */
async function emptyInstance(instance: DuckDBInstance): Promise<void> {
  const conn = await instance.connect();
  try {
    await dropResults(conn);
    const views = await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE database_name = '${RESULTS_CATALOG}' AND NOT internal`);
    for (const [name] of views.getRows()) await conn.run(`DROP VIEW IF EXISTS ${RESULTS_CATALOG}.main.${quoteIdent(String(name))}`);
    const attached = await conn.runAndReadAll(`SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> '${RESULTS_CATALOG}'`);
    for (const [name] of attached.getRows()) await conn.run(`DETACH ${quoteIdent(String(name))}`);
    await conn.run('RESET threads');
  } finally {
    conn.closeSync();
  }
}

/** True when `alias` is attached from `path` in that mode already; an error when it is attached otherwise. */
async function attachedAs(conn: DuckDBConnection, alias: string, path: string, readOnly: boolean): Promise<boolean> {
  const r = await conn.runAndReadAll('SELECT path, readonly FROM duckdb_databases() WHERE database_name = $alias', { alias });
  const row = r.getRows()[0];
  if (!row) return false;
  if (String(row[0]) !== path || Boolean(row[1]) !== readOnly) {
    throw new Error(`the shared DuckDB instance has ${alias} attached from ${String(row[0])}${row[1] ? ' read-only' : ''}, not ${path}`);
  }
  return true;
}

const DUCK_TYPES: Record<SqlParamType, DuckDBType> = {
  VARCHAR,
  DOUBLE,
  BIGINT,
  BOOLEAN,
  DATE,
  'VARCHAR[]': LIST(VARCHAR),
};

/** The `$name` parameters a prepared statement uses, in order. */
export function parameterNames(stmt: DuckDBPreparedStatement): string[] {
  const names: string[] = [];
  for (let i = 1; i <= stmt.parameterCount; i++) names.push(stmt.parameterName(i));
  return names;
}

/** Binds params by name as typed values: a param's value can never change the statement. */
export function bindParams(stmt: DuckDBPreparedStatement, params: BoundParams): void {
  for (let i = 1; i <= stmt.parameterCount; i++) {
    const name = stmt.parameterName(i);
    const type = params.types[name];
    const value = params.values[name];
    stmt.bindValue(i, toDuckValue(value, type), DUCK_TYPES[type]);
  }
}

function toDuckValue(value: SqlParamValue, type: SqlParamType) {
  switch (type) {
    case 'DATE': {
      const [year, month, day] = String(value).split('-').map(Number);
      return dateValue({ year, month, day });
    }
    case 'BIGINT':
      return BigInt(value as number);
    case 'VARCHAR[]':
      return listValue((value as string[]).map(String));
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    default:
      return String(value);
  }
}
