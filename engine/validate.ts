import { DuckSession } from './duck.js';
import { QuireError, ValidationErrors } from './errors.js';
import { loadNotebook, type Notebook } from './notebook/load.js';
import { analyzeNotebook } from './notebook/analyze.js';
import type { Dag } from './graph.js';

/**
 * Checks a notebook without running it; throws ValidationErrors with every problem.
 *
 * @example
 *   const nb = await validateNotebook('notebooks/monthly-review.yaml');
 */
export async function validateNotebook(path: string): Promise<Notebook & { dag: Dag }> {
  let nb: Notebook;
  try {
    nb = loadNotebook(path);
  } catch (err) {
    if (err instanceof QuireError && !(err instanceof ValidationErrors)) throw new ValidationErrors([err]);
    throw err;
  }
  const session = await DuckSession.open({ database: ':memory:' });
  try {
    const { dag, errors } = await analyzeNotebook(nb, await session.connect());
    if (errors.length) throw new ValidationErrors(errors);
    return { ...nb, dag };
  } finally {
    session.close();
  }
}
