/**
 * The cell cache of one run: plans every cell (served from the cache or run, and why) before
 * anything runs, then restores and stores outputs for the executor. A cache problem never fails
 * a run: a damaged entry is a warning and the cell runs; a failed store is a warning.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CellReads } from '../cell-type.js';
import type { Dag } from '../plan/graph.js';
import type { Logger } from '../util/log.js';
import type { Notebook } from '../notebook/load.js';
import { buildStamp } from '../util/package-root.js';
import { RunConnections, type CellCacheDeclaration, type DataFingerprints } from '../connections/run-connections.js';
import type { CellOutput } from '../outputs.js';
import { fileStamps, isRemote, projectFilesFingerprint } from './fingerprint.js';
import { cellKeys, decide, type CellDecision, type CellKey, type PlanCell } from './plan.js';
import { CacheDamaged, CacheStore, type RestoredEntry } from './store.js';
import { OperationalError } from '../util/errors.js';
import { countOf } from '../report/html/numbers.js';
import { sourceStamp } from '../file-sources/index.js';
import { notebookSources } from '../notebook/sources.js';

export { cachedNotebooks, clearCache, CACHE_DIR } from './store.js';
export type { CellDecision } from './plan.js';

/** What the executor asks of the cache. */
export interface CellCache {
  /** The cell's output from the cache, or null when it must run. Its table stays on disk until `materialize`. */
  restore(id: string): CellOutput | null;
  /**
   * Loads the table of a cell served from the cache into the session (once), before a cell that
   * reads it runs. Throws when the stored table can't be read back; the entry is then removed.
   */
  materialize(id: string, conn: DuckDBConnection): Promise<void>;
  /** Stores a fresh output (no-op for cells that are never cached). */
  save(id: string, conn: DuckDBConnection, output: CellOutput): Promise<void>;
  /** The Parquet file holding a cell's whole table: its cache entry's, restored or just stored. */
  tableFile(id: string): string | null;
}

/** The DuckDB files a notebook's session attaches and its source files (for the report's "data as of"). */
export function databaseFiles(nb: Notebook): string[] {
  return [...new RunConnections(nb.project).attachments().map((a) => a.path), ...[...notebookSources(nb).values()].map((s) => s.path)];
}

export interface CachePlan {
  store: CacheStore;
  keys: Map<string, CellKey>;
  decisions: CellDecision[];
}

/** Cells that declare their own `cache:` on a connection: their fingerprints are taken apart. */
export function cellCacheDeclarations(reads: ReadonlyMap<string, CellReads | undefined>): CellCacheDeclaration[] {
  return [...reads].flatMap(([id, r]) => (r?.cache && r.connection !== undefined ? [{ id, connection: r.connection, cache: r.cache }] : []));
}

/** Keys and decisions for every cell, in run order; the data fingerprints come from the run's connections. */
export function planCache(opts: {
  nb: Notebook;
  dag: Dag;
  reads: ReadonlyMap<string, CellReads | undefined>;
  params: { values: Record<string, unknown>; types: Record<string, string> };
  runsDir: string;
  noCache?: boolean;
  fingerprints: DataFingerprints;
}): CachePlan {
  const { nb, dag } = opts;
  const specs = new Map(nb.cells.map((c) => [c.spec.id, c.spec]));
  const cells: PlanCell[] = dag.levels.flat().map((id) => ({
    id,
    type: specs.get(id)!.type,
    spec: specs.get(id)! as unknown as Record<string, unknown>,
    upstream: dag.upstream.get(id) ?? [],
    reads: opts.reads.get(id),
  }));
  const root = nb.project.root;
  const sources = notebookSources(nb);
  const sourceStamps = (id: string) =>
    (dag.sources?.[id] ?? []).map((name) => {
      const source = sources.get(name);
      return `source:${name}=${source ? sourceStamp(source) : 'undeclared'}`;
    });
  const keys = cellKeys({
    cells,
    params: opts.params,
    quire: buildStamp(),
    database: opts.fingerprints.database,
    connections: opts.fingerprints.connections,
    cellData: opts.fingerprints.cells,
    project: projectFilesFingerprint(root, nb.project.config.metrics, nb.top.definitions ?? null),
    files: (cell) => {
      const files = cell.reads?.files ?? [];
      return files.some(isRemote) ? null : [...fileStamps(root, files), ...sourceStamps(cell.id)];
    },
  });
  const store = new CacheStore(opts.runsDir, nb.id);
  return { store, keys, decisions: decide(keys, store, { noCache: opts.noCache }) };
}

/** One line for the run log: how many cells the cache serves, and why each other cell runs. */
export function summarize(decisions: readonly CellDecision[]): string {
  const hits = decisions.filter((d) => d.action === 'cache');
  const runs = decisions.filter((d) => d.action === 'run');
  const why = runs.map((d) => `${d.id} (${d.reason})`).join(', ');
  return `cache: ${hits.length} of ${countOf(decisions.length, 'cell')} from the cache${runs.length ? `; running ${why}` : ''}`;
}

export function runCache(plan: CachePlan, logger: Logger): CellCache {
  const decisions = new Map(plan.decisions.map((d) => [d.id, d]));
  const restored = new Map<string, RestoredEntry>();
  const loaded = new Map<string, Promise<void>>();
  const files = new Map<string, string>();
  return {
    restore(id) {
      const d = decisions.get(id);
      if (d?.action !== 'cache' || !d.key) return null;
      try {
        const entry = plan.store.open(id, d.key);
        restored.set(id, entry);
        if (entry.table) files.set(id, entry.table.file);
        logger.log('info', `cell ${id} served from the cache (key ${d.key.slice(0, 12)})`);
        return entry.output;
      } catch (err) {
        if (!(err instanceof CacheDamaged)) throw err;
        logger.log('warn', `cache entry of cell ${id} ignored, it is damaged (${err.message}); running the cell`);
        plan.store.drop(id, d.key);
        return null;
      }
    },
    materialize(id, conn) {
      const entry = restored.get(id);
      if (!entry) return Promise.resolve();
      let done = loaded.get(id);
      if (!done) {
        done = plan.store.materialize(conn, entry).catch((err: Error) => {
          plan.store.drop(id, decisions.get(id)!.key!);
          throw new OperationalError('E_CACHE_DAMAGED', `the cached table of cell ${id} could not be loaded: ${err.message}`, {
            hint: 'the damaged entry was removed; run again (or with --no-cache)',
          });
        });
        loaded.set(id, done);
      }
      return done;
    },
    async save(id, conn, output) {
      const k = plan.keys.get(id);
      if (!k?.key || !k.parts) return;
      try {
        const saved = await plan.store.save(conn, id, k.key, k.parts, output);
        if ('skipped' in saved) logger.log('info', `cell ${id} not cached: ${saved.skipped}`);
        else if (saved.file) files.set(id, saved.file);
      } catch (err) {
        logger.log('warn', `cell ${id} could not be cached: ${(err as Error).message.split('\n')[0]}`);
      }
    },
    tableFile: (id) => files.get(id) ?? null,
  };
}
