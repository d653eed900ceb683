/** A finished run's reports rendered again from its stored outputs (`quire export`, a server download of a missing format); run.json gets the new exports. */
import { join } from 'node:path';
import { writeManifest, type RunManifest } from '../runs/runs.js';
import { UserError } from '../util/errors.js';
import type { PdfRenderer, PaperSize } from '../report/pdf/index.js';
import { CHARTS_DIR, diskChartMemo, type ChartMemo } from '../report/charts/memo.js';
import { CACHE_DIR } from '../cache/dir.js';
import { storedReport } from './stored.js';
import { ExportError, writeExports } from './write.js';
import type { ExportFormat } from './index.js';

export interface RerenderResult {
  run: string;
  dir: string;
  exports: Record<string, string>;
  error: string | null;
}

/** The chart memo of a runs folder: charts a run or an earlier export drew are not drawn again. */
export function runsChartMemo(runsDir: string): ChartMemo {
  return diskChartMemo(join(runsDir, CACHE_DIR, CHARTS_DIR));
}

export async function rerenderRun(
  dir: string,
  manifest: RunManifest,
  formats: ExportFormat[],
  opts: { paper?: PaperSize; theme?: 'light' | 'dark'; pdf?: PdfRenderer; charts?: ChartMemo },
): Promise<RerenderResult> {
  if (manifest.status === 'running') {
    throw new UserError('E_RUN_RUNNING', `run ${manifest.id} is still running (or was killed before it finished)`, { hint: 'export a finished run; `quire runs list` shows their status' });
  }
  const { model, tables, outcome } = storedReport(dir, manifest, opts.theme);
  let error: string | null = null;
  let written: Record<string, string>;
  try {
    written = await writeExports(model, dir, formats, { tables, paper: opts.paper, pdf: opts.pdf, charts: opts.charts });
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    written = err.written;
    error = err.message;
  }
  manifest.exports = { ...manifest.exports, ...written };
  if (!error && manifest.error?.startsWith('report could not be written')) {
    manifest.status = outcome.status;
    manifest.error = outcome.error;
  }
  writeManifest(dir, manifest);
  return { run: manifest.id, dir, exports: written, error };
}
