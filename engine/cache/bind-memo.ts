/**
 * Result columns the binder found, kept between `quire validate`s: binding a query over a large
 * CSV is mostly DuckDB sniffing it, which an analyst re-validating a notebook need not wait for
 * again while nothing it reads changed. A statement's key is everything its columns depend on:
 * DuckDB's version, the SQL, the param values it was described with, the columns of the cells
 * it reads, the fingerprint of every database attached to the session, and the size and mtime of
 * each file the SQL names (engine/cache/fingerprint.ts, the cell cache's rule). A statement that
 * reads a remote file, or a session with a connection that can't tell when its data changed, is
 * not kept. Failures to bind are never kept: errors are always found afresh. (A statement bound
 * only for its errors, whose column types wait on its $params, is kept with no columns.)
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { version as duckdbVersion } from '@duckdb/node-api';
import { sha256 } from '../util/hash.js';
import { fileStamps, isRemote } from './fingerprint.js';
import type { BindInputs, BindMemo, Columns } from '../plan/bind.js';

const KEEP = 500;

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Bind results in `dir` (under the runs folder's cache); `database`: the session's data fingerprint; `root`: where relative file names resolve. */
export class FileBindMemo implements BindMemo {
  constructor(
    private readonly dir: string,
    private readonly database: string,
    private readonly root: string,
  ) {}

  private keyOf(inputs: BindInputs): string | null {
    if (inputs.files.some(isRemote)) return null;
    const upstream = Object.keys(inputs.upstream)
      .sort()
      .map((id) => [id, inputs.upstream[id]]);
    return sha256(json([duckdbVersion(), this.database, inputs.sql, inputs.params, upstream, fileStamps(this.root, inputs.files)]));
  }

  get(inputs: BindInputs): Columns | undefined {
    const key = this.keyOf(inputs);
    if (!key) return undefined;
    try {
      const kept = JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')) as { columns?: unknown };
      return isColumns(kept.columns) ? kept.columns : undefined;
    } catch {
      return undefined; // not kept, or unreadable: bound again
    }
  }

  set(inputs: BindInputs, columns: Columns): void {
    const key = this.keyOf(inputs);
    if (!key) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
      writeFileSync(tmp, JSON.stringify({ columns }));
      renameSync(tmp, join(this.dir, `${key}.json`));
      this.prune();
    } catch {
      // a read-only checkout (CI): validation works the same, unremembered
    }
  }

  /** Keeps the newest KEEP entries. */
  private prune(): void {
    const names = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    if (names.length <= KEEP) return;
    const byAge = names.map((f) => ({ f, t: statSync(join(this.dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { f } of byAge.slice(0, names.length - KEEP)) rmSync(join(this.dir, f), { force: true });
  }
}

function isColumns(v: unknown): v is Columns {
  return Array.isArray(v) && v.every((c) => c && typeof c.name === 'string' && typeof c.type === 'string');
}
