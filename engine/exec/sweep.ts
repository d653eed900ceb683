/**
 * Sweeps: one notebook run for every combination of the swept param values, a few at a time.
 * Every member is checked before the first one starts; a failing member doesn't stop the others.
 * Members take turns on a pool of `concurrency` DuckDB instances (the project database attached
 * once per instance) and share one browser for PDF export. A batch summary lists the runs.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeJsonAtomic } from '../util/atomic.js';
import { UserError, ValidationErrors, type QuireError } from '../util/errors.js';
import { coerceParamValue, resolveParams } from '../params/index.js';
import type { Notebook } from '../notebook/load.js';
import { projectPath } from '../project.js';
import { runNotebook, type RunOptions, type RunResult } from './run.js';
import { didYouMean } from '../util/suggest.js';
import { PdfRenderer } from '../report/pdf/index.js';
import { needsBrowser } from '../export/index.js';
import type { RunStatus } from '../runs/runs.js';
import { EngineState } from '../util/state.js';

export interface SweepAxis {
  name: string;
  values: string[];
}

/** `--sweep name=v1,v2` arguments, in order. */
export function parseSweeps(args: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? '' : arg.slice(0, eq).trim();
    const values =
      eq < 0
        ? []
        : arg
            .slice(eq + 1)
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '');
    if (!name || !values.length) throw new UserError('E_SWEEP_SYNTAX', `--sweep ${JSON.stringify(arg)} is not name=value1,value2,...`, { hint: 'e.g. --sweep region=NA,EU,APAC' });
    if (axes.some((a) => a.name === name)) throw new UserError('E_SWEEP_SYNTAX', `param ${name} is swept twice`, { hint: `give one --sweep ${name}=... with every value` });
    axes.push({ name, values: [...new Set(values)] });
  }
  return axes;
}

/** Every combination of the axes' values, the first axis varying slowest. */
export function sweepMembers(axes: readonly SweepAxis[]): Record<string, string>[] {
  return axes.reduce<Record<string, string>[]>((acc, axis) => acc.flatMap((m) => axis.values.map((v) => ({ ...m, [axis.name]: v }))), [{}]);
}

/** Checks every swept name and value, and one full member, before anything runs. */
export function checkSweep(nb: Notebook, axes: readonly SweepAxis[], base: Record<string, string>, now: Date): void {
  const specs = nb.top.params ?? {};
  const timezone = nb.project.config.timezone;
  const errors: QuireError[] = [];
  for (const axis of axes) {
    const spec = specs[axis.name];
    if (!spec) {
      const dym = didYouMean(axis.name, Object.keys(specs));
      errors.push(new UserError('E_PARAM_UNKNOWN', `--sweep over unknown param "${axis.name}"${dym ? ` — ${dym}` : ''}`, { hint: `declared params: ${Object.keys(specs).join(', ') || 'none'}` }));
      continue;
    }
    if (axis.name in base) errors.push(new UserError('E_SWEEP_SYNTAX', `param ${axis.name} is both swept and set with -p`, { hint: 'drop one of them' }));
    for (const value of axis.values) {
      const r = coerceParamValue(spec, value, { fromCli: true, now, timezone });
      if (!r.ok) errors.push(new UserError(r.code, `--sweep ${axis.name}=${value}: param "${axis.name}" expects ${r.expected}, got ${r.got}`, { hint: r.hint }));
    }
  }
  if (errors.length) throw new ValidationErrors(errors);
  const first = sweepMembers(axes)[0];
  resolveParams(specs, { ...base, ...first }, { now, timezone, fromCli: true });
}

export interface BatchMember {
  params: Record<string, string>;
  run_id: string | null;
  dir: string | null;
  status: RunStatus | 'failed';
  error: string | null;
  duration_ms: number;
  cache_hits: number;
}

export interface BatchSummary {
  id: string;
  notebook: { id: string; path: string };
  started_at: string;
  finished_at: string;
  sweep: Record<string, string[]>;
  concurrency: number;
  status: 'succeeded' | 'partial' | 'failed';
  members: BatchMember[];
}

export interface SweepOptions {
  axes: SweepAxis[];
  /** `-p` values every member shares. */
  base: Record<string, string>;
  /** Members running at once (and DuckDB instances in the pool). */
  concurrency: number;
  /** Options of each member's run (exports, paper, runsDir, cache...); without `state`, the sweep makes one for its members and closes it at the end. */
  run?: Omit<RunOptions, 'params' | 'fromCli' | 'trigger' | 'duck' | 'pdf'>;
  onMember?: (m: BatchMember) => void;
}

/** Status of a batch: failed if any member failed, partial if any was partial. */
function batchStatus(members: BatchMember[]): BatchSummary['status'] {
  if (members.some((m) => m.status === 'failed' || m.status === 'running')) return 'failed';
  return members.some((m) => m.status === 'partial') ? 'partial' : 'succeeded';
}

export async function runSweep(nb: Notebook, opts: SweepOptions): Promise<{ summary: BatchSummary; path: string }> {
  const started = new Date();
  checkSweep(nb, opts.axes, opts.base, started);
  const members = sweepMembers(opts.axes);
  const concurrency = Math.max(1, Math.min(opts.concurrency, members.length));
  const formats = opts.run?.exports ?? nb.top.export ?? ['html'];
  const pdf = needsBrowser(formats) ? await PdfRenderer.launch().catch(() => undefined) : undefined;
  const state = opts.run?.state ?? new EngineState();
  const pool: DuckDBInstance[] = [];
  const free: DuckDBInstance[] = [];
  const results: BatchMember[] = new Array(members.length);
  let next = 0;
  const worker = async () => {
    const duck = free.pop() ?? (await DuckDBInstance.create(':memory:'));
    if (!pool.includes(duck)) pool.push(duck);
    try {
      while (next < members.length) {
        const i = next++;
        results[i] = await runMember(nb, members[i], opts, { duck, pdf, state });
        opts.onMember?.(results[i]);
      }
    } finally {
      free.push(duck);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pdf?.close();
    for (const d of pool) d.closeSync();
    if (!opts.run?.state) await state.close();
  }
  const runsDir = opts.run?.runsDir ?? projectPath(nb.project, nb.project.config.runs_dir);
  const summary: BatchSummary = {
    id: `${started
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')
      .replace('T', '-')}-${randomBytes(3).toString('hex')}`,
    notebook: { id: nb.id, path: nb.displayPath },
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    sweep: Object.fromEntries(opts.axes.map((a) => [a.name, a.values])),
    concurrency,
    status: batchStatus(results),
    members: results,
  };
  const dir = join(runsDir, '.batches');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${summary.id}.json`);
  writeJsonAtomic(path, summary);
  return { summary, path };
}

async function runMember(nb: Notebook, member: Record<string, string>, opts: SweepOptions, shared: Pick<RunOptions, 'duck' | 'pdf' | 'state'>): Promise<BatchMember> {
  const t0 = performance.now();
  let result: RunResult;
  try {
    result = await runNotebook(nb, {
      ...opts.run,
      params: { ...opts.base, ...member },
      fromCli: true,
      trigger: { kind: 'sweep', schedule: null, scheduled_for: null },
      ...shared,
    });
  } catch (err) {
    return { params: member, run_id: null, dir: null, status: 'failed', error: (err as Error).message, duration_ms: Math.round(performance.now() - t0), cache_hits: 0 };
  }
  const m = result.manifest;
  const failed = m.cells.find((c) => c.status === 'failed');
  return {
    params: member,
    run_id: m.id,
    dir: result.dir,
    status: m.status,
    error: m.error ?? (failed?.error ? `cell ${failed.id}: ${failed.error.message}` : null),
    duration_ms: Math.round(performance.now() - t0),
    cache_hits: m.cells.filter((c) => c.cache_hit).length,
  };
}
