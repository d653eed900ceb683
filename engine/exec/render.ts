/** Rendering a run's report: its model built and handed to the exporters (engine/export/). */
import { join } from 'node:path';
import type { Notebook } from '../notebook/load.js';
import type { Logger } from '../util/log.js';
import type { CellOutput } from '../outputs.js';
import type { RunManifest } from '../runs/runs.js';
import type { StoredOutputs } from '../runs/tables.js';
import { buildReportModel } from '../report/build-model.js';
import { ExportError, writeExports } from '../export/write.js';
import { CHARTS_DIR, diskChartMemo } from '../report/charts/memo.js';
import { parquetSource } from '../report/xlsx/index.js';
import { CACHE_DIR } from '../cache/index.js';
import { readsCache, writesCache, type RunOptions } from './run-options.js';

/**
 * Writes the run's reports into `dir`: the formats asked for, else the notebook's `export:`, else
 * html. Returns the files written by format, and why some could not be written.
 */
export async function renderRun(args: {
  nb: Notebook;
  manifest: RunManifest;
  outputs: ReadonlyMap<string, CellOutput | null>;
  stored: StoredOutputs | null;
  theme: 'light' | 'dark';
  dir: string;
  runsDir: string;
  logger: Logger;
  opts: RunOptions;
}): Promise<{ exports: Record<string, string>; error: string | null }> {
  const { nb, stored, dir, opts } = args;
  const mode = opts.cache ?? 'use';
  const model = { ...buildReportModel(args.manifest, args.outputs, nb.top.description), theme: args.theme, data: stored?.data ?? null };
  try {
    const exports = await writeExports(model, dir, opts.exports ?? nb.top.export ?? ['html'], {
      tables: stored ? parquetSource(dir, stored.tables) : undefined,
      paper: opts.paper,
      pdf: opts.pdf,
      browserEndpoint: opts.browserEndpoint,
      browserPage: opts.browserPage,
      logger: args.logger,
      charts: writesCache(mode) ? diskChartMemo(join(args.runsDir, CACHE_DIR, CHARTS_DIR), { read: readsCache(mode) }) : undefined,
    });
    return { exports, error: null };
  } catch (err) {
    return { exports: err instanceof ExportError ? err.written : {}, error: `report could not be written: ${(err as Error).message}` };
  }
}

/** The report to show for a run: its HTML, else the first file written. */
export function mainReport(dir: string, exports: Record<string, string>): string | null {
  const main = exports.html ?? Object.values(exports)[0];
  return main ? join(dir, main) : null;
}
