/**
 * Running one tick: its run folder is fixed by the run id (schedule + scheduled time), an older
 * attempt in it is moved to `<notebook>/.attempts/` first, and relative params are evaluated at
 * the scheduled time in the schedule's timezone (a retry after midnight reports the same month).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { insideOrThrow } from '../util/inside.js';
import { QuireError } from '../util/errors.js';
import { writeManifest, type RunManifest } from '../runs/runs.js';
import { PROCESS_GONE, readManifestFile } from '../runs/manifest.js';
import { loadNotebook } from '../notebooks.js';
import { resolveParams } from '../params/index.js';
import type { RunOptions, RunResult } from '../exec/run.js';
import type { Notebook } from '../notebook/load.js';
import type { ExportFormat } from '../export/index.js';
import type { ScheduleDef } from './discover.js';
import type { QueueItem } from './state.js';
import type { EngineState } from '../util/state.js';

export type RunFn = (nb: string | Notebook, opts: RunOptions) => Promise<RunResult>;

export function runDirOf(runsDir: string, item: Pick<QueueItem, 'notebook_id' | 'run_id'>): string {
  return insideOrThrow(join(runsDir, item.notebook_id), join(runsDir, item.notebook_id, item.run_id), 'the runs folder');
}

/** The run.json in `dir` as written (a damaged one: null, and the folder is moved aside when the tick runs again). */
export function readManifestAt(dir: string): RunManifest | null {
  const read = readManifestFile(dir);
  return read.ok ? read.manifest : null;
}

/** Whether a run ended, rather than being left unfinished by a process that died (then it runs again). */
export function runEnded(m: RunManifest): boolean {
  return m.status !== 'running' && !(m.status === 'failed' && m.error === PROCESS_GONE);
}

/** Moves an earlier attempt's folder out of the way; returns where it went, or null. */
export function moveAside(runsDir: string, item: Pick<QueueItem, 'notebook_id' | 'run_id'>, now: number): string | null {
  const dir = runDirOf(runsDir, item);
  if (!existsSync(dir)) return null;
  const attempts = join(runsDir, item.notebook_id, '.attempts');
  mkdirSync(attempts, { recursive: true });
  let target = join(attempts, `${item.run_id}.${now}`);
  for (let i = 1; existsSync(target); i++) target = join(attempts, `${item.run_id}.${now}-${i}`);
  renameSync(dir, target);
  return target;
}

/** Marks a run folder left `running` by a dead process as failed, with why. */
export function markInterrupted(dir: string, manifest: RunManifest, why: string, now: Date): void {
  writeManifest(dir, { ...manifest, status: 'failed', error: why, finished_at: manifest.finished_at ?? now.toISOString() });
}

/** The param values a tick runs with: relative words fixed at the scheduled time. */
export function tickParams(nb: Notebook, def: ScheduleDef, scheduledFor: string): Record<string, unknown> {
  const specs = nb.top.params ?? {};
  const resolved = resolveParams(specs, def.spec.params ?? {}, { now: new Date(scheduledFor), timezone: def.timezone });
  return Object.fromEntries(Object.keys(specs).map((name) => [name, resolved.values[name]]));
}

export interface TickRun {
  item: QueueItem;
  def: ScheduleDef;
  runsDir: string;
  signal: AbortSignal;
  clock: () => number;
  run: RunFn;
  onStart: (dir: string) => void;
  /** The scheduler's engine state: its notebook cache and pools serve every tick. */
  engine?: EngineState;
}

/** Runs the tick; throws what runNotebook throws before a folder exists (bad notebook or params). */
export async function runTick(t: TickRun): Promise<RunResult> {
  const nb = loadNotebook(t.def.notebookPath, { state: t.engine });
  const attempt = t.item.failures + t.item.interruptions + 1;
  return t.run(nb, {
    params: tickParams(nb, t.def, t.item.scheduled_for),
    now: () => new Date(t.clock()),
    runsDir: t.runsDir,
    runId: t.item.run_id,
    trigger: { kind: 'schedule', schedule: t.def.spec.name, scheduled_for: t.item.scheduled_for, attempt },
    signal: t.signal,
    exports: t.def.spec.export as ExportFormat[] | undefined,
    onStart: ({ dir }) => t.onStart(dir),
    state: t.engine,
  });
}

/** Why a tick failed, in one line: the run's error, else its failed cells, else what was thrown before a run folder existed. */
export function failureReason(m: RunManifest | null, error: unknown): string {
  if (m)
    return (
      (m.error ??
        m.cells
          .filter((c) => c.status === 'failed')
          .map((c) => `${c.id}: ${c.error?.message}`)
          .join('; ')) ||
      'failed'
    );
  return error instanceof QuireError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error);
}
