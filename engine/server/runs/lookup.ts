/**
 * A run by id, wherever it is: waiting in the run manager's queue (no folder yet), running or
 * finished (its folder, found through the runs index). Ids are checked before any path is made.
 */
import { join } from 'node:path';
import { readRun, type RunManifest } from '../../runs/runs.js';
import type { RunIndex } from '../../runs/index-file.js';
import { isInside } from '../../util/inside.js';
import { HttpProblem } from '../problem.js';
import type { ManagedRun } from './run-manager.js';
import type { RunService } from './run-service.js';

export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface RunView {
  id: string;
  notebookId: string;
  status: string;
  /** The run folder and its run.json, once it exists. */
  dir: string | null;
  manifest: RunManifest | null;
  managed: ManagedRun | null;
}

export function findRunView(deps: { runsDir: string; index: RunIndex; runs: RunService }, id: string): RunView {
  if (!RUN_ID.test(id) || id.includes('..')) throw new HttpProblem(404, 'E_RUN_NOT_FOUND', `no run '${id}'`, 'run ids are letters, digits, -, _ and .');
  const managed = deps.runs.get(id) ?? null;
  let notebookId = managed?.notebookId ?? null;
  if (!notebookId) {
    let entry = deps.index.find(id);
    if (!entry) {
      deps.index.refresh(true);
      entry = deps.index.find(id);
    }
    notebookId = entry?.notebook ?? null;
  }
  if (!notebookId) throw new HttpProblem(404, 'E_RUN_NOT_FOUND', `no run '${id}'`, 'GET /api/v1/runs lists them');
  const dir = join(deps.runsDir, notebookId, id);
  if (!isInside(deps.runsDir, dir)) throw new HttpProblem(404, 'E_RUN_NOT_FOUND', `no run '${id}'`);
  const manifest = managed && managed.status === 'queued' ? null : readRun(dir);
  const status = managed && (managed.status === 'queued' || !manifest) ? managed.status : (manifest?.status ?? 'unknown');
  if (!manifest && !managed) throw new HttpProblem(404, 'E_RUN_NOT_FOUND', `run '${id}' has no readable run.json`);
  return { id, notebookId, status, dir: manifest ? dir : null, manifest, managed };
}

/** A run as the API shows it: the run.json fields, its status (queued ones too) and place in the queue. */
export function runJson(view: RunView, runs: RunService): Record<string, unknown> {
  const { dir: _dir, ...m } = { ...(view.manifest ?? {}), dir: null } as Record<string, unknown>;
  const q = runs.queued.findIndex((r) => r.id === view.id);
  const managed = view.managed;
  return {
    ...(managed
      ? {
          id: managed.id,
          notebook: { id: managed.notebookId },
          title: managed.title,
          params: managed.params,
          started_by: managed.startedBy,
          trigger: managed.trigger,
          queued_at: managed.queuedAt,
          error: managed.error,
        }
      : {}),
    ...m,
    status: view.status,
    queue_position: q >= 0 ? q + 1 : null,
  };
}
