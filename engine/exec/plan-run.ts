/** What a run would do, without running: resolved params, run order, and which cells the cache serves (`quire plan`, the server's plan view). */
import type { Notebook } from '../notebook/load.js';
import { cellCacheDeclarations, planCache } from '../cache/index.js';
import type { EngineState } from '../util/state.js';
import { prepareRun } from './prepare.js';

export interface RunPlan {
  notebook: string;
  params: Record<string, unknown>;
  /** Cells of one level run concurrently. */
  levels: string[][];
  /** Each cell's upstream cells (the DAG's edges). */
  upstream: Record<string, string[]>;
  cells: { id: string; action: 'cache' | 'run'; reason: string; key: string | null }[];
}

export async function planRun(nb: Notebook, opts: { params: Record<string, unknown>; fromCli?: boolean; runsDir: string; noCache?: boolean; state?: EngineState; now?: () => Date }): Promise<RunPlan> {
  // Plans write nothing, not even the analysis memo.
  const { params, session, connections, dag, reads } = await prepareRun(nb, { params: opts.params, fromCli: opts.fromCli, runsDir: opts.runsDir, cache: 'off', state: opts.state, now: opts.now });
  session.close();
  let fingerprints: Awaited<ReturnType<typeof connections.fingerprints>>;
  try {
    fingerprints = await connections.fingerprints(cellCacheDeclarations(reads));
  } finally {
    await connections.close();
  }
  const plan = planCache({ nb, dag, reads, params, runsDir: opts.runsDir, noCache: Boolean(opts.noCache), fingerprints });
  return {
    notebook: nb.id,
    params: params.values,
    levels: dag.levels,
    upstream: Object.fromEntries(dag.upstream),
    cells: plan.decisions.map((d) => ({ id: d.id, action: d.action, reason: d.reason, key: d.key ?? null })),
  };
}
