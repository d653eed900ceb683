import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { chromiumPath, LAUNCH_ARGS } from '../../engine/report/pdf/browser.js';
import { createServerContext, type ServerContext } from '../../engine/server/context.js';
import { startServer, type RunningServer } from '../../engine/server/serve.js';
import { fixtureProject } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';
import { SERVE_NOW } from '../helpers/server.js';

/** The web app in real headless Chromium, as a person uses it; screenshots of the main pages go to docs/screenshots/. */
describe('quire serve in Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let ctx: ServerContext;
  let root: string;
  // The README's pictures are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to a temp folder.
  const shots = process.env.UPDATE_SCREENSHOTS ? join(REPO, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'quire-shots-'));

  beforeAll(async () => {
    root = fixtureProject('serve');
    ctx = createServerContext(root, { clock: () => SERVE_NOW, localUser: 'analyst' });
    server = await startServer(ctx, { host: '127.0.0.1', port: 0 });
    browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const statusOf = (page: Page, scope: string) => page.$eval(`${scope} [data-run-status] .badge`, (b) => (b as HTMLElement).dataset.status);

  it('runs a notebook with a changed param, watches it succeed, opens the report, downloads the PDF, reruns, pauses a schedule', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Warnings count too (a header sent inconsistently, a deprecated API): a person's console stays clean.
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warn') && errors.push(`${m.type()}: ${m.text()}`));

    await page.goto(`${server.url}/notebooks`);
    expect(await page.$eval('[data-notebooks]', (t) => t.textContent)).toContain('Sales — 2025-03');
    await page.screenshot({ path: join(shots, 'notebooks.png') });

    await page.click('a[href="/notebooks/sales"]');
    await page.waitForSelector('form[data-run-form]');
    expect(await page.$eval('#param-month', (i) => (i as HTMLInputElement).value)).toBe('2025-03'); // previous_month, resolved
    await page.select('#param-region', 'EU');
    await page.click('form[data-run-form] button[type="submit"]');
    await page.waitForSelector('[data-progress-slot]:not([hidden]) [data-run-status] .badge[data-status="succeeded"]', { timeout: 30_000 });
    expect(await page.$$eval('[data-progress-slot] [data-cell]', (lis) => lis.map((li) => (li as HTMLElement).dataset.state))).toEqual(['succeeded', 'succeeded']);
    await page.screenshot({ path: join(shots, 'notebook.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click('[data-progress-slot] [data-run-done] a')]);
    const runUrl = page.url();
    expect(await statusOf(page, '.actions')).toBe('succeeded');
    const frame = await (await page.waitForSelector('iframe.report'))!.contentFrame();
    await frame.waitForSelector('h1');
    expect(await frame.$eval('h1', (h) => h.textContent)).toContain('Sales — 2025-03 (EU)'.slice(0, 15));
    expect(await page.$eval('iframe.report', (f) => f.getAttribute('sandbox'))).toBe('allow-scripts allow-popups');
    await page.screenshot({ path: join(shots, 'run.png'), fullPage: true });

    // The PDF was not written by the run (html only): rendered on demand.
    const pdf = await page.evaluate(async () => {
      const a = document.querySelector('a[data-download="pdf"]') as HTMLAnchorElement;
      const res = await fetch(a.href);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
    });
    expect(pdf).toMatchObject({ status: 200, type: 'application/pdf', head: '%PDF-' });
    expect(pdf.size).toBeGreaterThan(5000);

    // Rerun for another region, from the form prefilled with this run's params.
    expect(await page.$eval('form[data-run-form] #param-region', (s) => (s as HTMLSelectElement).value)).toBe('EU');
    await page.select('form[data-run-form] #param-region', 'NA');
    await Promise.all([page.waitForNavigation(), page.click('form[data-run-form] button[type="submit"]')]);
    expect(page.url()).not.toBe(runUrl);
    await page.waitForSelector('.actions [data-run-status] .badge[data-status="succeeded"]', { timeout: 30_000 });
    await page.waitForSelector('iframe.report');
    expect(await page.$eval('.params', (p) => p.textContent)).toContain('NA');

    await page.goto(`${server.url}/runs`);
    expect(await page.$$eval('[data-runs] tbody tr', (rows) => rows.length)).toBe(2);
    await page.screenshot({ path: join(shots, 'runs.png') });

    await page.goto(`${server.url}/schedules`);
    await Promise.all([page.waitForNavigation(), page.click('[data-schedule="sales.monthly"] button[data-action="pause"]')]);
    expect(await page.$eval('[data-schedule="sales.monthly"] .badge', (b) => b.textContent)).toBe('paused');
    expect(Object.keys(JSON.parse(readFileSync(join(root, 'runs', '.scheduler', 'paused.json'), 'utf8')))).toEqual(['notebooks/sales.yaml#monthly']);
    await page.screenshot({ path: join(shots, 'schedules.png') });

    // A bad value shows its message beside the field, from the 422.
    await page.goto(`${server.url}/notebooks/sales`);
    await page.$eval('#param-month', (i) => {
      (i as HTMLInputElement).type = 'text';
      (i as HTMLInputElement).value = '2025-13';
    });
    await page.click('form[data-run-form] button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-error-for="month"]')?.textContent?.includes('expects'));
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]); // the 422 is the refusal shown
  });

  it("shows a run of the notebook started elsewhere (another person, the scheduler) live on the notebook's page", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warn') && problems.push(m.text()));
    const run = await ctx.runs.submit({ nb: ctx.notebooks.loaded('slow'), params: {}, startedBy: 'someone-else' });
    await page.goto(`${server.url}/notebooks/slow`);
    await page.waitForSelector(`[data-progress-slot]:not([hidden]) [data-progress][data-run="${run.id}"] [data-cell="quick"][data-state="succeeded"]`, { timeout: 30_000 });
    expect(await page.$eval('[data-progress-slot] [data-cell="slow"]', (li) => (li as HTMLElement).dataset.state)).toBe('running');
    await page.screenshot({ path: join(shots, 'notebook-live.png'), fullPage: true });
    await ctx.runs.cancel(run.id, 'test over');
    await page.waitForSelector('[data-progress-slot] [data-run-status] .badge[data-status="failed"]', { timeout: 30_000 }); // stopped: failed, interrupted
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the login page shows a whole token at desktop width, and fits a phone screen', async () => {
    const page = await browser.newPage();
    const token = `qt_0a1b2c3d_${'x'.repeat(43)}`; // the shape of `quire tokens create`'s secrets
    const measure = () =>
      page.$eval('#token', (i) => ({ inner: (i as HTMLInputElement).clientWidth, text: i.scrollWidth, page: document.documentElement.scrollWidth, type: (i as HTMLInputElement).type }));

    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${server.url}/login`);
    await page.type('#token', token);
    const desktop = await measure();
    expect(desktop.text).toBeLessThanOrEqual(desktop.inner); // every character in view, no scrolling inside the field
    await page.click('[data-show-token]');
    expect((await measure()).type).toBe('text');
    await page.screenshot({ path: join(shots, 'login.png') });

    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${server.url}/login`);
    const phone = await measure();
    expect(phone.page).toBeLessThanOrEqual(390); // no sideways scrolling of the page
    expect(phone.inner).toBeGreaterThan(300); // the field takes the card's width
    await page.screenshot({ path: join(shots, 'login-phone.png') });
    await page.close();
  });
});
