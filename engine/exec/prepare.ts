import { DuckSession } from '../duck/duck.js';
import { ValidationErrors } from '../util/errors.js';
import type { Notebook } from '../notebook/load.js';
import { analyzeNotebook } from '../plan/analyze.js';
import { resolveParams } from '../params/index.js';
import { duckAllowedDirectories, projectPath } from '../project.js';
import { analysisMemo } from '../cache/analysis-memo.js';
import { DUCK_POOL } from '../duck/duck-pool.js';
import { processState } from '../util/state.js';
import { DEFAULT_CONNECTION } from '../connections/connection.js';
import { RunConnections } from '../connections/run-connections.js';
import { readsCache, writesCache, type RunOptions } from './run-options.js';

export type PreparedRun = Awaited<ReturnType<typeof prepareRun>>;

/**
 * Everything fixed before a run starts: a notebook whose params, SQL and DAG checked out. The
 * DuckDB session opens when a cell first needs it; an unchanged notebook's analysis comes from
 * the last run (analysis-memo.ts) when the cache mode is `use`.
 */
export async function prepareRun(nb: Notebook, opts: RunOptions) {
  const now = (opts.now ?? (() => new Date()))();
  const params = resolveParams(nb.top.params ?? {}, opts.params ?? {}, { now, timezone: nb.project.config.timezone, fromCli: opts.fromCli });
  const config = nb.project.config;
  const runsDir = opts.runsDir ?? projectPath(nb.project, config.runs_dir);
  // Each connection a cell writes through is opened read-write; the others read-only.
  const writers = new Set(nb.cells.filter((c) => c.cellType.writes?.(c.spec)).map((c) => c.cellType.connectionOf?.(c.spec) ?? DEFAULT_CONNECTION));
  const connections = new RunConnections(nb.project, writers, opts.now ? () => opts.now!().getTime() : undefined);
  const databases = connections.sessionDatabases();
  const files = [databases.database, ...databases.attach.map((a) => a.path)].filter((p) => p !== ':memory:');
  const session = DuckSession.deferred({
    ...databases,
    fileSearchPath: nb.project.root,
    timezone: config.timezone,
    instance: opts.duck,
    pool: (opts.state ?? processState()).get(DUCK_POOL),
    allowedDirectories: duckAllowedDirectories(nb.project, runsDir, files),
    threads: opts.threads,
  });
  try {
    const mode = opts.cache ?? 'use';
    const memo = writesCache(mode) ? analysisMemo(runsDir, nb) : null;
    let analysis = readsCache(mode) ? (memo?.get() ?? null) : null;
    if (!analysis) {
      const parser = await session.connect();
      const { dag, errors, reads } = await analyzeNotebook(nb, parser);
      session.release(parser);
      if (errors.length) throw new ValidationErrors(errors);
      analysis = { dag, reads };
      memo?.set(analysis);
    }
    return { params, session, connections, dag: analysis.dag, reads: analysis.reads, startedAt: now, runsDir };
  } catch (err) {
    session.close();
    await connections.close();
    throw err;
  }
}
