import { join, relative } from 'node:path';
import { DuckSession } from '../duck/duck.js';
import { ValidationErrors } from '../util/errors.js';
import { executeDag, type ExecEvent } from './executor.js';
import { fileLogger, teeLogger, type Logger } from '../util/log.js';
import { type Notebook } from '../notebook/load.js';
import { loadNotebook } from '../notebooks.js';
import { analyzeNotebook } from '../plan/analyze.js';
import { resolveParams, type ResolvedParams } from '../params/index.js';
import { duckAllowedDirectories, projectPath } from '../project.js';
import { isTemplate, plainLiquid } from '../text/liquid.js';
import { buildReportModel } from '../report/build-model.js';
import { ExportError, writeExports, type ExportFormat } from '../report/export.js';
import type { PaperSize, PdfRenderer } from '../report/pdf/index.js';
import { RunTables, writeStoredOutputs, type StoredOutputs } from '../runs/tables.js';
import { CHARTS_DIR, diskChartMemo } from '../report/charts/memo.js';
import { analysisMemo } from '../cache/analysis-memo.js';
import { parquetSource } from '../report/xlsx/index.js';
import type { CellOutput } from '../outputs.js';
import { createRunDir, newRunId, thisProcess, writeManifest, type RunManifest } from '../runs/runs.js';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { processState, type EngineState } from '../util/state.js';
import { CACHE_DIR, databaseFiles, planCache, runCache, summarize, type CellCache } from '../cache/index.js';

export interface RunOptions {
  /** Param values by name: raw strings (`fromCli`) or typed values / relative words. */
  params?: Record<string, unknown>;
  fromCli?: boolean;
  /** The clock for relative dates and timestamps. */
  now?: () => Date;
  /** Overrides quire.yaml `runs_dir`. */
  runsDir?: string;
  trigger?: RunManifest['trigger'];
  /** A fixed run id (the scheduler's: one per schedule and scheduled time); default: start time + random. */
  runId?: string;
  /** Aborting ends the run as `failed` with the reason. */
  signal?: AbortSignal;
  onEvent?: (e: ExecEvent) => void;
  /** Also receives every run-log line. */
  logger?: Logger;
  /** Cells running at once (default 4). */
  concurrency?: number;
  /** Called once the run folder exists (e.g. to print where it is). */
  onStart?: (info: { runId: string; dir: string }) => void;
  /** Report formats (default: the notebook's `export:`, else html). */
  exports?: ExportFormat[];
  /** PDF paper size (default a4). */
  paper?: PaperSize;
  /** A PDF renderer shared by a batch of runs, so one browser serves them all. */
  pdf?: PdfRenderer;
  /** false: neither read nor write the cell cache. Default true. */
  cache?: boolean;
  /** Run every cell (the cache is not read), still storing fresh results: `--no-cache`. */
  noCache?: boolean;
  /** A DuckDB instance to run in (a sweep's pool) instead of a new one; it stays open. */
  duck?: DuckDBInstance;
  /** The engine state (pools, caches) of a long-lived process; default: the process's own (processState). */
  state?: EngineState;
}

export interface RunResult {
  manifest: RunManifest;
  dir: string;
  reportPath: string | null;
}

/**
 * Everything fixed before a run starts: a notebook whose params, SQL and DAG checked out. The
 * DuckDB session opens when a cell first needs it; an unchanged notebook's analysis comes from
 * the last run (analysis-memo.ts) unless `cache` is false or `noCache` is set.
 */
export async function prepareRun(nb: Notebook, opts: RunOptions) {
  const now = (opts.now ?? (() => new Date()))();
  const params = resolveParams(nb.top.params ?? {}, opts.params ?? {}, { now, timezone: nb.project.config.timezone, fromCli: opts.fromCli });
  const config = nb.project.config;
  const runsDir = opts.runsDir ?? projectPath(nb.project, config.runs_dir);
  const attach = Object.fromEntries(
    Object.entries(config.connections).flatMap(([name, c]) => (c.type === 'duckdb' ? [[name, projectPath(nb.project, c.path)]] : [])),
  );
  const session = DuckSession.deferred({
    database: projectPath(nb.project, config.database),
    write: nb.cells.some((c) => c.cellType.writes?.(c.spec) ?? false),
    attach,
    fileSearchPath: nb.project.root,
    instance: opts.duck,
    allowedDirectories: duckAllowedDirectories(nb.project, runsDir, databaseFiles(nb)), // hardening: file access of notebook SQL
  });
  try {
    const memo = opts.cache === false ? null : analysisMemo(runsDir, nb);
    let analysis = opts.noCache ? null : (memo?.get() ?? null);
    if (!analysis) {
      const parser = await session.connect();
      const { dag, errors, reads } = await analyzeNotebook(nb, parser);
      session.release(parser);
      if (errors.length) throw new ValidationErrors(errors);
      analysis = { dag, reads };
      memo?.set(analysis);
    }
    return { params, session, dag: analysis.dag, reads: analysis.reads, startedAt: now, runsDir };
  } catch (err) {
    session.close();
    throw err;
  }
}

/** The run's cell cache, its plan logged; a cache that can't be planned is a warning, never a failed run. */
function openCache(args: Parameters<typeof planCache>[0], logger: Logger): CellCache | undefined {
  try {
    const plan = planCache(args);
    logger.log('info', summarize(plan.decisions));
    return runCache(plan, logger);
  } catch (err) {
    logger.log('warn', `cell cache not used: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** A title with its Liquid rendered over the params (plain titles as they are). */
function titleRenderer(params: ResolvedParams): (template: string) => string {
  let liquid: ReturnType<typeof plainLiquid> | undefined;
  return (template) => {
    if (!isTemplate(template)) return template;
    try {
      liquid ??= plainLiquid();
      return liquid.parseAndRenderSync(template, { params: params.values });
    } catch {
      return template;
    }
  };
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
  const { params, session, dag, reads, startedAt, runsDir } = await prepareRun(nb, opts);
  const runId = opts.runId ?? newRunId(startedAt);
  const renderTitle = titleRenderer(params);
  const titles = new Map(nb.cells.map((c) => [c.spec.id, c.spec.title === undefined ? null : renderTitle(c.spec.title)]));
  const manifest: RunManifest = {
    id: runId,
    notebook: { id: nb.id, path: relative(nb.project.root, nb.path) || nb.path, sha256: nb.sha256 },
    title: renderTitle(nb.top.title),
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
    process: thisProcess(),
  };
  let dir: string;
  try {
    dir = createRunDir(runsDir, nb.id, runId, manifest);
  } catch (err) {
    session.close();
    throw err;
  }
  const runLog = fileLogger(join(dir, manifest.log), clock);
  const logger = opts.logger ? teeLogger(runLog, opts.logger) : runLog;
  try {
    opts.onStart?.({ runId, dir });
    logger.log('info', `run ${runId} of ${nb.displayPath} started with params ${JSON.stringify(params.values)}`);

    const signal = opts.signal ?? new AbortController().signal;
    const outputs = new Map<string, CellOutput | null>();
    // Outputs are kept (outputs.json + Parquet tables) so `quire export` can render the run again.
    const tables = new RunTables(dir, logger);
    let keepError = null as Error | null;
    try {
      const cache = opts.cache === false ? undefined : openCache({ nb, dag, reads, params, runsDir, noCache: opts.noCache }, logger);
      const keep = async (id: string, output: CellOutput, conn?: DuckDBConnection) => {
        try {
          if (!keepError) await tables.keep(id, output, { file: cache?.tableFile(id) ?? null, conn });
        } catch (err) {
          keepError ??= err as Error;
        }
      };
      const results = await executeDag({ nb, dag, session, params, titles, logger, signal, concurrency: opts.concurrency ?? 4, onEvent: opts.onEvent, cache, keep, state: opts.state ?? processState() });
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
      if (!session.isOpen) logger.log('info', 'the run did not start DuckDB: the notebook analysis and every cell came from the cache');
      session.close();
    }
    if (keepError && manifest.status !== 'failed') {
      manifest.status = 'failed';
      manifest.error = `run outputs could not be saved: ${keepError.message}`;
    }
    const theme = nb.top.theme ?? nb.project.config.theme ?? 'light';
    let stored: StoredOutputs | null = null;
    try {
      stored = writeStoredOutputs(dir, outputs, tables.stored, { status: manifest.status, error: manifest.error, description: nb.top.description ?? null, theme, dataFiles: databaseFiles(nb) });
    } catch (err) {
      manifest.status = 'failed';
      manifest.error = `run outputs could not be saved: ${(err as Error).message}`;
    }
    manifest.finished_at = clock().toISOString();

    let reportPath: string | null = null;
    const model = { ...buildReportModel(manifest, outputs, nb.top.description), theme, data: stored?.data ?? null };
    try {
      manifest.exports = await writeExports(model, dir, opts.exports ?? nb.top.export ?? ['html'], {
        tables: stored ? parquetSource(dir, stored.tables) : undefined,
        paper: opts.paper,
        pdf: opts.pdf,
        logger,
        charts: opts.cache === false ? undefined : diskChartMemo(join(runsDir, CACHE_DIR, CHARTS_DIR), { read: !opts.noCache }),
      });
    } catch (err) {
      manifest.exports = err instanceof ExportError ? err.written : {};
      manifest.status = 'failed';
      manifest.error = `report could not be written: ${(err as Error).message}`;
    }
    const main = manifest.exports.html ?? Object.values(manifest.exports)[0];
    reportPath = main ? join(dir, main) : null;
    logger.log(manifest.status === 'succeeded' ? 'info' : 'error', `run ${runId} ${manifest.status}${manifest.error ? `: ${manifest.error}` : ''}`);
    writeManifest(dir, manifest);
    return { manifest, dir, reportPath };
  } finally {
    runLog.close();
  }
}
