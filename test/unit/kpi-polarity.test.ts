import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runNotebook } from '../../engine/exec/run.js';
import { emailHtml } from '../../engine/deliver/html.js';

function project(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-polarity-'));
  writeFileSync(join(dir, 'quire.yaml'), '');
  writeFileSync(join(dir, 'nb.yaml'), body);
  return join(dir, 'nb.yaml');
}

// Both revenue and the refund rate went up from September to October: good news and bad news.
const NOTEBOOK = `title: Polarity
definitions:
  metrics:
    - { name: revenue, source: "cell:months", time_column: day, aggregation: sum, numerator: "SUM(revenue)", unit: currency }
    - { name: refund_rate, source: "cell:months", time_column: day, aggregation: avg, numerator: "AVG(refund_rate)", unit: percentage, good: down }
    - { name: tickets, source: "cell:months", time_column: day, aggregation: sum, numerator: "SUM(revenue)", unit: count, good: neutral }
cells:
  - id: months
    type: query
    sql: SELECT * FROM (VALUES (DATE '2026-09-01', 100.0, 0.05), (DATE '2026-10-01', 120.0, 0.07)) t(day, revenue, refund_rate)
  - id: kpis
    type: metric
    metrics: [revenue, refund_rate, tickets]
    time_window: ["2026-10-01", "2026-11-01"]
    grain: monthly
    compare: previous_period
  - id: cards
    type: visualization
    data: months
    chart: kpi
    x: day
    y: [revenue, refund_rate]
    format: { revenue: currency, refund_rate: percent }
    good: { refund_rate: down }
`;

describe('KPI polarity: colours follow good: up | down | neutral, arrows follow the change', () => {
  it('colours metric cards, KPI cards and the XLSX summary by polarity', async () => {
    const { manifest, dir } = await runNotebook(project(NOTEBOOK), { exports: ['html', 'xlsx'] });
    expect(manifest.status).toBe('succeeded');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');

    const metricCard = (label: string) => new RegExp(`<p class="qm-label">${label}</p>.*?class="qm-change ([a-z- ]+)"`).exec(html)?.[1];
    expect(metricCard('revenue')).toBe('qm-up qm-good');
    expect(metricCard('refund_rate')).toBe('qm-up qm-bad');
    expect(metricCard('tickets')).toBe('qm-up qm-neutral');

    const kpiCard = (label: string) => new RegExp(`<p class="kpi-label">${label}</p>.*?class="kpi-change ([a-z- ]+)"><span class="kpi-arrow" aria-hidden="true">(.)`).exec(html)?.slice(1);
    expect(kpiCard('Revenue')).toEqual(['kpi-up kpi-good', '▲']);
    expect(kpiCard('Refund rate')).toEqual(['kpi-up kpi-bad', '▲']);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'report.xlsx'));
    const colours: Record<string, string | undefined> = {};
    wb.getWorksheet('Summary')!.eachRow((row) => {
      const change = row.getCell(3);
      if (typeof row.getCell(1).value === 'string' && change.font?.color?.argb) colours[String(row.getCell(1).value)] = change.font.color.argb;
    });
    expect(colours).toMatchObject({ revenue: 'FF067647', refund_rate: 'FFB42318', tickets: 'FF667085' });
  });

  it('the email body colours a change by its polarity', () => {
    const body = emailHtml({
      title: 'T',
      status: 'succeeded',
      runId: 'r',
      reportUrl: null,
      chartCid: null,
      scheduledFor: null,
      startedAt: '2026-11-01T06:00:00Z',
      params: {},
      notes: [],
      attachments: [],
      summary: {
        kpis: [
          { label: 'Revenue', text: '$120', change: '+20.0%', direction: 'up' },
          { label: 'Refund rate', text: '7.0%', change: '+40.0%', direction: 'up', good: 'down' },
        ],
        headline: [],
        chart: null,
        dataAsOf: null,
      },
    });
    expect(body).toMatch(/color:#1a7f37;">▲ \+20\.0%/);
    expect(body).toMatch(/color:#c62828;">▲ \+40\.0%/); // up, and bad news for a refund rate
  });
});
