import { buildReportModel } from '../report/build-model.js';
import type { ReportModel } from '../report/model.js';
import { parquetSource, type TableSource } from '../report/xlsx/index.js';
import type { RunManifest } from '../runs/runs.js';
import { loadStoredOutputs, outputsMap } from '../runs/tables.js';

/**
 * The report of a finished run folder, from its stored outputs (no query runs again), and its
 * full tables for Excel. The report shows the run as its cells left it, not a failure of an
 * earlier export.
 */
export function storedReport(
  dir: string,
  manifest: RunManifest,
  theme?: 'light' | 'dark',
): { model: ReportModel; tables: TableSource; outcome: { status: RunManifest['status']; error: RunManifest['error'] } } {
  const stored = loadStoredOutputs(dir, manifest.id);
  const asRun = { ...manifest, status: stored.status, error: stored.error };
  const model: ReportModel = {
    ...buildReportModel(asRun, outputsMap(stored), stored.description ?? undefined),
    theme: theme ?? stored.theme ?? 'light',
    data: stored.data,
  };
  return { model, tables: parquetSource(dir, stored.tables), outcome: { status: stored.status, error: stored.error } };
}
