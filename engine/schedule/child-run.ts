/**
 * Each scheduled run in a child process (`quire __run-child`): whatever a notebook makes throw or
 * crash (a renderer, a library, a cell), only that child dies; the scheduler records the run as
 * failed with the reason and keeps running its other schedules. The child exits at once when the
 * scheduler is gone (its stdin closes), leaving the run `running` for the next start to redo.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { OperationalError, UserError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import type { Notebook } from '../notebook/load.js';
import type { RunOptions, RunResult } from '../exec/run.js';
import type { ExecEvent } from '../exec/executor.js';
import { needsBrowser } from '../export/index.js';
import { WARM_BROWSER } from '../export/warm-browser.js';
import { markInterrupted, readManifestAt, type RunFn } from './runner.js';

/** What the parent sends the child on stdin (one JSON line). */
export interface ChildJob {
  notebook: string;
  params: Record<string, unknown>;
  /** Params are CLI strings, coerced like `-p` (queued sweeps). */
  fromCli?: boolean;
  runsDir?: string;
  runId?: string;
  trigger?: RunOptions['trigger'];
  exports?: RunOptions['exports'];
  /** The scheduler's warm browser (export/warm-browser.ts): the run joins it instead of starting Chromium. */
  browserEndpoint?: string;
  /** The blank page the warm browser opened for the run (its URL): printed in instead of opening one. */
  browserPage?: string;
}

/** What the child prints on stdout, one JSON line each. */
export type ChildEvent =
  | { event: 'start'; runId: string; dir: string }
  /** A cell started or ended (the parent passes it to its onEvent: a server shows it live). */
  | { event: 'cell'; cell: ExecEvent }
  | { event: 'done'; dir: string; reportPath: string | null }
  | { event: 'refused'; code: string; message: string; hint: string | null };

const STDERR_KEPT = 4000;

/** A RunFn that runs each notebook in its own `node bin/quire.js __run-child <notebook>` process (named for `ps`). */
export function childProcessRun(bin = join(packageRoot(), 'bin', 'quire.js')): RunFn {
  return async (nb: string | Notebook, opts: RunOptions) => {
    const formats = opts.exports ?? (typeof nb === 'string' ? undefined : nb.top.export) ?? [];
    // A long-lived process (its engine state given) keeps one browser warm for every run's PDF.
    const browser = opts.state && needsBrowser(formats) ? await opts.state.get(WARM_BROWSER).lease() : null;
    try {
      return await runInChild(bin, typeof nb === 'string' ? nb : nb.path, opts, browser?.endpoint ? { endpoint: browser.endpoint, page: browser.page } : undefined);
    } finally {
      await browser?.release();
    }
  };
}

function runInChild(bin: string, notebook: string, opts: RunOptions, browser?: { endpoint: string; page: string | null }): Promise<RunResult> {
  const job: ChildJob = {
    notebook,
    params: opts.params ?? {},
    fromCli: opts.fromCli,
    runsDir: opts.runsDir,
    runId: opts.runId,
    trigger: opts.trigger,
    exports: opts.exports,
    browserEndpoint: browser?.endpoint,
    browserPage: browser?.page ?? undefined,
  };
  const child = spawn(process.execPath, [bin, '__run-child', notebook], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let started: { runId: string; dir: string } | null = null;
  let done: { dir: string; reportPath: string | null } | null = null;
  let refused: Extract<ChildEvent, { event: 'refused' }> | null = null;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEPT);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let e: ChildEvent;
    try {
      e = JSON.parse(line) as ChildEvent;
    } catch {
      return;
    }
    if (e.event === 'start') {
      started = { runId: e.runId, dir: e.dir };
      opts.onStart?.(started);
    } else if (e.event === 'cell') opts.onEvent?.(e.cell);
    else if (e.event === 'done') done = { dir: e.dir, reportPath: e.reportPath };
    else if (e.event === 'refused') refused = e;
  });
  const onAbort = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  child.stdin.on('error', () => {});
  // Kept open: the child takes its closing as this process's end.
  child.stdin.write(`${JSON.stringify(job)}\n`);

  return new Promise<RunResult>((resolve, reject) => {
    child.on('error', (err) => reject(new OperationalError('E_RUN_PROCESS', `could not start the run process: ${err.message}`)));
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      const r = refused as Extract<ChildEvent, { event: 'refused' }> | null;
      if (r) return reject(new UserError(r.code, r.message, { hint: r.hint ?? undefined }));
      const dir = (done as { dir: string } | null)?.dir ?? (started as { dir: string } | null)?.dir ?? null;
      const manifest = dir ? readManifestAt(dir) : null;
      if (!dir || !manifest) {
        const why = `the run process ended before the run started (${exitText(code, signal)})${tail(stderr)}`;
        return reject(new OperationalError('E_RUN_PROCESS', why));
      }
      if (manifest.status === 'running') {
        const why = `the run's process ended without finishing (${exitText(code, signal)})${tail(stderr)}`;
        markInterrupted(dir, manifest, why, new Date());
        return resolve({ manifest: { ...manifest, status: 'failed', error: why }, dir, reportPath: null });
      }
      resolve({ manifest, dir, reportPath: (done as { reportPath: string | null } | null)?.reportPath ?? null });
    });
  });
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return lines.length ? `: ${lines.slice(-3).join(' | ').slice(0, 500)}` : '';
}
