import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OperationalError, UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { insideOrThrow } from '../util/inside.js';
import { PROCESS_GONE, processGone, readManifestFile, type RunManifest } from './manifest.js';

export { PROCESS_GONE, runManifestSchema, thisProcess } from './manifest.js';
export type { CellProblem, CellRecord, CellShow, CellStatus, RunManifest, RunStatus } from './manifest.js';

/** Sortable and unique: UTC time of the start plus random bits. */
export function newRunId(now: Date): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/**
 * Makes the run folder with its first run.json and an empty run.log in it: it is built under a
 * temporary name and renamed into place, so a run folder never exists without its run.json
 * (a process killed at any point leaves a folder that says what it was, or none). An existing
 * folder of that id is never reused.
 */
export function createRunDir(runsDir: string, notebookId: string, runId: string, manifest: RunManifest): string {
  const dir = insideOrThrow(join(runsDir, notebookId), join(runsDir, notebookId, runId), "the notebook's runs folder");
  insideOrThrow(runsDir, join(runsDir, notebookId), 'the runs folder');
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

/** A run folder whose run.json can't be used, and why. */
export interface DamagedRun {
  dir: string;
  problem: string;
}

/**
 * A run folder's manifest, or null when it has no usable run.json (`onDamaged` hears why). A run
 * left `running` by a process that is gone is stored and returned as failed.
 */
export function readRun(dir: string, onDamaged?: (d: DamagedRun) => void): RunManifest | null {
  const read = readManifestFile(dir);
  if (!read.ok) {
    if ('problem' in read) onDamaged?.({ dir, problem: read.problem });
    return null;
  }
  return processGone(read.manifest) ? settleGone(dir, read.manifest) : read.manifest;
}

/** Marks a run whose process died as failed; finished at run.json's last write, the last sign of life. */
function settleGone(dir: string, m: RunManifest): RunManifest {
  let lastWrite: Date;
  try {
    lastWrite = statSync(join(dir, 'run.json')).mtime;
  } catch {
    lastWrite = new Date();
  }
  const settled: RunManifest = { ...m, status: 'failed', error: PROCESS_GONE, finished_at: m.finished_at ?? lastWrite.toISOString() };
  try {
    writeManifest(dir, settled);
  } catch {
    /* a read-only runs folder: shown as failed all the same */
  }
  return settled;
}

/** Warning line for a damaged run folder. */
export function damagedWarning(d: DamagedRun): string {
  return `warning: skipped ${join(d.dir, 'run.json')}: damaged (${d.problem}); move the folder away or fix the file`;
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Dot folders (.cache, .batches) hold the cell cache and sweep summaries, not runs.
  return readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory());
}

/** The notebook ids with a folder of runs under `runsDir`, sorted. */
export function notebooksWithRuns(runsDir: string): string[] {
  return subdirs(runsDir).sort();
}

/** Runs under `runsDir`, newest first; only those of `notebookId` when given. Damaged ones are left out and told to `onDamaged`. */
export function listRuns(runsDir: string, notebookId?: string, onDamaged?: (d: DamagedRun) => void): RunEntry[] {
  const notebooks = notebookId ? [notebookId] : subdirs(runsDir);
  const out: RunEntry[] = [];
  for (const nb of notebooks) {
    for (const runId of subdirs(join(runsDir, nb))) {
      const dir = join(runsDir, nb, runId);
      const manifest = readRun(dir, onDamaged);
      if (manifest) out.push({ dir, manifest });
    }
  }
  return out.sort((a, b) => b.manifest.started_at.localeCompare(a.manifest.started_at) || b.manifest.id.localeCompare(a.manifest.id));
}

/** A run by id, or by a unique prefix of its id. */
export function findRun(runsDir: string, runId: string, onDamaged?: (d: DamagedRun) => void): RunEntry {
  const all = listRuns(runsDir, undefined, onDamaged);
  const exact = all.find((r) => r.manifest.id === runId);
  if (exact) return exact;
  const prefixed = all.filter((r) => r.manifest.id.startsWith(runId));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) {
    throw new UserError('E_RUN_AMBIGUOUS', `run id '${runId}' matches ${prefixed.length} runs`, { hint: 'give more characters of the id (quire runs list)' });
  }
  throw new UserError('E_RUN_UNKNOWN', `no run '${runId}' in ${runsDir}`, { hint: 'list runs with `quire runs list`' });
}
