import { join, relative } from 'node:path';
import { writeFileSync } from 'node:fs';
import { DuckSession } from './duck.js';
import { ValidationErrors } from './errors.js';
import { executeDag, type ExecEvent } from './executor.js';
import { fileLogger, teeLogger, type Logger } from './log.js';
import { loadNotebook, type Notebook } from './notebook/load.js';
import { analyzeNotebook } from './notebook/analyze.js';
import { resolveParams, type ResolvedParams } from './params/index.js';
import { projectPath } from './project.js';
import { plainLiquid } from './liquid.js';
import { buildReportModel } from './report/build-model.js';
import { writeExports } from './report/export.js';
import type { CellOutput } from './report/model.js';
import { createRunDir, newRunId, writeManifest, type RunManifest } from './runs.js';

export interface RunOptions {
  /** Param values by name: raw strings (`fromCli`) or typed values / relative words. */
  params?: Record<string, unknown>;
  fromCli?: boolean;
  /** The clock for relative dates and timestamps. */
  now?: () => Date;
  /** Overrides quire.yaml `runs_dir`. */
  runsDir?: string;
  trigger?: RunManifest['trigger'];
  /** Aborting ends the run as `failed` with the reason. */
  signal?: AbortSignal;
  onEvent?: (e: ExecEvent) => void;
  /** Also receives every run-log line. */
  logger?: Logger;
  /** Cells running at once (default 4). */
  concurrency?: number;
  /** Called once the run folder exists (e.g. to print where it is). */
  onStart?: (info: { runId: string; dir: string }) => void;
}

export interface RunResult {
  manifest: RunManifest;
  dir: string;
  reportPath: string | null;
}

/** Everything fixed before a run starts: a notebook whose params, SQL and DAG checked out. */
export async function prepareRun(nb: Notebook, opts: RunOptions) {
  const now = (opts.now ?? (() => new Date()))();
  const params = resolveParams(nb.top.params ?? {}, opts.params ?? {}, { now, timezone: nb.project.config.timezone, fromCli: opts.fromCli });
  const config = nb.project.config;
  const attach = Object.fromEntries(
    Object.entries(config.connections).flatMap(([name, c]) => (c.type === 'duckdb' ? [[name, projectPath(nb.project, c.path)]] : [])),
  );
  const session = await DuckSession.open({
    database: projectPath(nb.project, config.database),
    write: nb.cells.some((c) => c.cellType.writes?.(c.spec) ?? false),
    attach,
    fileSearchPath: nb.project.root,
  });
  try {
    const parser = await session.connect();
    const { dag, errors } = await analyzeNotebook(nb, parser);
    session.release(parser);
    if (errors.length) throw new ValidationErrors(errors);
    return { params, session, dag, startedAt: now };
  } catch (err) {
    session.close();
    throw err;
  }
}

function renderTitle(template: string, params: ResolvedParams): string {
  try {
    return plainLiquid().parseAndRenderSync(template, { params: params.values });
  } catch {
    return template;
  }
}

/**
 * Runs a notebook and writes its run folder: run.json (atomically, `running` until the end),
 * run.log and report.html. Bad notebooks and params throw before any folder is made.
 *
 * @example
 *   const { manifest, reportPath } = await runNotebook('notebooks/monthly-review.yaml', { params: { month: '2026-10' } });
 */
export async function runNotebook(notebook: string | Notebook, opts: RunOptions = {}): Promise<RunResult> {
  const nb = typeof notebook === 'string' ? loadNotebook(notebook) : notebook;
  const clock = opts.now ?? (() => new Date());
  const { params, session, dag, startedAt } = await prepareRun(nb, opts);
  const runsDir = opts.runsDir ?? projectPath(nb.project, nb.project.config.runs_dir);
  const runId = newRunId(startedAt);
  const dir = createRunDir(runsDir, nb.id, runId);
  const logPath = join(dir, 'run.log');
  writeFileSync(logPath, '');
  const logger = opts.logger ? teeLogger(fileLogger(logPath, clock), opts.logger) : fileLogger(logPath, clock);
  const titles = new Map(nb.cells.map((c) => [c.spec.id, c.spec.title === undefined ? null : renderTitle(c.spec.title, params)]));
  const manifest: RunManifest = {
    id: runId,
    notebook: { id: nb.id, path: relative(nb.project.root, nb.path) || nb.path, sha256: nb.sha256 },
    title: renderTitle(nb.top.title, params),
    params: params.values,
    param_types: params.types,
    status: 'running',
    started_at: startedAt.toISOString(),
    finished_at: null,
    error: null,
    trigger: opts.trigger ?? { kind: 'api', schedule: null, scheduled_for: null },
    cells: [],
    exports: {},
    log: 'run.log',
  };
  writeManifest(dir, manifest);
  opts.onStart?.({ runId, dir });
  logger.log('info', `run ${runId} of ${nb.displayPath} started with params ${JSON.stringify(params.values)}`);

  const signal = opts.signal ?? new AbortController().signal;
  const outputs = new Map<string, CellOutput | null>();
  try {
    const results = await executeDag({ nb, dag, session, params, titles, logger, signal, concurrency: opts.concurrency ?? 4, onEvent: opts.onEvent });
    manifest.cells = dag.ids.map((id) => results.get(id)!.record);
    for (const [id, r] of results) outputs.set(id, r.output);
    const failed = manifest.cells.filter((c) => c.status === 'failed');
    const stopping = failed.some((c) => (nb.cells.find((x) => x.spec.id === c.id)!.spec.on_error ?? 'stop') === 'stop');
    if (signal.aborted) {
      manifest.status = 'failed';
      manifest.error = `interrupted by ${String(signal.reason ?? 'abort')}`;
    } else manifest.status = stopping ? 'failed' : failed.length ? 'partial' : 'succeeded';
  } catch (err) {
    manifest.status = 'failed';
    manifest.error = `run aborted by an internal error: ${(err as Error).message}`;
  } finally {
    session.close();
  }
  manifest.finished_at = clock().toISOString();

  let reportPath: string | null = null;
  try {
    manifest.exports = await writeExports(buildReportModel(manifest, outputs, nb.top.description), dir, ['html']);
    reportPath = join(dir, manifest.exports.html);
  } catch (err) {
    manifest.status = 'failed';
    manifest.error = `report could not be written: ${(err as Error).message}`;
  }
  logger.log(manifest.status === 'succeeded' ? 'info' : 'error', `run ${runId} ${manifest.status}${manifest.error ? `: ${manifest.error}` : ''}`);
  writeManifest(dir, manifest);
  return { manifest, dir, reportPath };
}
