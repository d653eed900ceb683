/**
 * Every template of the gallery (on the test warehouse) and every conformance example, run once
 * with html and pdf, then opened in real headless Chromium as a reader would: report.html at
 * 1200 px, and the print page the PDF is made from. Any console message about the
 * Content-Security-Policy (a refused style leaves KPI cards unstyled; a refused script leaves
 * charts blank), any page error, any chart left undrawn (or shown as "no data") or any card
 * without its styles fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { Browser, Page } from 'puppeteer';
import { cellTypes } from '../../cells/index.js';
import { runNotebook } from '../../engine/index.js';
import { listTemplates } from '../../engine/templates/index.js';
import { storedReport } from '../../engine/export/stored.js';
import { prepareCharts } from '../../engine/report/charts/prepare.js';
import { renderHtml } from '../../engine/report/html.js';
import { launchBrowser } from '../../engine/report/pdf/browser.js';
import { PdfRenderer } from '../../engine/report/pdf/index.js';
import { chartsReady } from '../../engine/report/pdf/charts-ready.js';
import { fixtureProject } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { pdfInfo } from '../helpers/pdf.js';
import { NOW, project, useTemplatesProject } from '../helpers/templates.js';

useTemplatesProject();

let browser: Browser;
let pdf: PdfRenderer;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser({ shared: true });
  pdf = await PdfRenderer.connect(browser.wsEndpoint());
  page = await browser.newPage();
});
afterAll(async () => {
  await pdf?.close();
  await browser?.close();
});

/** The figures that want a drawing and have none: their cell ids, with why. */
function undrawn(): string[] {
  return Array.from(document.querySelectorAll('figure.chart')).flatMap((fig) => {
    const cell = fig.closest('section')?.id ?? '?';
    if (fig.classList.contains('chart-empty')) return [`${cell}: shown as empty`];
    if (fig.getAttribute('data-failed') === 'true') return [`${cell}: failed (${fig.textContent?.trim().slice(0, 120)})`];
    const svg = fig.querySelector('.chart-canvas svg');
    const box = svg?.getBoundingClientRect();
    if (!svg || !box || box.width === 0 || box.height === 0 || !svg.querySelector('path,rect,circle,line,text')) return [`${cell}: nothing drawn`];
    return [];
  });
}

/** Cards of KPIs, metric cells and experiment scorecards left without their stylesheet (no border). */
function unstyled(): string[] {
  const bare = Array.from(document.querySelectorAll('.kpi, .qm-card, .qx-metric')).filter((el) => getComputedStyle(el).borderTopStyle === 'none');
  return [...new Set(bare.map((el) => `${el.closest('section')?.id ?? '?'}: .${el.classList[0]} unstyled`))];
}

/** What a reader would see go wrong: CSP refusals, page errors, charts not drawn, cards unstyled. */
async function problems(open: () => Promise<unknown>): Promise<string[]> {
  const found: string[] = [];
  const onConsole = (m: { text(): string }) => {
    if (/Content.Security.Policy/i.test(m.text())) found.push(`CSP: ${m.text().slice(0, 200)}`);
  };
  const onError = (e: unknown) => found.push(`page error: ${(e as Error).message ?? e}`);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    await open();
    // The chart script, when it ran (it is inline: by `load`), draws; without it undrawn() names what is blank.
    const started = await page.evaluate(() => typeof (window as { __quireCharts?: unknown }).__quireCharts === 'object');
    if (started) await page.waitForFunction('window.__quireCharts.done === true', { timeout: 20_000, polling: 25 });
    found.push(...(await page.evaluate(undrawn)), ...(await page.evaluate(unstyled)));
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
  return found;
}

/** report.html as a reader opens it (a file, 1200 px wide), then the print page of the PDF. */
async function checkRun(dir: string): Promise<Record<string, string[]>> {
  const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  await page.emulateMediaType('screen');
  await page.setViewport({ width: 1200, height: 900 });
  const screen = await problems(() => page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' }));

  const { model } = storedReport(dir, manifest);
  const prepared = await prepareCharts({ ...model, theme: 'light' }, 'light', false);
  const html = renderHtml(prepared.model, { mode: 'print' });
  await page.emulateMediaType('print');
  await page.setViewport({ width: 794, height: 1123 });
  const print = await problems(async () => {
    await page.goto('about:blank');
    await page.setContent(html, { waitUntil: 'load' });
  });
  return { screen, print };
}

function expectPdf(dir: string, exports: Record<string, string>): void {
  expect(exports.pdf).toBe('report.pdf');
  expect(Number(pdfInfo(join(dir, 'report.pdf')).Pages)).toBeGreaterThan(0);
}

describe('every template report, in Chromium', () => {
  it.each(listTemplates().map((t) => t.name))('%s: no CSP refusal, no page error, every chart drawn; the PDF prints', async (name) => {
    const { manifest, dir } = await runNotebook(join(project(), 'notebooks', `${name}.yaml`), { now: NOW, cache: 'off', exports: ['html', 'pdf'], pdf });
    expect(manifest.error).toBeNull();
    expect(manifest.status).toBe('succeeded');
    expectPdf(dir, manifest.exports);
    expect(await checkRun(dir)).toEqual({ screen: [], print: [] });
  });
});

const conformance = join(FIXTURES, 'conformance');
const registered = new Set(cellTypes.map((c) => c.type));
const examples = readdirSync(conformance).filter(
  (f) => f.endsWith('.yaml') && f !== 'quire.yaml' && (parse(readFileSync(join(conformance, f), 'utf8')).cells as { type: string }[]).every((c) => registered.has(c.type)),
);

describe('every conformance example report, in Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureProject('conformance');
  });
  it.each(examples)('%s', async (file) => {
    const { manifest, dir: runDir } = await runNotebook(join(dir, file), { cache: 'off', exports: ['html', 'pdf'], pdf });
    expect(manifest.status).toBe('succeeded');
    expectPdf(runDir, manifest.exports);
    expect(await checkRun(runDir)).toEqual({ screen: [], print: [] });
  });
});

describe('the PDF printer, when the charts cannot come', () => {
  const figure = '<section id="cell-sales_chart"><figure class="chart chart-vega" data-engine="vega-lite"><div class="chart-canvas"></div></figure></section>';

  it('fails at once, naming the cell, when the page has no chart script (the test times out long before the printer would)', { timeout: 15_000 }, async () => {
    await page.goto('about:blank'); // a fresh window: setContent keeps the last page's globals
    await page.setContent(`<!DOCTYPE html><html><body>${figure}</body></html>`, { waitUntil: 'load' });
    const err = await chartsReady(page, 120_000, []).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_PDF_CHART' });
    expect((err as Error).message).toMatch(/chart script did not run, so the chart of 'sales_chart' would print blank/);
  });

  it('says the CSP refused the script when it did', { timeout: 15_000 }, async () => {
    const messages: string[] = [];
    const onConsole = (m: { text(): string }) => void messages.push(m.text());
    page.on('console', onConsole);
    await page.goto('about:blank');
    await page.setContent(
      `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="script-src 'none'"></head><body>${figure}<script>window.__quireCharts = { done: true, failed: [] };</script></body></html>`,
      { waitUntil: 'load' },
    );
    const err = await chartsReady(page, 120_000, messages).catch((e: unknown) => e);
    page.off('console', onConsole);
    expect((err as Error).message).toMatch(/'sales_chart'.*Content Security Policy/);
  });

  it('passes a page whose only charts are empty-data notes', async () => {
    await page.goto('about:blank');
    await page.setContent('<!DOCTYPE html><html><body><section id="cell-a"><figure class="chart chart-empty"><p>No data</p></figure></section></body></html>', { waitUntil: 'load' });
    await expect(chartsReady(page, 1_000, [])).resolves.toBeUndefined();
  });
});
