/**
 * `type: postgres`: a cell's SQL runs on the server (node-postgres), in a READ ONLY transaction
 * unless the cell has `mode: write`, with its params as bind values and its timeout as
 * `statement_timeout`; the rows stream into the results catalog under the cell id. Aborting
 * the run cancels the query on the server (pg_cancel_backend), so none is left running.
 */
import type pg from 'pg';

/** node-postgres, loaded when a Postgres connection is first used (not at every `quire` start). */
const loadPg = async (): Promise<typeof pg> => (await import('pg')).default;
import * as z from 'zod';
import { RESULTS_CATALOG, quoteIdent } from '../duck/duck.js';
import { closedError, type CacheDeclaration, type Connection, type ConnectionProbe, type ConnectionType, type QueryRequest } from './connection.js';
import { pgError, redactUrl } from './postgres-errors.js';
import { analyzePostgres, loadParser, settingPlaceholder, toPositional } from './postgres-sql.js';
import { cacheSchema, serverFingerprint } from './cache-config.js';
import { streamInto } from './postgres-stream.js';
import { copyInto } from './postgres-copy.js';

const schema = z.strictObject({
  type: z.literal('postgres'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax, shown to the user
  url: z.string().min(1).describe('postgres://user:password@host:5432/database; put it in the environment: url: ${PG_URL}'),
  cache: cacheSchema.optional(),
});
export type PostgresConfig = z.infer<typeof schema>;

interface Running {
  client: pg.PoolClient;
  cancelling?: Promise<void>;
  /** The query ended (either way): cancelling stops asking. */
  settled?: boolean;
}

export class PostgresConnection implements Connection {
  readonly type = 'postgres';
  readonly attachments = [];
  private pool: pg.Pool | undefined;
  private readonly running = new Set<Running>();
  private closed = false;
  private readonly clientsEnded: Promise<void>[] = [];

  constructor(
    readonly name: string,
    readonly config: PostgresConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private async getPool(): Promise<pg.Pool> {
    if (this.pool) return this.pool;
    const { Pool } = await loadPg();
    this.pool ??= new Pool({ connectionString: this.config.url, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 5_000, application_name: 'quire' });
    // An idle client whose server went away must not crash the process.
    this.pool.on('error', () => {});
    // pool.end() resolves before the sockets close: close() waits for each client's own end.
    this.pool.on('connect', (client) => {
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      this.clientsEnded.push(ended);
    });
    return this.pool;
  }

  /** A client of the pool, with the session settings quire reads text in. */
  async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw closedError(this.name);
    try {
      const client = await (await this.getPool()).connect();
      await client.query("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3");
      return client;
    } catch (err) {
      throw pgError(err, { connection: this.name, url: this.config.url });
    }
  }

  async query(req: QueryRequest): Promise<number> {
    if (this.closed) throw closedError(this.name);
    const { duck, signal } = req;
    signal?.throwIfAborted();
    await loadParser();
    const check = await analyzePostgres(req.sql);
    const locate = (offset: number | undefined) => req.locateOffset?.(offset);
    if (check.syntaxError)
      throw pgError({ code: '42601', message: check.syntaxError.message }, { connection: this.name, url: this.config.url, cellId: req.cellId, locate: () => locate(check.syntaxError?.offset) });
    if (req.mode !== 'write' && !check.readOnly) {
      throw pgError(
        { code: '25006', message: `not a read-only query (${check.statements ?? 0} statement(s); a read cell holds one SELECT)` },
        { connection: this.name, url: this.config.url, cellId: req.cellId },
      );
    }
    const positional = toPositional(req.sql, req.params.types);
    const values = positional.names.map((n) => req.params.values[n] ?? null);
    const running: Running = { client: await this.connect() };
    this.running.add(running);
    const onAbort = () => void this.cancelOne(running);
    signal?.addEventListener('abort', onAbort, { once: true });
    const target = `${RESULTS_CATALOG}.main.${quoteIdent(req.cellId)}`;
    let broken = false;
    // The text the server is running, for placing its errors in the cell's SQL.
    let sent = positional;
    try {
      await running.client.query(req.mode === 'write' ? 'BEGIN' : 'BEGIN READ ONLY');
      if (req.timeoutMs !== undefined) await running.client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(req.timeoutMs))}`);
      if (signal?.aborted) throw signal.reason;
      let rows: number;
      if (req.mode === 'write') {
        const result = await running.client.query(positional.text, values);
        rows = 1;
        await duck.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${Math.trunc(result.rowCount ?? 0)}::BIGINT AS rows_changed`);
        await running.client.query('COMMIT');
      } else {
        // COPY (about 6× faster than a cursor) unless a param is NULL (no setting holds one) or a column is an array.
        let copied: number | null = null;
        if (values.every((v) => v !== null)) {
          sent = toPositional(req.sql, req.params.types, settingPlaceholder);
          copied = await copyInto(running.client, sent.text, values, duck, target);
        }
        sent = positional;
        rows = copied ?? (await streamInto(running.client, positional.text, values, duck, target, req.cellId));
        await running.client.query('COMMIT');
      }
      return rows;
    } catch (err) {
      running.settled = true;
      await running.client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      await running.cancelling;
      if (signal?.aborted && !(err as { code?: string }).code) throw err;
      throw pgError(err, {
        connection: this.name,
        url: this.config.url,
        cellId: req.cellId,
        cancelled: signal?.aborted || this.closed || running.cancelling !== undefined,
        locate: (o) => locate(o === undefined ? undefined : sent.original(o)),
      });
    } finally {
      running.settled = true;
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(running);
      // A cancel may land after the query ended: that session is not reused, so it can't hit another cell's query.
      if (running.cancelling) {
        await running.cancelling;
        broken = true;
      }
      running.client.release(broken);
    }
  }

  /** Asks the server to cancel the client's query, from a second connection (the protocol's way). */
  private cancelOne(running: Running): Promise<void> {
    running.cancelling ??= (async () => {
      const pid = (running.client as unknown as { processID?: number }).processID;
      if (!pid) return;
      const { Client } = await loadPg();
      const other = new Client({ connectionString: this.config.url, connectionTimeoutMillis: 10_000 });
      try {
        await other.connect();
        // A cancel reaches only a statement already running: one that lands between statements
        // (after BEGIN, before the query) is lost, so it is sent again until the query has ended.
        for (let i = 0; i < 100 && !running.settled; i++) {
          await other.query('SELECT pg_cancel_backend($1)', [pid]);
          if (!running.settled) await new Promise((r) => setTimeout(r, 100));
        }
      } catch {
        // the server is gone: so is the query
      } finally {
        await other.end().catch(() => {});
      }
    })();
    return running.cancelling;
  }

  /** The declared `cache:` decides (serverFingerprint): ttl window, freshness SQL, or always run. */
  fingerprint(own?: CacheDeclaration): Promise<string | null> {
    return serverFingerprint(own ?? this.config.cache, this.now(), (sql) => this.freshness(sql));
  }

  private async freshness(sql: string): Promise<unknown> {
    const client = await this.connect();
    try {
      await client.query('BEGIN READ ONLY');
      const result = await client.query({ text: sql, rowMode: 'array' });
      await client.query('COMMIT');
      return result.rows;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw pgError(err, { connection: this.name, url: this.config.url });
    } finally {
      client.release();
    }
  }

  describe(): string {
    return redactUrl(this.config.url);
  }

  async probe(): Promise<ConnectionProbe> {
    const client = await this.connect();
    try {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await client.query('SELECT 1');
        best = Math.min(best, performance.now() - start);
      }
      const version = String((await client.query('SHOW server_version')).rows[0].server_version);
      await client.query('BEGIN READ ONLY');
      const row = (await client.query("SELECT current_setting('transaction_read_only') AS ro, current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super")).rows[0] as {
        ro: string;
        who: string;
        super: boolean;
      };
      await client.query('ROLLBACK');
      const readOnly = row.ro === 'on';
      const detail = readOnly
        ? `read cells run in READ ONLY transactions${row.super ? `; user ${row.who} is a superuser, so the transaction is the only guard` : ''}`
        : 'the server did not make the transaction read-only';
      return { version, latencyMs: Math.round(best * 100) / 100, readOnly, readOnlyDetail: detail };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw pgError(err, { connection: this.name, url: this.config.url });
    } finally {
      client.release();
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
    await pool?.end();
    await Promise.all(this.clientsEnded);
  }
}

export const postgresConnection: ConnectionType<PostgresConfig> = {
  type: 'postgres',
  parserName: "PostgreSQL's parser",
  schema,
  analyze: (sql) => analyzePostgres(sql),
  open(name, config, opts) {
    return new PostgresConnection(name, config, opts.now);
  },
};
