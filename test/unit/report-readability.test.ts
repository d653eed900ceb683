import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { renderHtml } from '../../engine/report/html.js';
import { buildChart } from '../../engine/report/charts/index.js';
import { prepareCharts } from '../../engine/report/charts/prepare.js';
import { chromiumPath, LAUNCH_ARGS } from '../../engine/report/pdf/browser.js';
import type { ReportCell, ReportModel } from '../../engine/report/model.js';
import type { TableOutput } from '../../engine/outputs.js';

const orders: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'order_id', type: 'INTEGER' },
    { name: 'customer', type: 'VARCHAR' },
    { name: 'amount', type: 'DOUBLE' },
    { name: 'order_day', type: 'DATE' },
  ],
  rows: Array.from({ length: 30 }, (_, i) => [i + 1, `customer ${String.fromCharCode(65 + (i % 26))}${i}`, ((i * 37) % 101) + 0.5, `2026-11-${String((i % 28) + 1).padStart(2, '0')}`]),
  rowCount: 30,
};

const shares: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'sales_channel', type: 'VARCHAR' },
    { name: 'net_revenue', type: 'DOUBLE' },
    { name: 'week', type: 'VARCHAR' },
  ],
  rows: [
    ['web', 600, 'w1'],
    ['store', 300, 'w1'],
    ['phone', 100, 'w2'],
    ['fax', null, 'w2'],
  ],
  rowCount: 4,
};

async function model(cells: [string, Parameters<typeof buildChart>[0], TableOutput][], extra: ReportCell[] = []): Promise<ReportModel> {
  const charts: ReportCell[] = [];
  for (const [id, viz, table] of cells) {
    charts.push({ id, type: 'visualization', title: `Chart ${id}`, status: 'succeeded', output: await buildChart(viz, table, { dataId: 'data', totalRows: table.rowCount, step: 1 }) });
  }
  return {
    title: 'Readable',
    notebook: { id: 'nb', path: 'nb.yaml', sha256: 'c'.repeat(64) },
    params: {},
    run: { id: 'run-1', status: 'succeeded', startedAt: '2026-12-01T07:00:00.000Z', finishedAt: '2026-12-01T07:00:03.000Z', durationMs: 3000 },
    theme: 'light',
    data: null,
    cells: [...extra, ...charts],
  } as ReportModel;
}

async function page(html: string): Promise<Page> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-readable-'));
  writeFileSync(join(dir, 'report.html'), html);
  const p = await browser.newPage();
  const problems: string[] = [];
  p.on('pageerror', (e) => problems.push(String(e)));
  p.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  (p as unknown as { problems: string[] }).problems = problems;
  await p.setViewport({ width: 1200, height: 900 });
  await p.goto(`file://${join(dir, 'report.html')}`, { waitUntil: 'load' });
  return p;
}

let browser: Browser;
beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('interactive tables in the HTML report', () => {
  const withTable = () => model([], [{ id: 'orders', type: 'query', title: 'Orders', status: 'succeeded', output: orders }]);

  it('sorts, searches, pages and downloads CSV offline, within the CSP; print has none of it', async () => {
    const html = renderHtml(await withTable(), { mode: 'screen' });
    const p = await page(html);
    const visible = () => p.$$eval('#cell-orders tbody tr', (rows) => rows.filter((r) => getComputedStyle(r).display !== 'none').map((r) => r.children[0]!.textContent));
    expect(await visible()).toHaveLength(25);
    expect(await p.$eval('#cell-orders .table-page', (e) => e.textContent)).toBe('Page 1 of 2 · 30 rows');
    await p.click('#cell-orders .table-next');
    expect(await visible()).toEqual(['26', '27', '28', '29', '30']);

    // sort by amount, twice: descending; numbers compare as numbers
    await p.click('#cell-orders th:nth-child(3)');
    await p.click('#cell-orders th:nth-child(3)');
    const amounts = await p.$$eval('#cell-orders tbody tr', (rows) => rows.slice(0, 25).map((r) => Number(r.children[2]!.textContent!.replace(/,/g, ''))));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(await p.$eval('#cell-orders th:nth-child(3)', (h) => h.getAttribute('aria-sort'))).toBe('descending');

    await p.type('#cell-orders .table-search', 'customer C');
    expect((await visible()).length).toBe(2); // C2 and C28
    const csv = await p.evaluate(() => {
      let href = '';
      const orig = HTMLAnchorElement.prototype.click;
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        href = this.href;
      };
      (document.querySelector('#cell-orders .table-csv') as HTMLButtonElement).click();
      HTMLAnchorElement.prototype.click = orig;
      return decodeURIComponent(href.slice(href.indexOf(',') + 1));
    });
    expect(csv.split('\r\n')[0]).toBe('order_id,customer,amount,order_day');
    expect(csv.trim().split('\r\n')).toHaveLength(3);
    expect((p as unknown as { problems: string[] }).problems).toEqual([]);
    await p.close();

    const print = renderHtml(await withTable(), { mode: 'print' });
    expect(print).not.toContain('table-tools');
    expect(print).not.toContain('<script');
  });
});

describe('charts that read without hovering', () => {
  it('pies print their shares, heatmap text is light on dark cells, axis titles are words', async () => {
    const heat: TableOutput = {
      kind: 'table',
      columns: [
        { name: 'row_name', type: 'VARCHAR' },
        { name: 'col_name', type: 'VARCHAR' },
        { name: 'pct_active', type: 'DOUBLE' },
      ],
      rows: [
        ['a', 'x', 100],
        ['a', 'y', 95],
        ['b', 'x', 82],
        ['b', 'y', 80],
      ], // all above half the maximum: the lightest cells still get dark text
      rowCount: 4,
    };
    const m = await model([
      ['pie', { chart: 'pie', x: 'sales_channel', y: 'net_revenue' }, shares],
      ['heat', { chart: 'heatmap', x: 'col_name', y: 'row_name', color: 'pct_active' }, heat],
      ['bar', { chart: 'bar', x: 'sales_channel', y: 'net_revenue' }, shares],
    ]);
    const { model: prepared, failures } = await prepareCharts(m, 'light', false);
    expect(failures).toEqual([]);
    const svg = (id: string) => {
      const cell = prepared.cells.find((c) => c.id === id)!;
      return (cell.output as { rendered: { svg: string } }).rendered.svg;
    };
    const texts = (s: string) => [...s.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]);
    expect(texts(svg('pie'))).toEqual(expect.arrayContaining(['60%', '30%', '10%']));
    // the slice without data is not in the legend
    expect(texts(svg('pie'))).not.toContain('fax');
    expect(texts(svg('pie'))).toContain('Sales channel');

    const cellText = (s: string, label: string) => new RegExp(`<text[^>]*fill="([^"]+)"[^>]*>${label}</text>`).exec(s)?.[1];
    expect(cellText(svg('heat'), '100')).toBe('#ffffff');
    expect(cellText(svg('heat'), '80')).toBe('#1d2433');
    expect(texts(svg('bar'))).toContain('Net revenue');
    expect(texts(svg('bar'))).not.toContain('net_revenue');
  });

  it('zero-based axes only for bars and areas', async () => {
    const spec = async (chart: 'scatter' | 'line' | 'bar' | 'area') =>
      (
        (await buildChart({ chart, x: 'order_id', y: 'amount' }, orders, { dataId: 'data', totalRows: 30, step: 1 })) as unknown as {
          spec: { encoding: { x: { scale?: unknown }; y: { scale?: unknown } } };
        }
      ).spec.encoding;
    expect((await spec('scatter')).x.scale).toEqual({ zero: false });
    expect((await spec('scatter')).y.scale).toEqual({ zero: false });
    expect((await spec('line')).y.scale).toEqual({ zero: false });
    expect((await spec('area')).y.scale).toBeUndefined();
    expect((await spec('bar')).y.scale).toBeUndefined();
    const folded = (await buildChart({ chart: 'line', x: 'order_day', y: ['amount', 'order_id'] }, orders, { dataId: 'data', totalRows: 30, step: 1 })) as unknown as {
      spec: { encoding: { y: { scale?: unknown } } };
    };
    expect(folded.spec.encoding.y.scale).toEqual({ zero: false });
  });

  it('a Plotly report inlines the smallest bundle (under 2 MB) and keeps string titles', async () => {
    const m = await model([
      ['plot', { plotly: { data: [{ type: 'bar', x: 'sales_channel', y: 'net_revenue' }], layout: { title: 'Revenue by channel', yaxis: { title: 'Net revenue ($)' } } } }, shares],
    ]);
    const { model: prepared } = await prepareCharts(m, 'light', true);
    const html = renderHtml(prepared, { mode: 'screen' });
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
    const p = await page(html);
    await p.waitForFunction('window.__quireCharts && window.__quireCharts.done', { timeout: 20_000 });
    expect(await p.evaluate('window.__quireCharts.failed')).toEqual([]);
    const titles = await p.$$eval('#cell-plot .main-svg text', (ts) => ts.map((t) => t.textContent));
    expect(titles).toContain('Net revenue ($)');
    expect(titles).toContain('Revenue by channel');
    expect((p as unknown as { problems: string[] }).problems).toEqual([]);
    await p.close();

    // a trace type outside the partial bundles still gets the full library
    const full = await model([['plot', { plotly: { data: [{ type: 'sunburst', labels: 'sales_channel', values: 'net_revenue' }] } }, shares]]);
    expect(Buffer.byteLength(renderHtml((await prepareCharts(full, 'light', true)).model, { mode: 'screen' }))).toBeGreaterThan(4_000_000);
  });
});

describe('paged PDF', () => {
  it('the contents list gives each cell its page, without clipping "10."; dates never wrap', async () => {
    const { PdfRenderer } = await import('../../engine/report/pdf/index.js');
    const { execFileSync } = await import('node:child_process');
    const long: TableOutput = { ...orders, rows: Array.from({ length: 60 }, (_, i) => orders.rows[i % 30]!), rowCount: 60 };
    const extra: ReportCell[] = Array.from({ length: 11 }, (_, i) => ({ id: `t${i + 1}`, type: 'query', title: `Table number ${i + 1}`, status: 'succeeded', output: i % 4 === 0 ? long : orders }));
    const m = await model([], extra);
    const renderer = await PdfRenderer.launch();
    try {
      const pdf = await renderer.render((await prepareCharts(m, 'light', false)).model);
      const dir = mkdtempSync(join(tmpdir(), 'quire-pdf-'));
      writeFileSync(join(dir, 'report.pdf'), pdf);
      const pageText = (n: number) => execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      const first = pageText(1);
      expect(first).toMatch(/10\.\s+Table number 10/);
      for (const n of [1, 5, 10, 11]) {
        const listed = new RegExp(`Table number ${n}\\s+(\\d+)`).exec(first);
        expect(listed, `contents entry ${n}`).not.toBeNull();
        // the heading is on the page the contents list names
        expect(pageText(Number(listed![1]))).toMatch(new RegExp(`Table number ${n}\\b(?!\\s+\\d+\\s)`));
      }
      const all = execFileSync('pdftotext', [join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      expect(all).not.toMatch(/2026-\n/);
    } finally {
      await renderer.close();
    }
  }, 60_000);

  it('keeps a heading with what follows: a text cell ending in a heading starts the page of the next cell', async () => {
    const { PdfRenderer } = await import('../../engine/report/pdf/index.js');
    const { execFileSync } = await import('node:child_process');
    // Sections of growing length: somewhere one of their headings falls at a page's foot.
    const cells: ReportCell[] = [];
    for (let k = 1; k <= 14; k++) {
      const filler = Array.from({ length: k + 2 }, (_, i) => `<p>Paragraph ${i + 1} of section ${k}: words to fill the page.</p>`).join('');
      cells.push({ id: `text${k}`, type: 'text', title: null, status: 'succeeded', output: { kind: 'text', html: `${filler}<h2>Heading ${k}</h2>` } } as unknown as ReportCell);
      cells.push({
        id: `kpi${k}`,
        type: 'visualization',
        title: null,
        status: 'succeeded',
        output: { kind: 'chart', engine: 'kpi', chart: 'kpi', spec: null, kpis: [{ label: `Cards ${k}`, text: '$1,234', value: 1234, format: 'currency', change: null }] },
      } as unknown as ReportCell);
    }
    const renderer = await PdfRenderer.launch();
    try {
      const pdf = await renderer.render(await model([], cells));
      const dir = mkdtempSync(join(tmpdir(), 'quire-pdf-'));
      writeFileSync(join(dir, 'report.pdf'), pdf);
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(dir, 'report.pdf')], { encoding: 'utf8' }))![1]);
      expect(pages).toBeGreaterThan(2);
      for (let n = 1; n <= pages; n++) {
        const text = execFileSync('pdftotext', ['-f', String(n), '-l', String(n), join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
        for (const [, k] of text.matchAll(/Heading (\d+)\b/g)) expect(text, `page ${n}: heading ${k} without its cards`).toContain(`Cards ${k}`);
      }
    } finally {
      await renderer.close();
    }
  }, 60_000);

  it('keeps only short tables together (no half-blank pages), and a row count with its table', async () => {
    const { PdfRenderer } = await import('../../engine/report/pdf/index.js');
    const { execFileSync } = await import('node:child_process');
    const table = (n: number, k: number): TableOutput => ({
      kind: 'table',
      columns: [
        { name: 'label', type: 'VARCHAR' },
        { name: 'value', type: 'INTEGER' },
      ],
      rows: Array.from({ length: n }, (_, i) => [`row ${i + 1} of table ${k}`, i]),
      rowCount: n,
    });
    const sizes = Array.from({ length: 21 }, (_, i) => 11 + i);
    const cells: ReportCell[] = sizes.map((n, k) => ({ id: `t${k}`, type: 'query', title: `Table ${k}`, status: 'succeeded', output: table(n, k) }));
    const html = renderHtml(await model([], cells), { mode: 'print' });
    expect(html).toContain('<section class="cell cell-table" id="cell-t0">'); // 11 rows: may break across pages
    const renderer = await PdfRenderer.launch();
    try {
      const pdf = await renderer.render(await model([], cells));
      const dir = mkdtempSync(join(tmpdir(), 'quire-pdf-'));
      writeFileSync(join(dir, 'report.pdf'), pdf);
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(dir, 'report.pdf')], { encoding: 'utf8' }))![1]);
      for (let n = 1; n <= pages; n++) {
        const text = execFileSync('pdftotext', ['-f', String(n), '-l', String(n), join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
        for (const [, size] of text.matchAll(/\b(\d+) rows/g)) {
          const k = Number(size) - 11;
          expect(text, `page ${n}: the row count of table ${k} without its last row`).toContain(`row ${size} of table ${k}`);
        }
        // every page but the last is filled (a full page has about 35 lines of text)
        if (n < pages) {
          const lines = execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), join(dir, 'report.pdf'), '-'], { encoding: 'utf8' })
            .split('\n')
            .filter((l) => l.trim()).length;
          expect(lines, `page ${n} is half blank`).toBeGreaterThan(28);
        }
      }
    } finally {
      await renderer.close();
    }
  }, 60_000);
});
