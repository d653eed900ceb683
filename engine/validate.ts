import { DuckSession, warmInstance } from './duck/duck.js';
import { QuireError, ValidationErrors } from './util/errors.js';
import type { Notebook } from './notebook/load.js';
import { readNotebook } from './notebooks.js';
import { analyzeNotebook } from './plan/analyze.js';
import type { Dag } from './plan/graph.js';
import { DUCK_POOL } from './duck/duck-pool.js';
import { processState, type EngineState } from './util/state.js';
import { bindNotebook } from './plan/bind.js';
import { unknownColumns } from './plan/column-check.js';
import { resolveParams } from './params/index.js';
import type { BoundParams } from './duck/duck.js';
import { RunConnections } from './connections/run-connections.js';
import { DEFAULT_CONNECTION } from './connections/connection.js';
import { FileBindMemo } from './cache/bind-memo.js';
import { CACHE_DIR } from './cache/dir.js';
import { projectPath } from './project.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks a notebook without running it; throws ValidationErrors with every problem.
 *
 * @example
 *   const nb = await validateNotebook('notebooks/monthly-review.yaml');
 */
export async function validateNotebook(path: string, opts: { state?: EngineState } = {}): Promise<Notebook & { dag: Dag }> {
  const state = opts.state ?? processState();
  // DuckDB starts on its own threads while the notebook is read (every path below opens a session).
  warmInstance(state.get(DUCK_POOL));
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
  // One DuckDB session serves the parser and the binder: the project's, when its database opens.
  const project = await projectSession(nb, state);
  const session = project?.session ?? (await DuckSession.open({ database: ':memory:', pool: state.get(DUCK_POOL) }));
  try {
    const analysis = await analyzeNotebook(nb, await session.connect());
    // Loaded only for notebooks with schedules: cron parsing is a large module.
    const scheduleErrors = nb.top.schedules?.length ? (await import('./schedule/check.js')).checkSchedules(nb) : [];
    const bound = project ? await bindNotebook(nb, analysis.dag, () => project.session.connect(), defaultParams(nb), (await bindMemo(nb, project.connections)) ?? undefined) : null;
    const bindErrors = bound ? [...bound.errors, ...unknownColumns(analysis.columns, bound.columns)] : [];
    const all = [...errors, ...analysis.errors, ...scheduleErrors, ...bindErrors].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    if (all.length) throw new ValidationErrors(all);
    return { ...nb, dag: analysis.dag };
  } finally {
    session.close();
  }
}

/** The params' default values, for describing statements that use them; null when one has no default. */
function defaultParams(nb: Notebook): BoundParams | null {
  try {
    return resolveParams(nb.top.params ?? {}, {}, { now: new Date(), timezone: nb.project.config.timezone });
  } catch {
    return null;
  }
}

/** A session that sees the project database (read-only), to bind the query cells against; null when it can't be opened. */
async function projectSession(nb: Notebook, state: EngineState): Promise<{ session: DuckSession; connections: RunConnections } | null> {
  try {
    const connections = new RunConnections(nb.project);
    const { database, attach } = connections.sessionDatabases();
    return { session: await DuckSession.open({ database, attach, write: false, fileSearchPath: nb.project.root, pool: state.get(DUCK_POOL) }), connections };
  } catch {
    return null; // a missing database is the run's error to report, with its own hint
  }
}

/**
 * The binder's memo in the runs folder's cache; none before the project's first run (validating
 * writes nothing into a project that never ran) or when an attached connection can't tell when its data changed.
 */
async function bindMemo(nb: Notebook, connections: RunConnections): Promise<FileBindMemo | null> {
  const runsDir = projectPath(nb.project, nb.project.config.runs_dir);
  if (!existsSync(runsDir)) return null;
  const stamps: (string | null)[] = [];
  for (const c of connections.all()) if (c.name === DEFAULT_CONNECTION || c.attachments.length) stamps.push(await c.fingerprint().catch(() => null));
  if (stamps.some((s) => s === null)) return null;
  const dir = join(runsDir, CACHE_DIR, '.bind');
  return new FileBindMemo(dir, JSON.stringify(stamps), nb.project.root);
}
