import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runNotebook } from '../../engine/exec/run.js';

function project(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-show-'));
  writeFileSync(join(dir, 'quire.yaml'), '');
  writeFileSync(join(dir, 'nb.yaml'), body);
  return join(dir, 'nb.yaml');
}

const NOTEBOOK = `title: Sales
cells:
  - id: by_channel
    type: query
    title: Revenue by channel
    sql: SELECT * FROM (VALUES ('web', 1, 120.5), ('mobile', 2, 80.0), ('store', 3, 40.0)) t(channel, _channel_order, revenue)
  - id: chart
    type: visualization
    title: Revenue by channel
    data: by_channel
    chart: bar
    x: channel
    y: revenue
  - id: detail
    type: query
    title: Every order
    sql: SELECT range AS order_no FROM range(40)
    show: summary
  - id: forced
    type: query
    title: Shown though used
    sql: SELECT channel, revenue, _channel_order FROM by_channel
    show: true
  - id: dropped
    type: query
    title: Kept out of the report
    sql: SELECT 1 AS x
    show: false
  - id: note
    type: text
    markdown: "Top channel: {{ by_channel.first.channel }}; {{ forced.row_count }} channels."
`;

describe('show: which cells a report shows', () => {
  it('hides a table a chart or text reads, shows charts, text, final tables; contents name each shown cell once', async () => {
    const { manifest, dir } = await runNotebook(project(NOTEBOOK), { exports: ['html', 'xlsx'] });
    expect(manifest.status).toBe('succeeded');
    expect(Object.fromEntries(manifest.cells.map((c) => [c.id, c.show ?? 'full']))).toEqual({
      by_channel: 'hidden',
      chart: 'full',
      detail: 'summary',
      forced: 'full',
      dropped: 'hidden',
      note: 'full',
    });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const sections = [...html.matchAll(/<section[^>]* id="cell-([a-z_]+)"/g)].map((m) => m[1]);
    expect(sections).toEqual(['chart', 'detail', 'forced', 'note']);
    const toc = /<nav class="toc"[\s\S]*?<\/nav>/.exec(html)![0];
    expect(toc.match(/Revenue by channel/g)).toHaveLength(1);
    expect(toc).not.toContain('Kept out of the report');
    expect(html).toContain('Top channel: web; 3 channels.');

    // summary: the first rows, and the row line still says how many there are
    const detail = /<section[^>]* id="cell-detail"[\s\S]*?<\/section>/.exec(html)![0];
    expect(detail.match(/<tr>/g)!.length).toBe(1 + 10 + 1); // head, rows, row count
    expect(detail).toContain('Showing first 10 of 40 rows');

    // helper columns (leading _) stay out of shown tables
    const forced = /<section[^>]* id="cell-forced"[\s\S]*?<\/section>/.exec(html)![0];
    expect(forced).toContain('revenue');
    expect(forced).not.toContain('_channel_order');

    // hidden cells keep their own sheets in the workbook, helper columns included
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'report.xlsx'));
    const names = wb.worksheets.map((w) => w.name).join(' | ');
    expect(names).toMatch(/by_channel|Revenue by channel/);
    expect(names).toMatch(/dropped|Kept out/);
  });

  it('a hidden cell that failed is still shown, with its error', async () => {
    const { manifest, dir } = await runNotebook(
      project(`title: T
cells:
  - id: src
    type: query
    sql: SELECT 1/0::INTEGER AS x FROM range(1) WHERE error('boom') IS NULL
    on_error: continue
    show: false
  - id: t
    type: text
    markdown: "{{ src.row_count }}"
`),
      { exports: ['html'] },
    );
    expect(manifest.cells[0].status).toBe('failed');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('id="cell-src"');
  });
});
