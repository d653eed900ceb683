/**
 * A notebook run, start to end: prepare (params, analysis) → run folder → execute (cells, status)
 * → store (tables, outputs.json) → render (reports) → run.json. Each step is its own module.
 */
import { join } from 'node:path';
import { fileLogger, teeLogger } from '../util/log.js';
import type { Notebook } from '../notebook/load.js';
import { loadNotebook } from '../notebooks.js';
import { createRunDir, newRunId, writeManifest } from '../runs/runs.js';
import { prepareRun } from './prepare.js';
import { executeRun } from './execute.js';
import { RunStore } from './store.js';
import { mainReport, renderRun } from './render.js';
import { cellVisibility } from './visibility.js';
import { cellTitles, failRun, startManifest, titleRenderer } from './manifest.js';
import type { RunOptions, RunResult } from './run-options.js';

export { prepareRun, type PreparedRun } from './prepare.js';
export type { CacheMode, RunOptions, RunResult } from './run-options.js';

/**
 * Runs a notebook and writes its run folder: run.json (atomically, `running` until the end),
 * run.log and report.html. Bad notebooks and params throw before any folder is made; once it
 * exists, an internal error ends the run `failed` with the reason.
 *
 * @example
 *   const { manifest, reportPath } = await runNotebook('notebooks/monthly-review.yaml', { params: { month: '2026-10' } });
 */
export async function runNotebook(notebook: string | Notebook, opts: RunOptions = {}): Promise<RunResult> {
  const nb = typeof notebook === 'string' ? loadNotebook(notebook, { state: opts.state }) : notebook;
  const clock = opts.now ?? (() => new Date());
  const prepared = await prepareRun(nb, opts);
  const { params, session, connections, startedAt, runsDir } = prepared;
  const renderTitle = titleRenderer(params);
  const manifest = startManifest({ nb, runId: opts.runId ?? newRunId(startedAt), title: renderTitle(nb.top.title), params, startedAt, trigger: opts.trigger, startedBy: opts.startedBy });
  let dir: string;
  try {
    dir = createRunDir(runsDir, nb.id, manifest.id, manifest);
  } catch (err) {
    session.close();
    await connections.close();
    throw err;
  }
  const runLog = fileLogger(join(dir, manifest.log), clock);
  const logger = opts.logger ? teeLogger(runLog, opts.logger) : runLog;
  const finish = (): RunResult => {
    manifest.finished_at ??= clock().toISOString();
    logger.log(manifest.status === 'succeeded' ? 'info' : 'error', `run ${manifest.id} ${manifest.status}${manifest.error ? `: ${manifest.error}` : ''}`);
    writeManifest(dir, manifest);
    return { manifest, dir, reportPath: mainReport(dir, manifest.exports) };
  };
  let sessionHandedOver = false; // executeRun closes the session, whatever happens in it
  try {
    opts.onStart?.({ runId: manifest.id, dir });
    logger.log('info', `run ${manifest.id} of ${nb.displayPath} started with params ${JSON.stringify(params.values)}`);

    const store = new RunStore(dir, logger);
    sessionHandedOver = true;
    const ran = await executeRun({ nb, prepared, titles: cellTitles(nb, renderTitle), store, logger, opts });
    const shows = cellVisibility(nb, prepared.dag);
    for (const cell of ran.cells) {
      const show = shows.get(cell.id);
      if (show && show !== 'full') cell.show = show;
    }
    Object.assign(manifest, { cells: ran.cells, status: ran.status, error: ran.error });

    const theme = nb.top.theme ?? nb.project.config.theme ?? 'light';
    const stored = store.save(nb, ran.outputs, manifest, theme);
    manifest.finished_at = clock().toISOString();

    const rendered = await renderRun({ nb, manifest, outputs: ran.outputs, stored, theme, dir, runsDir, logger, opts });
    manifest.exports = rendered.exports;
    if (rendered.error) failRun(manifest, rendered.error);
    return finish();
  } catch (err) {
    // A bug past the cells (or in a caller's onStart): the run still ends, failed, with the reason.
    if (!sessionHandedOver) {
      session.close();
      await connections.close().catch(() => {});
    }
    failRun(manifest, `run aborted by an internal error: ${(err as Error).message}`);
    return finish();
  } finally {
    runLog.close();
  }
}
