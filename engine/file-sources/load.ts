/**
 * Source files into tables of the run's DuckDB session (the results catalog, so query cells read
 * them by name). CSV and Parquet go through DuckDB's own readers (types detected by DuckDB),
 * xlsx through xlsx.ts. Paths are checked before anything is read: the file must exist and lie
 * inside the project's `allowed_directories`.
 */
import { existsSync, statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RESULTS_CATALOG, quoteIdent, sqlString } from '../duck/duck.js';
import { UserError, type SourceLocation } from '../util/errors.js';
import { isInside } from '../util/inside.js';
import { fileStamp } from '../util/file-stamp.js';
import { sha256 } from '../util/hash.js';
import type { ResolvedSource } from './spec.js';
import { loadXlsx } from './xlsx.js';

/** Problems with a source's file found without reading it: missing, a folder, outside the allowed folders. */
export function checkSourceFile(source: ResolvedSource, allowed: readonly string[] | null, location?: SourceLocation): UserError | null {
  const where = `source ${source.name} (${source.declaredIn})`;
  if (allowed && !allowed.some((d) => isInside(d, source.path))) {
    return new UserError('E_SOURCE_OUTSIDE', `${where}: ${source.spec.file} is outside the folders notebooks may read`, {
      location,
      hint: `allowed: ${allowed.join(', ')}; move the file there, or add its folder to \`allowed_directories\` in quire.yaml`,
    });
  }
  if (!existsSync(source.path)) {
    return new UserError('E_SOURCE_MISSING', `${where}: file not found: ${source.spec.file}`, { location, hint: `paths are relative to the project root; looked for ${source.path}` });
  }
  if (!statSync(source.path).isFile()) return new UserError('E_SOURCE_MISSING', `${where}: ${source.spec.file} is not a file`, { location, hint: 'name a file, not a folder' });
  return null;
}

/** What keys the cells reading a source in the cache: its spec and the file's size and mtime. */
export function sourceStamp(source: ResolvedSource): string {
  return sha256(JSON.stringify([source.name, source.spec, fileStamp(source.path)]));
}

/** Loads one source into the results catalog under its name; returns its row count. */
export async function loadSource(duck: DuckDBConnection, source: ResolvedSource, allowed: readonly string[] | null): Promise<number> {
  const problem = checkSourceFile(source, allowed);
  if (problem) throw problem;
  const target = `${RESULTS_CATALOG}.main.${quoteIdent(source.name)}`;
  if (source.format === 'xlsx') return loadXlsx(duck, source, target);
  const reader = source.format === 'parquet' ? `read_parquet(${sqlString(source.path)})` : `read_csv(${sqlString(source.path)}${source.format === 'tsv' ? ", delim = '\\t'" : ''})`;
  try {
    await duck.run(`CREATE OR REPLACE TABLE ${target} AS SELECT * FROM ${reader}`);
  } catch (err) {
    throw new UserError('E_SOURCE_UNREADABLE', `source ${source.name}: cannot read ${source.spec.file}: ${(err as Error).message.split('\n')[0]}`, {
      hint: source.format === 'parquet' ? 'is it a Parquet file?' : 'check the delimiter, quoting and header of the file',
    });
  }
  return Number((await duck.runAndReadAll(`SELECT count(*) FROM ${target}`)).getRows()[0][0]);
}

/**
 * The sources of one run, each loaded once, when the first cell reading it is about to run
 * (cells served from the cache load nothing).
 */
export class RunSources {
  private readonly loading = new Map<string, Promise<number>>();

  constructor(
    private readonly sources: ReadonlyMap<string, ResolvedSource>,
    private readonly allowed: readonly string[] | null,
    private readonly onLoaded?: (name: string, rows: number, ms: number) => void,
  ) {}

  /** Loads `name` through `duck` unless it is loaded (or loading) already. A failed load fails every cell that reads it. */
  ensure(name: string, duck: DuckDBConnection): Promise<number> {
    let done = this.loading.get(name);
    if (!done) {
      const source = this.sources.get(name);
      if (!source) return Promise.reject(new Error(`unknown source ${name}`));
      const t0 = performance.now();
      done = loadSource(duck, source, this.allowed).then((rows) => {
        this.onLoaded?.(name, rows, performance.now() - t0);
        return rows;
      });
      this.loading.set(name, done);
    }
    return done;
  }
}
