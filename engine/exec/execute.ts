/** Running a prepared notebook's cells: the cell cache opened, the DAG executed, the run's status from its cells. */
import type { Notebook } from '../notebook/load.js';
import type { Logger } from '../util/log.js';
import type { CellOutput } from '../outputs.js';
import type { CellRecord, RunStatus } from '../runs/runs.js';
import { processState } from '../util/state.js';
import { cellCacheDeclarations, planCache, runCache, summarize, type CellCache } from '../cache/index.js';
import { executeDag } from './executor.js';
import type { RunConnections } from '../connections/run-connections.js';
import { statusOfCells } from './manifest.js';
import { readsCache, writesCache, type RunOptions } from './run-options.js';
import type { PreparedRun } from './prepare.js';
import type { RunStore } from './store.js';

export interface ExecutedRun {
  cells: CellRecord[];
  outputs: Map<string, CellOutput | null>;
  status: RunStatus;
  error: string | null;
}

/** The run's cell cache, its plan logged; a cache that can't be planned is a warning, never a failed run. */
async function openCache(args: Omit<Parameters<typeof planCache>[0], 'fingerprints'>, connections: RunConnections, logger: Logger): Promise<CellCache | undefined> {
  try {
    const plan = planCache({ ...args, fingerprints: await connections.fingerprints(cellCacheDeclarations(args.reads)) });
    logger.log('info', summarize(plan.decisions));
    return runCache(plan, logger);
  } catch (err) {
    logger.log('warn', `cell cache not used: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/**
 * Runs every cell of a prepared notebook, saving finished tables through `store`, and closes the
 * DuckDB session and the connections. An internal error (a bug, not a cell's failure) ends it `failed` with the reason.
 */
export async function executeRun(args: { nb: Notebook; prepared: PreparedRun; titles: Map<string, string | null>; store: RunStore; logger: Logger; opts: RunOptions }): Promise<ExecutedRun> {
  const { nb, prepared, logger, opts } = args;
  const { session, connections, dag, reads, params, runsDir } = prepared;
  const mode = opts.cache ?? 'use';
  const signal = opts.signal ?? new AbortController().signal;
  const outputs = new Map<string, CellOutput | null>();
  try {
    const cache = writesCache(mode) ? await openCache({ nb, dag, reads, params, runsDir, noCache: !readsCache(mode) }, connections, logger) : undefined;
    const results = await executeDag({
      nb,
      dag,
      session,
      connections,
      params,
      titles: args.titles,
      logger,
      signal,
      concurrency: opts.concurrency ?? 4,
      onEvent: opts.onEvent,
      cache,
      keep: args.store.keeper(cache),
      state: opts.state ?? processState(),
    });
    const cells = dag.ids.map((id) => results.get(id)!.record);
    for (const [id, r] of results) outputs.set(id, r.output);
    return {
      cells,
      outputs,
      ...statusOfCells(
        nb.cells.map((c) => c.spec),
        cells,
        signal,
      ),
    };
  } catch (err) {
    return { cells: [], outputs, status: 'failed', error: `run aborted by an internal error: ${(err as Error).message}` };
  } finally {
    if (!session.isOpen) logger.log('info', 'the run did not start DuckDB: the notebook analysis and every cell came from the cache');
    session.close();
    await connections.close().catch((err: Error) => logger.log('warn', `closing connections: ${err.message}`));
  }
}
