import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../engine/report/html.js';
import { buildChart } from '../../engine/report/charts/index.js';
import { prepareCharts } from '../../engine/report/charts/prepare.js';
import { renderTable } from '../../engine/report/html/table.js';
import type { ReportCell, ReportModel } from '../../engine/report/model.js';
import type { TableOutput } from '../../engine/outputs.js';

const empty: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'month', type: 'DATE' },
    { name: 'region', type: 'VARCHAR' },
    { name: 'revenue', type: 'DOUBLE' },
  ],
  rows: [],
  rowCount: 0,
};

async function emptyMonth(): Promise<ReportModel> {
  const chart = async (id: string, viz: Parameters<typeof buildChart>[0]): Promise<ReportCell> => ({
    id,
    type: 'visualization',
    title: `Chart ${id}`,
    status: 'succeeded',
    output: await buildChart(viz, empty, { dataId: 'sales', totalRows: 0, step: 1 }),
  });
  return {
    title: 'Empty month',
    notebook: { id: 'nb', path: 'nb.yaml', sha256: 'b'.repeat(64) },
    params: { month: '2025-01' },
    run: { id: 'run-1', status: 'succeeded', startedAt: '2025-02-01T07:00:00.000Z', finishedAt: '2025-02-01T07:00:03.000Z', durationMs: 3000 },
    theme: 'light',
    data: { asOf: '2025-01-31T23:00:00.000Z', fingerprint: '0123456789ab' },
    cells: [
      await chart('pie', { chart: 'pie', x: 'region', y: 'revenue', format: { revenue: 'currency' } }),
      await chart('line', { chart: 'line', x: 'month', y: 'revenue', color: 'region', format: { revenue: 'currency' } }),
      await chart('scatter', { chart: 'scatter', x: 'revenue', y: 'revenue' }),
      await chart('plot', { plotly: { data: [{ type: 'bar', x: 'region', y: 'revenue' }] } }),
    ],
  };
}

describe('a chart over a month without data', () => {
  it('draws no NaN axes or $NaN legend: each chart says there is no data for the period', async () => {
    for (const mode of ['screen', 'print'] as const) {
      const { model, failures } = await prepareCharts(await emptyMonth(), 'light', mode === 'screen');
      expect(failures).toEqual([]);
      const page = renderHtml(model, { mode });
      expect(page).not.toContain('Plotly'); // no library for a chart that draws nothing
      const figures = page.match(/<figure[\s\S]*?<\/figure>/g) ?? [];
      expect(figures).toHaveLength(4);
      for (const figure of figures) expect(figure).not.toMatch(/NaN/);
      expect(page.match(/<p class="chart-empty-note">No data for this period<\/p>/g)).toHaveLength(4);
      expect(page).not.toContain('class="marks"');
    }
  });
});

describe('a table row count', () => {
  const table: TableOutput = {
    kind: 'table',
    columns: [
      { name: 'region', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT' },
    ],
    rows: [
      ['EU', 3],
      ['NA', 4],
    ],
    rowCount: 30,
  };

  it('is the last row of the table (a <tfoot> spanning every column), so print keeps it with the table', () => {
    const html = renderTable(table);
    expect(html).toMatch(/<tfoot><tr><td class="table-foot" colspan="2">Showing first 2 of 30 rows<\/td><\/tr><\/tfoot>\n<\/table>/);
    expect(html).not.toContain('<p class="table-foot">');
    expect(html.indexOf('</tbody>')).toBeLessThan(html.indexOf('<tfoot>'));
  });

  it('says "No rows" inside an empty table', () => {
    expect(renderTable({ ...table, rows: [], rowCount: 0 })).toContain('<td class="table-foot" colspan="2">No rows</td>');
  });
});
