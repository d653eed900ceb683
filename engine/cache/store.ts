/**
 * The cell cache on disk: `<runs dir>/.cache/<notebook id>/<cell id>/<key>/` holding `entry.json`
 * (the key's parts, the cell's output) and `table.parquet` (its result table). An entry is written
 * in a temporary folder and renamed into place, so readers see all of it or none; on reading,
 * everything is checked (format, key, file size and SHA-256, column types, row count) and a
 * damaged entry is ignored with a warning and removed, never trusted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, RESULTS_CATALOG, sqlString } from '../duck/duck.js';
import { tableOf, type CellOutput } from '../outputs.js';
import { CACHE_VERSION, type KeyParts } from './key.js';
import { insideOrThrow } from '../util/inside.js';
import { CACHE_DIR } from './dir.js';

export { CACHE_DIR };

const ENTRY = 'entry.json';
const TABLE = 'table.parquet';
/** Entries kept per cell (the newest); a sweep over 12 values keeps all 12. */
const KEEP = 32;

interface StoredColumn {
  name: string;
  type: string;
}

interface Entry {
  version: number;
  key: string;
  cell: string;
  created: string;
  parts: KeyParts;
  output: CellOutput;
  table: { rows: number; bytes: number; sha256: string; columns: StoredColumn[]; casts: Record<string, string> } | null;
}

/** Types that may be spelled into a CAST when restoring (Parquet reads them back as another type). */
const CASTABLE =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d{1,2},\d{1,2}\)|VARCHAR|JSON|DATE|TIME|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|INTERVAL|UUID|BLOB)$/;

const WIDE_INTEGER = new Set(['HUGEINT', 'UHUGEINT']);

export class CacheDamaged extends Error {}

/** An entry checked and ready to serve; its table still on disk. */
export interface RestoredEntry {
  cell: string;
  output: CellOutput;
  table: { file: string; rows: number; columns: StoredColumn[]; casts: Record<string, string> } | null;
}

function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function describe(conn: DuckDBConnection, source: string): Promise<StoredColumn[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  return r.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

function isEntry(x: unknown, cell: string, key: string): x is Entry {
  const e = x as Partial<Entry> | null;
  if (!e || typeof e !== 'object' || e.version !== CACHE_VERSION || e.key !== key || e.cell !== cell) return false;
  if (!e.output || typeof e.output !== 'object' || typeof (e.output as { kind?: unknown }).kind !== 'string') return false;
  if (!e.parts || typeof e.parts !== 'object') return false;
  if (e.table === null) return true;
  const t = e.table;
  return !!t && Number.isSafeInteger(t.rows) && Number.isSafeInteger(t.bytes) && typeof t.sha256 === 'string' && Array.isArray(t.columns) && typeof t.casts === 'object';
}

export class CacheStore {
  readonly dir: string;

  constructor(runsDir: string, notebookId: string) {
    this.dir = insideOrThrow(join(runsDir, CACHE_DIR), join(runsDir, CACHE_DIR, notebookId), 'the cache folder');
  }

  private entryDir(cell: string, key: string): string {
    return join(this.dir, cell, key);
  }

  has(cell: string, key: string): boolean {
    return existsSync(join(this.entryDir(cell, key), ENTRY));
  }

  /** The newest entry of a cell (its parts say why a new key differs). Damaged entries are skipped. */
  latest(cell: string): { parts: KeyParts; created: string } | null {
    const base = join(this.dir, cell);
    if (!existsSync(base)) return null;
    let best: { parts: KeyParts; created: string } | null = null;
    for (const key of readdirSync(base)) {
      if (key.includes('.tmp')) continue;
      try {
        const e = JSON.parse(readFileSync(join(base, key, ENTRY), 'utf8')) as Entry;
        if (isEntry(e, cell, key) && (!best || e.created > best.created)) best = { parts: e.parts, created: e.created };
      } catch {
        /* damaged: not a candidate */
      }
    }
    return best;
  }

  /**
   * A stored entry, checked (format, key, the Parquet file's size and SHA-256, casts) without
   * DuckDB; its table is loaded only when a cell that reads it runs (`materialize`). Throws
   * CacheDamaged when the entry can't be trusted (the caller warns, removes it and runs the cell).
   */
  open(cell: string, key: string): RestoredEntry {
    const dir = this.entryDir(cell, key);
    let entry: unknown;
    try {
      entry = JSON.parse(readFileSync(join(dir, ENTRY), 'utf8'));
    } catch (err) {
      throw new CacheDamaged(`unreadable ${ENTRY}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!isEntry(entry, cell, key)) throw new CacheDamaged(`${ENTRY} is not an entry of this cell and key`);
    const t = entry.table;
    if (!t) {
      if (tableOf(entry.output)) throw new CacheDamaged('a table output without its table');
      return { cell, output: entry.output, table: null };
    }
    const file = join(dir, TABLE);
    if (!existsSync(file) || statSync(file).size !== t.bytes) throw new CacheDamaged(`${TABLE} is missing or has the wrong size`);
    if (fileSha256(file) !== t.sha256) throw new CacheDamaged(`${TABLE} does not match its checksum`);
    for (const [name, type] of Object.entries(t.casts)) {
      if (!CASTABLE.test(type) || !t.columns.some((c) => c.name === name)) throw new CacheDamaged(`bad cast of column ${name}`);
    }
    return { cell, output: entry.output, table: { file, rows: t.rows, columns: t.columns, casts: t.casts } };
  }

  /** Loads an opened entry's table into the session as the cell's result table, and checks it. */
  async materialize(conn: DuckDBConnection, restored: RestoredEntry): Promise<void> {
    const t = restored.table;
    if (!t) return;
    const select = t.columns.map((c) => (t.casts[c.name] ? `CAST(${quoteIdent(c.name)} AS ${t.casts[c.name]}) AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const target = `${RESULTS_CATALOG}.main.${quoteIdent(restored.cell)}`;
    try {
      const created = await conn.runAndReadAll(`CREATE OR REPLACE TABLE ${target} AS SELECT ${select} FROM read_parquet(${sqlString(t.file)})`);
      const restoredColumns = await describe(conn, target);
      if (JSON.stringify(restoredColumns) !== JSON.stringify(t.columns) || Number(created.getRows()[0]?.[0]) !== t.rows) {
        throw new CacheDamaged('the restored table differs from the stored one');
      }
    } catch (err) {
      await conn.run(`DROP TABLE IF EXISTS ${target}`).catch(() => undefined);
      if (err instanceof CacheDamaged) throw err;
      throw new CacheDamaged(`${TABLE} could not be read: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /**
   * Stores a cell's output (and its table, as Parquet). Returns the stored Parquet file, or why
   * nothing was stored. A table whose column types don't survive Parquet (and can't be cast back)
   * is not cached.
   */
  async save(conn: DuckDBConnection, cell: string, key: string, parts: KeyParts, output: CellOutput): Promise<{ file: string | null } | { skipped: string }> {
    const final = this.entryDir(cell, key);
    const preview = tableOf(output);
    if (existsSync(final)) return { file: preview && existsSync(join(final, TABLE)) ? join(final, TABLE) : null };
    const tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      const plain = output.kind === 'chart' && output.rendered ? { ...output, rendered: null } : output;
      let table: Entry['table'] = null;
      if (preview) {
        const source = `${RESULTS_CATALOG}.main.${quoteIdent(cell)}`;
        const columns = await describe(conn, source).catch(() => null);
        if (!columns) return { skipped: 'its output has no table' };
        const file = join(tmp, TABLE);
        // Parquet would keep HUGEINTs as DOUBLEs, losing digits past 2^53: stored as DECIMAL(38,0) (exact), cast back on restore.
        const select = columns.map((c) => (WIDE_INTEGER.has(c.type) ? `CAST(${quoteIdent(c.name)} AS DECIMAL(38,0)) AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
        const copied = await conn.runAndReadAll(`COPY (SELECT ${select} FROM ${source}) TO ${sqlString(file)} (FORMAT parquet)`);
        const back = await describe(conn, `read_parquet(${sqlString(file)})`);
        const casts: Record<string, string> = {};
        for (let i = 0; i < columns.length; i++) {
          if (back[i]?.type === columns[i].type) continue;
          if (!CASTABLE.test(columns[i].type)) return { skipped: `column ${columns[i].name} of type ${columns[i].type} does not survive Parquet` };
          casts[columns[i].name] = columns[i].type;
        }
        table = { rows: Number(copied.getRows()[0]?.[0] ?? 0), bytes: statSync(file).size, sha256: fileSha256(file), columns, casts };
      }
      const entry: Entry = { version: CACHE_VERSION, key, cell, created: new Date().toISOString(), parts, output: plain, table };
      writeFileSync(join(tmp, ENTRY), JSON.stringify(entry));
      try {
        renameSync(tmp, final);
      } catch (err) {
        if (!existsSync(final)) throw err; // another run stored the same key first: fine
      }
      this.prune(cell);
      return { file: table && existsSync(join(final, TABLE)) ? join(final, TABLE) : null };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Removes an entry (damaged ones). */
  drop(cell: string, key: string): void {
    rmSync(this.entryDir(cell, key), { recursive: true, force: true });
  }

  /** Keeps the newest KEEP entries of a cell. */
  private prune(cell: string): void {
    const base = join(this.dir, cell);
    const entries = readdirSync(base)
      .filter((k) => !k.includes('.tmp'))
      .map((k) => ({ k, t: statSync(join(base, k)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { k } of entries.slice(KEEP)) rmSync(join(base, k), { recursive: true, force: true });
  }
}

/** The notebook ids with cached cell results under `runsDir`, sorted. */
export function cachedNotebooks(runsDir: string): string[] {
  const root = join(runsDir, CACHE_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory())
    .sort();
}

/** Deletes the cache of one notebook, or all of it. Returns the entries and bytes removed. */
export function clearCache(runsDir: string, notebookId?: string): { entries: number; bytes: number } {
  const root = join(runsDir, CACHE_DIR);
  const base = notebookId === undefined ? root : insideOrThrow(root, join(root, notebookId), 'the cache folder');
  let entries = 0;
  let bytes = 0;
  const walk = (dir: string, depth: number) => {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p, depth + 1);
      else {
        bytes += s.size;
        if (name === ENTRY) entries++;
      }
    }
  };
  walk(base, 0);
  rmSync(base, { recursive: true, force: true });
  return { entries, bytes };
}
