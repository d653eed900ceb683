import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OperationalError, UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/atomic.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial';
export type CellStatus = 'succeeded' | 'failed' | 'skipped';

export interface CellRecord {
  id: string;
  type: string;
  title: string | null;
  status: CellStatus;
  duration_ms: number | null;
  rows: number | null;
  cache_hit: boolean;
  error: { code: string; message: string; location: string | null; snippet: string | null; hint: string | null } | null;
  skipped_reason?: string | null;
}

/** run.json — the contract of notebook-format.md "Runs", plus a few fields of our own. */
export interface RunManifest {
  id: string;
  notebook: { id: string; path: string; sha256: string };
  title: string;
  params: Record<string, unknown>;
  param_types: Record<string, string>;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  /** Why the run failed when no single cell says it (interrupted, report not written...). */
  error: string | null;
  trigger: { kind: 'cli' | 'schedule' | 'rerun' | 'sweep' | 'api'; schedule: string | null; scheduled_for: string | null; attempt?: number };
  cells: CellRecord[];
  exports: Record<string, string>;
  log: string;
}

/** Sortable and unique: UTC time of the start plus random bits. */
export function newRunId(now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/**
 * Makes the run folder with its first run.json and an empty run.log in it: it is built under a
 * temporary name and renamed into place, so a run folder never exists without its run.json
 * (a process killed at any point leaves a folder that says what it was, or none). An existing
 * folder of that id is never reused.
 */
export function createRunDir(runsDir: string, notebookId: string, runId: string, manifest: RunManifest): string {
  const dir = join(runsDir, notebookId, runId);
  const tmp = join(runsDir, notebookId, `.${runId}.tmp-${process.pid}`);
  try {
    mkdirSync(tmp, { recursive: true });
    writeManifest(tmp, manifest);
    writeFileSync(join(tmp, manifest.log), '');
    renameSync(tmp, dir);
  } catch (err) {
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      /* nothing was made */
    }
    const exists = existsSync(dir);
    throw new OperationalError('E_RUNS_DIR', exists ? `the run folder ${dir} exists already` : `cannot create the run folder ${dir}: ${(err as Error).message}`, {
      hint: exists ? 'run ids are unique per run; remove the old folder or pass another run id' : 'check that runs_dir (quire.yaml) or --runs-dir points at a writable folder and the disk is not full',
      cause: err,
    });
  }
  return dir;
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  writeJsonAtomic(join(dir, 'run.json'), manifest);
}

export interface RunEntry {
  dir: string;
  manifest: RunManifest;
}

function readManifest(dir: string): RunManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
  } catch {
    return null;
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Dot folders (.cache, .batches) hold the cell cache and sweep summaries, not runs.
  return readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory());
}

/** Runs under `runsDir`, newest first; only those of `notebookId` when given. */
export function listRuns(runsDir: string, notebookId?: string): RunEntry[] {
  const notebooks = notebookId ? [notebookId] : subdirs(runsDir);
  const out: RunEntry[] = [];
  for (const nb of notebooks) {
    for (const runId of subdirs(join(runsDir, nb))) {
      const dir = join(runsDir, nb, runId);
      const manifest = readManifest(dir);
      if (manifest) out.push({ dir, manifest });
    }
  }
  return out.sort((a, b) => b.manifest.started_at.localeCompare(a.manifest.started_at) || b.manifest.id.localeCompare(a.manifest.id));
}

/** A run by id, or by a unique prefix of its id. */
export function findRun(runsDir: string, runId: string): RunEntry {
  const all = listRuns(runsDir);
  const exact = all.find((r) => r.manifest.id === runId);
  if (exact) return exact;
  const prefixed = all.filter((r) => r.manifest.id.startsWith(runId));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) {
    throw new UserError('E_RUN_AMBIGUOUS', `run id '${runId}' matches ${prefixed.length} runs`, { hint: 'give more characters of the id (quire runs list)' });
  }
  throw new UserError('E_RUN_UNKNOWN', `no run '${runId}' in ${runsDir}`, { hint: 'list runs with `quire runs list`' });
}
