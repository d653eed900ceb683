/**
 * Reports that cannot run script from data or fetch anything: param and data values with links,
 * entity tricks and a remote image (fixtures/report-safety), a chart href from data, and the
 * page's Content-Security-Policy, checked in the real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { runNotebook } from '../../engine/index.js';
import { renderHtml } from '../../engine/report/html.js';
import { buildChart } from '../../engine/report/charts/index.js';
import { prepareCharts } from '../../engine/report/charts/prepare.js';
import { chromiumPath, LAUNCH_ARGS } from '../../engine/report/pdf/browser.js';
import { renderMarkdown } from '../../engine/text/markdown.js';
import type { ReportModel } from '../../engine/report/model.js';
import type { TableOutput } from '../../engine/outputs.js';
import { fixtureProject } from '../helpers/cli.js';

/** The markup outside script elements (the inlined libraries and chart specs hold any text). */
const markupOf = (html: string) => html.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');

interface Watch {
  dialogs: string[];
  requests: string[];
  errors: string[];
  violations(): Promise<string[]>;
}

/** A page that records dialogs (alert = script ran), requests leaving file:, page errors and CSP violations. */
async function watchedPage(browser: Browser): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) errors.push(m.text());
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('file:') || url.startsWith('data:')) return void r.continue();
    requests.push(url);
    void r.abort();
  });
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, watch: { dialogs, requests, errors, violations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp) } };
}

async function openReport(page: Page, path: string): Promise<void> {
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(`file://${path}`, { waitUntil: 'load' });
  await page.waitForFunction('window.__quireCharts && window.__quireCharts.done', { timeout: 20_000 });
}

describe('report safety: a notebook whose params and data attack the report', () => {
  let browser: Browser;
  let reportPath: string;
  let html: string;
  let status: string;
  const stray: unknown[] = [];
  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
    const dir = fixtureProject('report-safety');
    // What would end a CLI or scheduler process: a rejection nobody handles, an uncaught exception.
    const collect = (err: unknown) => stray.push(err);
    process.on('unhandledRejection', collect);
    process.on('uncaughtException', collect);
    try {
      const run = await runNotebook(join(dir, 'notebook.yaml'));
      await new Promise((resolve) => setImmediate(resolve));
      status = run.manifest.status;
      reportPath = run.reportPath!;
    } finally {
      process.off('unhandledRejection', collect);
      process.off('uncaughtException', collect);
    }
    html = readFileSync(reportPath, 'utf8');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('a javascript: URL in a chart href column neither crashes the process nor fails the run', () => {
    expect(stray.map(String)).toEqual([]);
    expect(status).toBe('succeeded');
    expect(html).toMatch(/<section class="cell cell-chart[^"]*" id="cell-linked">[\s\S]*?<svg /);
  });

  it('leaves no javascript: link and no remote image in the markup', () => {
    const markup = markupOf(html);
    expect(markup).not.toMatch(/href="[^"]*script(:|&colon;|&#58;)/i);
    expect(markup).not.toMatch(/&#106;avascript|&#x6a;avascript/i);
    expect(markup).not.toMatch(/<img\b[^>]*src="(?!data:)/i);
    expect(markup).not.toMatch(/(src|href)="[^"]*127\.0\.0\.1/);
    // The link texts and the image's alt text are still shown.
    for (const text of ['param link', 'cased link', 'data link', 'data html link', 'entity link', 'colon link', 'tracking pixel']) expect(markup).toContain(text);
    // What the author wrote, and safe links, stay.
    expect(markup).toContain('<div class="author">Author markup stays.</div>');
    expect(markup).toContain('<a href="#cell-links">an anchor</a>');
    expect(markup).toContain('<a href="https://example.org/x?a=1&amp;b=2">a web link</a>');
    expect(markup).toContain('<a href="mailto:a@example.org">mail</a>');
  });

  it('in Chromium: clicking every attack link and the javascript: chart bars runs nothing, and nothing is fetched', async () => {
    const { page, watch } = await watchedPage(browser);
    await openReport(page, reportPath);
    expect(await page.evaluate('window.__quireCharts.failed')).toEqual([]);
    const attacks = await page.$$('.prose a:not([href^="http"]):not([href^="mailto"]):not([href^="#"])');
    expect(attacks.length).toBeGreaterThanOrEqual(5);
    for (const a of attacks) await a.click();
    const bars = await page.$$('#cell-linked .mark-rect path');
    expect(bars).toHaveLength(3);
    await bars[1]!.click(); // evil: javascript:alert(7)
    await bars[2]!.click(); // spaced: java<tab>script:alert(8)
    // Plotly's pseudo-HTML text: its own filter keeps http(s)/mailto links only.
    const plotlyLinks = await page.$$('#cell-plotly_linked .bartext a, #cell-plotly_linked .bartext [href], #cell-plotly_linked .bartext [*|href]');
    for (const a of plotlyLinks) await a.click();
    expect(await page.$$eval('#cell-plotly_linked .bartext', (n) => n.map((t) => t.textContent))).toContain('plotly link evil');
    // A page that fired a dialog or navigated is no longer this report.
    expect(await page.evaluate(() => location.protocol)).toBe('file:');
    expect(watch.dialogs).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(await watch.violations()).toEqual([]);
    const protocols = await page.$$eval('a', (as) => as.map((a) => (a.hasAttribute('href') ? (a as HTMLAnchorElement).protocol : null)));
    expect(protocols.filter((p) => p !== null && !['http:', 'https:', 'mailto:', 'file:'].includes(p))).toEqual([]);
    const chartLinks = await page.$$eval('#cell-linked a', (as) => as.map((a) => a.getAttribute('href') ?? a.getAttribute('xlink:href')));
    expect(chartLinks.filter((h) => h && !/^https?:/.test(h))).toEqual([]);
    await page.close();
  });

  it('carries a CSP that forbids every fetch and any script but its own', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    expect(meta).not.toBeNull();
    const policy = meta![1]!.replace(/&#39;/g, "'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain('img-src data:');
    expect(policy).toMatch(/script-src( 'sha256-[A-Za-z0-9+/=]+')+;/);
    expect(policy).toMatch(/style-src( 'sha256-[A-Za-z0-9+/=]+')+;/);
    expect(policy.replace("style-src-attr 'unsafe-inline'", '')).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('a remote image and a script that got into the page anyway are neither fetched nor run', async () => {
    const injected = html.replace(
      '</main>',
      '<img src="http://127.0.0.1:9/leak.png?secret=1"><script>alert("injected")</script><a id="js" href="javascript:alert(\'href\')">x</a><img src=x onerror="alert(\'onerror\')"></main>',
    );
    const path = reportPath.replace(/report\.html$/, 'injected.html');
    writeFileSync(path, injected);
    const { page, watch } = await watchedPage(browser);
    await openReport(page, path);
    await page.click('#js');
    expect(watch.dialogs).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect((await watch.violations()).length).toBeGreaterThanOrEqual(3); // the img, the script, the handler (and the link)
    await page.close();
  });
});

describe('report safety: text rendering', () => {
  it('neutralizes entity, case and whitespace tricks in links and raw HTML', () => {
    const attacks = [
      '[a](javascript:alert(1))',
      '[a](&#106;avascript:alert(1))',
      '[a](javascript&colon;alert(1))',
      '[a](JaVaScRiPt:alert(1))',
      '<a href="java\nscript:alert(1)">a</a>',
      '<a href=" &#x6A;ava&#x09;script:alert(1)">a</a>',
      '<a href="vbscript:msgbox(1)">a</a>',
      '<a href="data:text/html,<script>alert(1)</script>">a</a>',
    ];
    for (const allowHtml of [false, true]) {
      for (const md of attacks) {
        const out = renderMarkdown(md, allowHtml);
        expect(out, `${md} (html: ${allowHtml})`).not.toMatch(/<a [^>]*href=/);
      }
    }
  });

  it("html: true keeps the author's markup but drops handlers, scripts, frames, styles and remote images", () => {
    const out = renderMarkdown(
      '<p onclick="alert(1)" class="note">hi</p><script>alert(2)</script><iframe src="https://x.org"></iframe><object data="x"></object>' +
        '<style>p{background:url(http://x.org/a.png)}</style><div style="background:url(http://x.org/b.png)">s</div>' +
        '<img src="https://x.org/c.png" alt="remote"><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"><svg><a xlink:href="javascript:alert(3)">v</a></svg>',
      true,
    );
    expect(out).toContain('<p class="note">hi</p>');
    expect(out).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline" />');
    expect(out).toContain('<span class="image-alt">remote</span>');
    expect(out).not.toMatch(/onclick|<script|<iframe|<object|<style|style=|x\.org|javascript/);
  });
});

describe('report safety: charts under the CSP in Chromium', () => {
  const table: TableOutput = {
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
  async function page(mode: 'screen' | 'print'): Promise<string> {
    const chart = async (id: string, viz: Parameters<typeof buildChart>[0]) => ({
      id,
      type: 'visualization',
      title: id,
      status: 'succeeded' as const,
      output: await buildChart(viz, table, { dataId: 'sales', totalRows: 2, step: 1 }),
    });
    const model: ReportModel = {
      title: 'Charts',
      notebook: { id: 'nb', path: 'nb.yaml', sha256: 'c'.repeat(64) },
      params: {},
      run: { id: 'run-1', status: 'succeeded', startedAt: '2025-02-01T07:00:00.000Z', finishedAt: '2025-02-01T07:00:01.000Z', durationMs: 1000 },
      cells: [
        await chart('bar', { chart: 'bar', x: 'region', y: 'revenue' }),
        await chart('custom', {
          vega_lite: {
            mark: 'bar',
            transform: [{ calculate: 'datum.revenue * 2', as: 'double' }],
            encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'double', type: 'quantitative' } },
          },
        }),
        await chart('plot', { plotly: { data: [{ type: 'bar', x: 'region', y: 'revenue' }] } }),
      ],
    };
    const { model: prepared, failures } = await prepareCharts(model, 'light', mode === 'screen');
    expect(failures).toEqual([]);
    return renderHtml(prepared, { mode });
  }

  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const mode of ['screen', 'print'] as const) {
    it(`${mode}: Vega and Plotly charts draw with no CSP violation`, async () => {
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const path = join(mkdtempSync(join(tmpdir(), 'quire-csp-')), 'report.html');
      const html = await page(mode);
      expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
      writeFileSync(path, html);
      const { page: p, watch } = await watchedPage(browser);
      await openReport(p, path);
      expect(await p.evaluate('window.__quireCharts.failed')).toEqual([]);
      expect(await p.$$eval('#cell-plot .chart-canvas .main-svg', (n) => n.length)).toBeGreaterThan(0);
      expect(await p.$$eval('#cell-custom .mark-rect path', (n) => n.length)).toBe(2);
      if (mode === 'screen') expect(await p.$eval('#cell-custom .chart-canvas svg', (s) => s.getBoundingClientRect().width)).toBeGreaterThan(900); // the live Vega view
      expect(watch.errors).toEqual([]);
      expect(await watch.violations()).toEqual([]);
      expect(watch.requests).toEqual([]);
      await p.close();
    });
  }
});
