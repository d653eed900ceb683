import type { RunManifest } from '../runs/runs.js';
import type { ReportModel } from './model.js';
import type { CellOutput } from '../outputs.js';

/** The report model of a run: its manifest plus each cell's output. */
export function buildReportModel(manifest: RunManifest, outputs: ReadonlyMap<string, CellOutput | null>, description?: string): ReportModel {
  const started = Date.parse(manifest.started_at);
  const finished = manifest.finished_at ? Date.parse(manifest.finished_at) : null;
  return {
    title: manifest.title,
    description,
    notebook: manifest.notebook,
    params: manifest.params,
    run: {
      id: manifest.id,
      status: manifest.status,
      startedAt: manifest.started_at,
      finishedAt: manifest.finished_at,
      durationMs: finished === null ? null : finished - started,
      failure: manifest.error,
    },
    cells: manifest.cells.map((c) => ({
      id: c.id,
      type: c.type,
      title: c.title ?? undefined,
      status: c.status,
      skippedReason: c.skipped_reason ?? undefined,
      error: c.error,
      ...(c.warnings?.length ? { warnings: c.warnings } : {}),
      output: outputs.get(c.id) ?? null,
      ...(c.show && c.show !== 'full' ? { show: c.show } : {}),
    })),
  };
}
