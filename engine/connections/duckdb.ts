/**
 * `type: duckdb`: a DuckDB file attached to the run's session under the connection's name (the
 * project database, `default`, under `db`), read-only unless a cell of it has `mode: write`.
 * A cell on it runs with that catalog behind the results catalog in its search path: its
 * unqualified tables are that file's, and cell ids still shadow them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_CATALOG, RESULTS_CATALOG, quoteIdent, sqlString, type DuckAttachment } from '../duck/duck.js';
import { analyzeSql } from '../sql/parse.js';
import { sha256 } from '../util/hash.js';
import { closedError, DEFAULT_CONNECTION, type Connection, type ConnectionType, type QueryRequest } from './connection.js';
import { createTable, createTableSql, parsesAsSubquery, runWrite, type CreateTable } from './duckdb-query.js';
import { fileStamp } from '../util/file-stamp.js';

const schema = z.strictObject({
  type: z.literal('duckdb'),
  path: z.string().min(1).describe('DuckDB file, relative to the project root'),
});
export type DuckdbConfig = z.infer<typeof schema>;

class DuckFileConnection implements Connection {
  readonly type = 'duckdb';
  readonly attachments: readonly DuckAttachment[];
  private readonly catalog: string;
  private readonly running = new Set<DuckDBConnection>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly path: string,
    write: boolean,
  ) {
    this.catalog = name === DEFAULT_CONNECTION ? DEFAULT_CATALOG : name;
    this.attachments = path === ':memory:' ? [] : [{ alias: this.catalog, path, readOnly: !write }];
  }

  async query(req: QueryRequest): Promise<number> {
    if (this.closed) throw closedError(this.name);
    const { duck, signal } = req;
    signal?.throwIfAborted();
    const fail = (err: unknown, lineOffset: number) => (req.locate ? req.locate(err, lineOffset) : err);
    const target = `${RESULTS_CATALOG}.main.${quoteIdent(req.cellId)}`;
    const interrupt = () => duck.interrupt();
    this.running.add(duck);
    signal?.addEventListener('abort', interrupt, { once: true });
    const restore = await this.useCatalog(duck);
    try {
      if (req.mode === 'write') {
        try {
          await runWrite(duck, req.sql, target, req.params, signal);
        } catch (err) {
          throw fail(err, 0);
        }
        return 1;
      }
      let ctas: CreateTable;
      try {
        ctas = await createTableSql(duck, target, req.sql, req.cellId);
      } catch (err) {
        throw fail(err, 0);
      }
      try {
        return await createTable(duck, ctas, req.params, signal);
      } catch (err) {
        throw fail(err, 1);
      }
    } finally {
      signal?.removeEventListener('abort', interrupt);
      this.running.delete(duck);
      await restore();
    }
  }

  /**
   * Puts this file's catalog behind the results catalog in the search path (the project database
   * is there already); returns how to put the session's path back.
   */
  private async useCatalog(duck: DuckDBConnection): Promise<() => Promise<void>> {
    if (this.catalog === DEFAULT_CATALOG) return async () => {};
    const before = String((await duck.runAndReadAll("SELECT current_setting('search_path')")).getRows()[0][0]);
    await duck.run(`SET search_path = ${sqlString(`${RESULTS_CATALOG}.main,${this.catalog}.main`)}`);
    return async () => {
      await duck.run(`SET search_path = ${sqlString(before)}`);
    };
  }

  /** Size and mtime of the file and its WAL: every committed write changes one of them; no DuckDB needed to tell. */
  async fingerprint(): Promise<string> {
    if (this.path === ':memory:') return sha256('duckdb::memory:');
    const p = this.path;
    return sha256(JSON.stringify([`${p}=${fileStamp(p)}`, `${p}.wal=${existsSync(`${p}.wal`) ? fileStamp(`${p}.wal`) : 'none'}`]));
  }

  describe(): string {
    return this.path;
  }

  cancel(): void {
    for (const duck of this.running) duck.interrupt();
  }

  /** Its database belongs to the run's session, which closes it; here only running queries end. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
  }
}

export const duckdbConnection: ConnectionType<DuckdbConfig> = {
  type: 'duckdb',
  parserName: "DuckDB's parser",
  schema,
  async analyze(sql, parser) {
    const analysis = await analyzeSql(parser, sql);
    const readOnly = !analysis.syntaxError && (analysis.isQuery || (await parsesAsSubquery(parser, sql)));
    return { ...analysis, readOnly };
  },
  open(name, config, opts) {
    const path = isAbsolute(config.path) || config.path === ':memory:' ? config.path : join(opts.root, config.path);
    return new DuckFileConnection(name, path, opts.write);
  },
};
