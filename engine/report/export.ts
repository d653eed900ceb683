import { join } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import { renderHtml } from './html.js';
import type { ReportModel } from './model.js';

export type ExportFormat = 'html' | 'pdf' | 'xlsx';

/**
 * Writes the report of a run in each format into the run folder (each file atomically).
 * Returns format → file name for run.json; throws on the first export that fails.
 */
export async function writeExports(model: ReportModel, dir: string, formats: readonly ExportFormat[]): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  for (const format of formats) {
    if (format === 'html') {
      writeFileAtomic(join(dir, 'report.html'), renderHtml(model));
      written.html = 'report.html';
    }
  }
  return written;
}
