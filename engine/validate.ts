import { DuckSession } from './duck/duck.js';
import { QuireError, ValidationErrors } from './util/errors.js';
import type { Notebook } from './notebook/load.js';
import { readNotebook } from './notebooks.js';
import { analyzeNotebook } from './plan/analyze.js';
import type { Dag } from './plan/graph.js';
import { DUCK_POOL } from './duck/duck-pool.js';
import { processState, type EngineState } from './util/state.js';

/**
 * Checks a notebook without running it; throws ValidationErrors with every problem.
 *
 * @example
 *   const nb = await validateNotebook('notebooks/monthly-review.yaml');
 */
export async function validateNotebook(path: string, opts: { state?: EngineState } = {}): Promise<Notebook & { dag: Dag }> {
  const state = opts.state ?? processState();
  let read: ReturnType<typeof readNotebook>;
  try {
    read = readNotebook(path, { state });
  } catch (err) {
    if (err instanceof ValidationErrors) throw err;
    if (err instanceof QuireError) throw new ValidationErrors([err]);
    throw err;
  }
  const { notebook: nb, errors } = read;
  if (!nb) throw new ValidationErrors(errors);
  const session = await DuckSession.open({ database: ':memory:', pool: state.get(DUCK_POOL) });
  try {
    const analysis = await analyzeNotebook(nb, await session.connect());
    // Loaded only for notebooks with schedules: cron parsing is a large module.
    const scheduleErrors = nb.top.schedules?.length ? (await import('./schedule/check.js')).checkSchedules(nb) : [];
    const all = [...errors, ...analysis.errors, ...scheduleErrors].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    if (all.length) throw new ValidationErrors(all);
    return { ...nb, dag: analysis.dag };
  } finally {
    session.close();
  }
}
