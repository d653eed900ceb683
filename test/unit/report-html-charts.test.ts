import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer';
import { renderHtml } from '../../engine/report/html.js';
import { buildChart } from '../../engine/report/charts/index.js';
import { prepareCharts } from '../../engine/report/charts/prepare.js';
import { chromiumPath, LAUNCH_ARGS } from '../../engine/report/pdf/browser.js';
import type { ReportCell, ReportModel } from '../../engine/report/model.js';
import type { TableOutput } from '../../engine/outputs.js';

const XSS = '<script>alert(1)</script>';

const sales: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'region', type: 'VARCHAR' },
    { name: 'revenue', type: 'DOUBLE' },
    { name: 'day', type: 'DATE' },
  ],
  rows: [
    ['NA', 1200, '2025-01-01'],
    [XSS, 800.5, '2025-01-02'],
    ['EU', 950, '2025-01-03'],
  ],
  rowCount: 3,
};

async function model(theme: 'light' | 'dark' = 'light'): Promise<ReportModel> {
  const chart = async (id: string, viz: Parameters<typeof buildChart>[0]): Promise<ReportCell> => ({
    id,
    type: 'visualization',
    title: `Chart ${id}`,
    status: 'succeeded',
    output: await buildChart(viz, sales, { dataId: 'sales', totalRows: 3, step: 1 }),
  });
  return {
    title: 'Charts',
    notebook: { id: 'nb', path: 'nb.yaml', sha256: 'b'.repeat(64) },
    params: { month: '2025-01', month_start: '2025-01-01', month_end: '2025-02-01' },
    run: { id: 'run-1', status: 'succeeded', startedAt: '2025-02-01T07:00:00.000Z', finishedAt: '2025-02-01T07:00:03.000Z', durationMs: 3000 },
    theme,
    data: { asOf: '2025-01-31T23:00:00.000Z', fingerprint: '0123456789ab' },
    cells: [
      { id: 'sales', type: 'query', title: 'Sales', status: 'succeeded', output: sales },
      await chart('bar', { chart: 'bar', x: 'region', y: 'revenue', format: { revenue: 'currency' } }),
      await chart('line', { chart: 'line', x: 'day', y: 'revenue' }),
      await chart('kpi', { chart: 'kpi', y: ['revenue'], format: { revenue: 'currency' } }),
      await chart('tab', { chart: 'table', x: 'region', y: 'revenue' }),
      await chart('plot', { plotly: { data: [{ type: 'bar', x: 'region', y: 'revenue' }] } }),
    ],
  };
}

async function html(theme: 'light' | 'dark' = 'light', mode: 'screen' | 'print' = 'screen'): Promise<string> {
  const { model: prepared, failures } = await prepareCharts(await model(theme), mode === 'print' ? 'light' : theme, mode === 'screen');
  expect(failures).toEqual([]);
  return renderHtml(prepared, { mode });
}

describe('HTML with charts', () => {
  it('inlines each chart as a static SVG with its spec, the libraries it needs, and no external URL', async () => {
    const page = await html();
    expect(page.match(/<figure class="chart chart-vega"/g)).toHaveLength(2);
    expect(page).toMatch(/<div class="chart-canvas"><svg [^>]*class="marks"/);
    expect(page.match(/<script type="application\/json" class="chart-spec">/g)).toHaveLength(3);
    expect(page).toContain('vega'); // the library itself is inline
    expect(page).toContain('window.__quireCharts');
    expect(/<script[^>]+src=|<link\b/i.test(page)).toBe(false);
    // Outside the inlined libraries' code, nothing refers to another resource.
    const markup = page.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
    expect(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i.test(markup)).toBe(false);
    expect(/url\(\s*["']?https?:/i.test(markup)).toBe(false);
    // clip paths of different charts never share an id
    const ids = [...page.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps hostile data as text: SVG labels escaped, JSON specs without "<"', async () => {
    const page = await html();
    expect(page.includes('<script>alert(1)')).toBe(false);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const m of page.matchAll(/<script type="application\/json" class="chart-spec">([\s\S]*?)<\/script>/g)) expect(m[1]).not.toContain('<');
  });

  it('KPI cards, a table view and the data stamp in the header', async () => {
    const page = await html();
    expect(page).toContain('<div class="kpi"><p class="kpi-label">Revenue</p><p class="kpi-value">$1,200</p></div>');
    expect(page).toMatch(/<section class="cell cell-chart[^"]*" id="cell-tab">[\s\S]*?<table class="data">/);
    expect(page).toContain('Data as of <time datetime="2025-01-31T23:00:00.000Z">2025-01-31 23:00:00 UTC</time> · fingerprint');
    expect(page).toContain('0123456789ab');
  });

  it('dark theme on screen; print (the PDF) is always light and static', async () => {
    const dark = await html('dark');
    expect(dark).toContain('<html lang="en" data-theme="dark">');
    expect(dark).toContain('<meta name="color-scheme" content="dark">');
    expect(dark).toContain('--bg: #0e1117;');
    expect(dark).toContain('fill="#161b24"'); // the charts were drawn on the dark background
    const print = await html('dark', 'print');
    expect(print).toContain('<html lang="en" data-mode="print">');
    expect(print).not.toContain('--bg: #0e1117;');
    expect(print.match(/class="chart-spec"/g)).toHaveLength(1); // only the Plotly figure is drawn in the page
  });
});

describe('HTML with charts in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws interactive charts offline, with tooltips, and signals when done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-html-'));
    writeFileSync(join(dir, 'report.html'), await html());
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(`file://${join(dir, 'report.html')}`, { waitUntil: 'load' });
    await page.waitForFunction('window.__quireCharts && window.__quireCharts.done', { timeout: 20_000 });
    expect(await page.evaluate('window.__quireCharts.failed')).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    // the vega view replaced the static SVG, laid out to the card's width
    const width = await page.$eval('#cell-bar .chart-canvas svg', (svg) => svg.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(900);
    expect(await page.$$eval('#cell-plot .chart-canvas .main-svg', (n) => n.length)).toBeGreaterThan(0);
    const bar = (await page.$$('#cell-bar .mark-rect path'))[0]!;
    await bar.hover();
    await page.waitForSelector('.chart-tip', { visible: true, timeout: 5000 });
    const tip = await page.$eval('.chart-tip', (el) => el.textContent);
    expect(tip).toContain('region');
    expect(tip).toContain('$');
    await page.close();
  });
});
