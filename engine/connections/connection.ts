/**
 * A connection: where a query cell's SQL runs. The project database and `type: duckdb` files are
 * attached to the run's DuckDB session; a server type (PostgreSQL next) runs the SQL on the
 * server and streams the rows into the session. Either way the result is a table of the results
 * catalog named by the cell id, so downstream cells, the cache and exports see no difference.
 */
import type { z } from 'zod';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BoundParams, DuckAttachment } from '../duck/duck.js';
import type { SqlAnalysis } from '../sql/parse.js';
import { UserError, type SourceLocation } from '../util/errors.js';

/** The name of the project database (`database:` in quire.yaml) as a connection. */
export const DEFAULT_CONNECTION = 'default';

export type QueryMode = 'read' | 'write';

/** When a server's data may be served from the cell cache (quire.yaml connection or cell `cache:`). */
export interface CacheDeclaration {
  /** A duration (30m, 1h, 1d): results are served for at most that long. */
  ttl?: string;
  /** SQL whose value changes when the data does; part of the key. */
  freshness?: string;
}

/** What a connection type says of a cell's SQL at validation; nothing runs. */
export interface SqlCheck extends SqlAnalysis {
  /** Whether the SQL only reads; decided by the connection's own parser. */
  readOnly: boolean;
}

export interface QueryRequest {
  cellId: string;
  /** The cell's SQL, trailing semicolons removed. */
  sql: string;
  params: BoundParams;
  mode: QueryMode;
  /** The cell's connection to the run's DuckDB session: the result table is written through it. */
  duck: DuckDBConnection;
  signal?: AbortSignal;
  /**
   * Turns a failure into the error the user sees; `lineOffset` is how many lines the connection
   * put before the cell's SQL in the text it ran (to place the error in the notebook).
   */
  locate?: (err: unknown, lineOffset: number) => Error;
  /** Where a 0-based offset in `sql` lies in the notebook (a server type places its errors with it). */
  locateOffset?: (offset: number | undefined) => SourceLocation | undefined;
  /** The cell's time limit; a server type makes it the query's own timeout (Postgres: statement_timeout). */
  timeoutMs?: number;
  /**
   * SQL quire wrote itself (a metric scan, a catalog query), read-only by construction: a type
   * may skip its parser's check before running it (MySQL's grammar is slow on long scans); the
   * READ ONLY transaction still holds.
   */
  generated?: boolean;
}

/** What `quire connections test` finds out by reaching a connection. */
export interface ConnectionProbe {
  /** Server (or engine) version. */
  version: string;
  /** One round trip of a trivial query, in ms (the best of a few). */
  latencyMs: number;
  /** Whether the session quire opens for read cells refuses writes, and why. */
  readOnly: boolean;
  readOnlyDetail: string;
}

/**
 * One configured connection of a run. Opening is cheap and lazy: nothing is opened before the
 * first query, so a run that never uses a connection leaves nothing to close.
 */
export interface Connection {
  readonly name: string;
  readonly type: string;
  /** DuckDB files the session attaches for it (a server type: none). */
  readonly attachments: readonly DuckAttachment[];
  /**
   * Runs the SQL with its params bound (never spliced into the text) and writes the result into
   * the results catalog under `cellId`; returns its row count (`mode: write`: one row,
   * `rows_changed`). Unless `mode` is write, SQL that is not a read-only query is refused by
   * the connection's parser before anything runs (UserError E_SQL_WRITE). Aborting `signal`
   * cancels the query.
   */
  query(req: QueryRequest): Promise<number>;
  /**
   * Digest of the data it serves, for the cell cache: changes when the data changes. null: it
   * can't tell (cells on it always run). `cache`: a cell's own declaration, in place of the
   * connection's (server types).
   */
  fingerprint(cache?: CacheDeclaration): Promise<string | null>;
  /** Reaches it and reports version, latency and read-only-ness (servers); throws a UserError when it can't. */
  probe?(): Promise<ConnectionProbe>;
  /** Where it points, safe to print (a URL's password hidden). */
  describe(): string;
  /** Cancels every query running on it. */
  cancel(): void;
  /** Cancels and releases everything it opened; later queries fail. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The project root, which relative paths resolve against. */
  root: string;
  /** Some cell writes through it (`mode: write`): attach or open it read-write. */
  write: boolean;
  /** The clock (ms since epoch) for cache windows (`cache: { ttl }`); default Date.now. */
  now?: () => number;
}

/** A kind of connection: one file in engine/connections/, one line in its index.ts. */
export interface ConnectionType<C extends { type: string } = { type: string }> {
  type: string;
  /** What checks its SQL at validation, for messages ("PostgreSQL's parser"). */
  parserName: string;
  /** Its keys in quire.yaml `connections:`. */
  schema: z.ZodType<C>;
  /** Checks a cell's SQL in this connection's dialect (syntax, params, tables, read-only); runs nothing. */
  analyze(sql: string, parser: DuckDBConnection): Promise<SqlCheck>;
  open(name: string, config: C, opts: OpenOptions): Connection;
}

export function closedError(name: string): UserError {
  return new UserError('E_CONNECTION_CLOSED', `connection '${name}' is closed`, { hint: 'the run that opened it has ended; start a new run' });
}

export const READ_ONLY_HINT = 'query cells only read (SELECT, WITH, VALUES, DESCRIBE, SUMMARIZE, PIVOT); set `mode: write` if this cell must change the database';
