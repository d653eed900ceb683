/** A PDF export starts Chromium first, so its start overlaps drawing the charts (issue 19). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildChart } from '../../engine/report/charts/index.js';
import type { ChartMemo } from '../../engine/report/charts/memo.js';
import type { ReportModel } from '../../engine/report/model.js';
import { PdfRenderer } from '../../engine/report/pdf/index.js';
import { writeExports } from '../../engine/export/write.js';
import type { TableOutput } from '../../engine/outputs.js';

const sales: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'region', type: 'VARCHAR' },
    { name: 'revenue', type: 'DOUBLE' },
  ],
  rows: [
    ['NA', 1200],
    ['EU', 950],
  ],
  rowCount: 2,
};

afterEach(() => vi.restoreAllMocks());

describe('PDF export and the browser', () => {
  it('starts Chromium before the charts are drawn, and only once', async () => {
    const model: ReportModel = {
      title: 'Warm',
      notebook: { id: 'nb', path: 'nb.yaml', sha256: 'b'.repeat(64) },
      params: {},
      run: { id: 'run-1', status: 'succeeded', startedAt: '2025-02-01T07:00:00.000Z', finishedAt: '2025-02-01T07:00:03.000Z', durationMs: 3000 },
      cells: [
        { id: 'sales', type: 'query', title: 'Sales', status: 'succeeded', output: sales },
        {
          id: 'bar',
          type: 'visualization',
          title: 'Bar',
          status: 'succeeded',
          output: await buildChart({ chart: 'bar', x: 'region', y: 'revenue' }, sales, { dataId: 'sales', totalRows: 2, step: 1 }),
        },
      ],
    } as ReportModel;
    const launch = vi.spyOn(PdfRenderer, 'launch');
    // The chart memo is asked first thing when a chart is drawn: record whether Chromium was starting by then.
    const launchesWhenDrawing: number[] = [];
    const memo: ChartMemo = {
      get: () => {
        launchesWhenDrawing.push(launch.mock.calls.length);
        return null;
      },
      set: () => undefined,
    };
    const dir = mkdtempSync(join(tmpdir(), 'quire-warm-'));
    expect(await writeExports(model, dir, ['pdf'], { charts: memo })).toEqual({ pdf: 'report.pdf' });
    expect(launchesWhenDrawing).toEqual([1]);
    expect(launch).toHaveBeenCalledTimes(1);
  });
});
