/**
 * run.json: its schema, and the one place it is read. Raw JSON is `unknown` until it passes the
 * schema; a file that doesn't is reported as damaged, never cast.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { processAlive } from '../util/process-alive.js';

const cellError = z.object({
  code: z.string(),
  message: z.string(),
  location: z.string().nullable(),
  snippet: z.string().nullable(),
  hint: z.string().nullable(),
});

const cellRecord = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string().nullable(),
  status: z.enum(['succeeded', 'failed', 'skipped']),
  duration_ms: z.number().nullable(),
  rows: z.number().nullable(),
  cache_hit: z.boolean(),
  error: cellError.nullable(),
  skipped_reason: z.string().nullable().optional(),
  /** What went wrong without failing the cell (an `expect:` with `on_fail: warn`); the report shows each. */
  warnings: z.array(cellError).optional(),
  /** How the report shows the cell (absent: in full); hidden cells stay in the run folder and XLSX. */
  show: z.enum(['full', 'summary', 'hidden']).optional(),
});

/** run.json — the contract of notebook-format.md "Runs", plus a few fields of our own. Unknown keys are kept. */
export const runManifestSchema = z.looseObject({
  id: z.string().min(1),
  notebook: z.looseObject({ id: z.string().min(1), path: z.string(), sha256: z.string() }),
  title: z.string(),
  params: z.record(z.string(), z.unknown()),
  param_types: z.record(z.string(), z.string()),
  status: z.enum(['running', 'succeeded', 'failed', 'partial']),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  /** Why the run failed when no single cell says it (interrupted, report not written...). */
  error: z.string().nullable(),
  trigger: z.looseObject({
    kind: z.enum(['cli', 'schedule', 'rerun', 'sweep', 'api']),
    schedule: z.string().nullable(),
    scheduled_for: z.string().nullable(),
    attempt: z.number().optional(),
  }),
  cells: z.array(cellRecord),
  exports: z.record(z.string(), z.string()),
  log: z.string(),
  /** The process running it (pid on host), so a run left `running` by a dead process can be told apart. */
  process: z.object({ pid: z.number().int(), host: z.string() }).optional(),
  /** Who started it: the OS user of `quire run`, the token name of a web or API user. */
  started_by: z.string().optional(),
});

export type RunManifest = z.infer<typeof runManifestSchema>;
export type RunStatus = RunManifest['status'];
export type CellRecord = RunManifest['cells'][number];
export type CellShow = 'full' | 'summary' | 'hidden';
export type CellStatus = CellRecord['status'];
/** A cell's error, or one of its warnings, as run.json keeps it. */
export type CellProblem = z.infer<typeof cellError>;

/** The `error` of a run found `running` whose process is gone. */
export const PROCESS_GONE = 'process ended without finishing';

/** This process, as recorded in a run.json it starts. */
export function thisProcess(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

export type ManifestRead = { ok: true; manifest: RunManifest } | { ok: false; problem: string } | { ok: false; missing: true };

/** Reads and checks `<dir>/run.json`; says what is wrong with a damaged one. */
export function readManifestFile(dir: string): ManifestRead {
  const file = join(dir, 'run.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, missing: true };
    return { ok: false, problem: `cannot read it: ${(err as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON: ${(err as Error).message}` };
  }
  const parsed = runManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue.path.join('.') || '(top)'}: ${issue.message}` };
  }
  return { ok: true, manifest: parsed.data };
}

/** Whether a `running` run's process is known to be gone: recorded on this host and not alive. */
export function processGone(m: RunManifest, alive: (pid: number) => boolean = processAlive): boolean {
  if (m.status !== 'running' || !m.process) return false;
  return m.process.host === hostname() && m.process.pid !== process.pid && !alive(m.process.pid);
}
