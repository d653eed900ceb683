/**
 * `type: mysql` (MySQL or MariaDB): a cell's SQL runs on the server (mysql2, prepared statements),
 * in a READ ONLY transaction unless the cell has `mode: write`, with its `$name` params as `?`
 * bind values and its timeout as max_statement_time (MariaDB) or MAX_EXECUTION_TIME (MySQL); the
 * rows stream into the results catalog under the cell id. Aborting the run kills the query on
 * the server (KILL CONNECTION from a second connection), so none is left running.
 */
import type mysql from 'mysql2';
import * as z from 'zod';
import { RESULTS_CATALOG, quoteIdent, type SqlParamType, type SqlParamValue } from '../duck/duck.js';
import { cacheSchema, serverFingerprint } from './cache-config.js';
import { closedError, type CacheDeclaration, type Connection, type ConnectionProbe, type ConnectionType, type QueryRequest, type SqlCheck } from './connection.js';
import { mysqlError } from './mysql-errors.js';
import { analyzeMysql, toPlaceholders } from './mysql-sql.js';
import { streamInto, whenLost } from './mysql-stream.js';
import { redactUrl } from './postgres-errors.js';

/** mysql2, loaded when a MySQL connection is first used (not at every `quire` start). */
const loadMysql = async (): Promise<typeof mysql> => (await import('mysql2')).default;

const schema = z.strictObject({
  type: z.literal('mysql'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax, shown to the user
  url: z.string().min(1).describe('mysql://user:password@host:3306/database (MySQL or MariaDB); put it in the environment: url: ${MYSQL_URL}'),
  cache: cacheSchema.optional(),
});
export type MysqlConfig = z.infer<typeof schema>;

/** How values come back: exact text for decimals, 64-bit integers and dates; UTC. */
const RESULT_OPTIONS = { dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, jsonStrings: true, decimalNumbers: false, timezone: 'Z' } as const;

interface Running {
  conn: mysql.PoolConnection;
  cancelling?: Promise<void>;
}

/** A command's outcome, or the connection's loss (which mysql2 reports on the connection only). */
function settle(conn: mysql.PoolConnection, start: (done: (err: unknown, result?: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = whenLost(conn, reject);
    start((err, result) => {
      stop();
      if (err) reject(err);
      else resolve(result);
    });
  });
}

const run = (conn: mysql.PoolConnection, sql: string, values?: unknown[]): Promise<unknown> => settle(conn, (done) => conn.query({ sql, values }, done));

const execute = (conn: mysql.PoolConnection, sql: string, values: unknown[] = []): Promise<unknown> =>
  settle(conn, (done) => conn.execute({ sql, values: values as never[], rowsAsArray: true }, done));

/**
 * Closes the statement `execute` prepared: MariaDB re-executing a prepared statement with CTEs
 * under UNION fails ("Attempting to execute an unsuccessful or closed pending query result").
 */
const unprepare = (conn: mysql.PoolConnection, sql: string): void => {
  conn.unprepare({ sql, rowsAsArray: true } as never);
};

/** A param as the type it binds as (a date as DATE, a whole number as BIGINT). */
function bindValue(m: typeof mysql, value: SqlParamValue | null, type: SqlParamType | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'DATE') return m.TypedParameter.DATE(new Date(`${String(value)}T00:00:00Z`));
  if (type === 'BIGINT') return m.TypedParameter.LONGLONG(BigInt(value as number));
  return value;
}

export class MysqlConnection implements Connection {
  readonly type = 'mysql';
  readonly attachments = [];
  private pool: mysql.Pool | undefined;
  private mariadb: boolean | undefined;
  private readonly running = new Set<Running>();
  private closed = false;

  constructor(
    readonly name: string,
    readonly config: MysqlConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private async getPool(): Promise<mysql.Pool> {
    if (this.pool) return this.pool;
    const m = await loadMysql();
    this.pool ??= m.createPool({ uri: this.config.url, connectionLimit: 4, maxIdle: 0, idleTimeout: 5_000, connectTimeout: 10_000, ...RESULT_OPTIONS });
    return this.pool;
  }

  /** A connection of the pool, in UTC, knowing which server it talks to. */
  async connect(): Promise<mysql.PoolConnection> {
    if (this.closed) throw closedError(this.name);
    try {
      const pool = await this.getPool();
      const conn = await new Promise<mysql.PoolConnection>((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
      try {
        await run(conn, "SET time_zone = '+00:00'");
        if (this.mariadb === undefined) this.mariadb = /mariadb/i.test(String(((await run(conn, 'SELECT VERSION() AS v')) as { v: string }[])[0].v));
      } catch (err) {
        conn.destroy();
        throw err;
      }
      return conn;
    } catch (err) {
      throw mysqlError(err, { connection: this.name, url: this.config.url });
    }
  }

  /** The statement time limit of the session's next statements; 0: none. */
  private limit(conn: mysql.PoolConnection, timeoutMs: number | undefined): Promise<unknown> {
    const ms = timeoutMs === undefined ? 0 : Math.max(1, Math.trunc(timeoutMs));
    return this.mariadb ? run(conn, `SET SESSION max_statement_time = ${ms / 1000}`) : run(conn, `SET SESSION MAX_EXECUTION_TIME = ${ms}`);
  }

  async query(req: QueryRequest): Promise<number> {
    if (this.closed) throw closedError(this.name);
    const { duck, signal } = req;
    signal?.throwIfAborted();
    const locate = (offset: number | undefined) => req.locateOffset?.(offset);
    const ctx = { connection: this.name, url: this.config.url, cellId: req.cellId };
    const check: SqlCheck = req.generated && req.mode === 'read' ? { tables: [], params: [], isQuery: true, readOnly: true } : await analyzeMysql(req.sql);
    if (check.syntaxError) throw mysqlError({ errno: 1064, sqlMessage: check.syntaxError.message }, { ...ctx, locate: () => locate(check.syntaxError?.offset) });
    if (req.mode !== 'write' && !check.readOnly) throw mysqlError({ errno: 1792, sqlMessage: `not a read-only query (${check.statements ?? 0} statement(s); a read cell holds one SELECT)` }, ctx);
    const m = await loadMysql();
    const placeholders = toPlaceholders(req.sql, req.params);
    const values = placeholders.values.map((b) => bindValue(m, b.value, b.type));
    const running: Running = { conn: await this.connect() };
    this.running.add(running);
    const onAbort = () => void this.cancelOne(running);
    signal?.addEventListener('abort', onAbort, { once: true });
    const target = `${RESULTS_CATALOG}.main.${quoteIdent(req.cellId)}`;
    let broken = false;
    try {
      await this.limit(running.conn, req.timeoutMs);
      await run(running.conn, req.mode === 'write' ? 'START TRANSACTION' : 'START TRANSACTION READ ONLY');
      if (signal?.aborted) throw signal.reason;
      if (running.cancelling) throw Object.assign(new Error('interrupted'), { errno: 1317 });
      let rows: number;
      if (req.mode === 'write') {
        const result = (await execute(running.conn, placeholders.text, values)) as { affectedRows?: number };
        rows = 1;
        await duck.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${Math.trunc(result.affectedRows ?? 0)}::BIGINT AS rows_changed`);
      } else {
        rows = await streamInto(running.conn, placeholders.text, values, duck, target, req.cellId);
      }
      // SLEEP() and some reads end normally when killed: a query the run stopped is not a result.
      if (running.cancelling) throw Object.assign(new Error('interrupted'), { errno: 1317 });
      await run(running.conn, 'COMMIT');
      return rows;
    } catch (err) {
      await run(running.conn, 'ROLLBACK').catch(() => {
        broken = true;
      });
      await running.cancelling;
      if (signal?.aborted && err === signal.reason) throw err;
      throw mysqlError(err, {
        ...ctx,
        sql: placeholders.text,
        cancelled: signal?.aborted || this.closed || running.cancelling !== undefined,
        locate: (o) => locate(o === undefined ? undefined : placeholders.original(o)),
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(running);
      // A kill may land after the query ended: that session is not reused, so it can't hit another cell's query.
      if (running.cancelling) {
        await running.cancelling;
        broken = true;
      }
      if (broken) running.conn.destroy();
      else {
        unprepare(running.conn, placeholders.text);
        await this.limit(running.conn, undefined).catch(() => {
          broken = true;
        });
        if (broken) running.conn.destroy();
        else running.conn.release();
      }
    }
  }

  /**
   * Kills the session running the query, from a second connection (the server's way): its
   * statement and any sent after it (KILL QUERY alone can land just before the statement starts
   * and miss it). A cancelled session is never reused.
   */
  private cancelOne(running: Running): Promise<void> {
    running.cancelling ??= (async () => {
      const id = running.conn.threadId;
      if (!id) return;
      const m = await loadMysql();
      const other = m.createConnection({ uri: this.config.url, connectTimeout: 10_000 });
      try {
        await new Promise<void>((resolve, reject) => other.query(`KILL CONNECTION ${Math.trunc(id)}`, (err) => (err ? reject(err) : resolve())));
      } catch {
        // the server is gone (so is the query), or the query had ended
      } finally {
        await new Promise<void>((resolve) => other.end(() => resolve()));
      }
    })();
    return running.cancelling;
  }

  /** The declared `cache:` decides (serverFingerprint): ttl window, freshness SQL, or always run. */
  fingerprint(own?: CacheDeclaration): Promise<string | null> {
    return serverFingerprint(own ?? this.config.cache, this.now(), (sql) => this.freshness(sql));
  }

  private async freshness(sql: string): Promise<unknown> {
    const conn = await this.connect();
    try {
      await run(conn, 'START TRANSACTION READ ONLY');
      const rows = await execute(conn, sql);
      unprepare(conn, sql);
      await run(conn, 'COMMIT');
      return rows;
    } catch (err) {
      await run(conn, 'ROLLBACK').catch(() => {});
      throw mysqlError(err, { connection: this.name, url: this.config.url });
    } finally {
      conn.release();
    }
  }

  describe(): string {
    return redactUrl(this.config.url);
  }

  /**
   * Version, latency, and whether a READ ONLY transaction really refuses a write: a `DELETE ...
   * WHERE 1 = 0` on one of the database's tables (which would change nothing), rolled back.
   */
  async probe(): Promise<ConnectionProbe> {
    const conn = await this.connect();
    try {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await run(conn, 'SELECT 1');
        best = Math.min(best, performance.now() - start);
      }
      const version = String(((await run(conn, 'SELECT VERSION() AS v')) as { v: string }[])[0].v);
      const table = (await run(conn, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' LIMIT 1")) as { t: string }[];
      await run(conn, 'START TRANSACTION READ ONLY');
      let readOnly = true;
      let detail = 'read cells run in START TRANSACTION READ ONLY';
      if (table.length === 0) detail += ' (the database has no table to try a write on)';
      else {
        try {
          await run(conn, `DELETE FROM \`${table[0].t.replaceAll('`', '``')}\` WHERE 1 = 0`);
          readOnly = false;
          detail = 'the server did not refuse a write in a READ ONLY transaction';
        } catch (err) {
          const errno = (err as { errno?: number }).errno;
          if (errno === 1142) detail += '; the user may not write to the tables anyway';
          else if (errno !== 1792) throw err;
        }
      }
      await run(conn, 'ROLLBACK');
      return { version: /mariadb/i.test(version) ? version : `MySQL ${version}`, latencyMs: Math.round(best * 100) / 100, readOnly, readOnlyDetail: detail };
    } catch (err) {
      await run(conn, 'ROLLBACK').catch(() => {});
      throw mysqlError(err, { connection: this.name, url: this.config.url });
    } finally {
      conn.release();
    }
  }

  cancel(): void {
    for (const r of this.running) void this.cancelOne(r);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.running].map((r) => this.cancelOne(r)));
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
}

export const mysqlConnection: ConnectionType<MysqlConfig> = {
  type: 'mysql',
  parserName: 'the MySQL grammar of node-sql-parser',
  schema,
  analyze: (sql) => analyzeMysql(sql),
  open(name, config, opts) {
    return new MysqlConnection(name, config, opts.now);
  },
};
