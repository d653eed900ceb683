/**
 * The templates and data pages in real headless Chromium against a running server: use a
 * template through its form (and see the refusal the second time), upload a CSV, check the
 * inferred types, commit it into a new table, and see a bad file's row named. With
 * QUIRE_SCREENSHOTS=<dir> the pages are also saved there as PNG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { chromiumPath, LAUNCH_ARGS } from '../../engine/report/pdf/browser.js';
import { createServerContext } from '../../engine/server/context.js';
import { startServer, type RunningServer } from '../../engine/server/serve.js';
import { catalogProject, type CatalogProject } from '../helpers/catalog-project.js';

let p: CatalogProject;
let server: RunningServer;
let browser: Browser;
let page: Page;
/** Console errors and warnings of every page (the aborted pictures' failed loads aside). */
const consoleProblems: string[] = [];

beforeAll(async () => {
  p = catalogProject();
  server = await startServer(createServerContext(p.dir, { clock: p.clock }), { host: '127.0.0.1', port: 0 });
  browser = await puppeteer.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS, headless: true });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // A template's picture is a run and a PDF (seconds each): the page tests don't wait for them.
  await page.setRequestInterception(true);
  page.on('request', (r) => (r.url().endsWith('/picture.png') ? r.abort() : r.continue()));
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warn') && consoleProblems.push(`${m.type()}: ${m.text()}`));
});
afterAll(async () => {
  expect(consoleProblems.filter((m) => !/picture\.png|Failed to load resource/.test(m))).toEqual([]);
  await browser?.close();
  await server?.close();
  await p?.close();
});

async function shot(name: string): Promise<void> {
  const dir = process.env.QUIRE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with table cells apart, is what a person reads
const text = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

async function submit(selector: string): Promise<number> {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res!.status();
}

describe('templates and data pages in Chromium', () => {
  it('uses a template from its page; the second use is refused beside the form', async () => {
    await page.goto(`${server.url}/templates`);
    expect(await page.$$eval('.template-card', (cards) => cards.length)).toBeGreaterThanOrEqual(7);
    await Promise.all([page.waitForNavigation(), page.click('.template-card[data-template="sales-analysis"] h2 a')]);
    expect(await text('h1')).toMatch(/sales/i);
    await page.$eval('#notebook', (el) => {
      (el as HTMLInputElement).value = '';
    });
    await page.type('#notebook', 'quarterly-sales');
    expect(await submit('#use button[type=submit]')).toBe(200);
    expect(await text('#use .banner-ok')).toMatch(/Created notebooks\/quarterly-sales\.yaml/);
    expect(existsSync(join(p.dir, 'notebooks', 'quarterly-sales.yaml'))).toBe(true);
    await shot('template-used');

    expect(await submit('#use button[type=submit]')).toBe(409);
    expect(await text('#use .banner-failed')).toMatch(/E_TEMPLATE_TARGET_EXISTS[\s\S]*already exists; not overwriting it/);
  });

  it('uploads a CSV: shows the inferred types, then creates the table', async () => {
    const csv = join(p.dir, 'Regional targets.csv');
    writeFileSync(csv, 'region,month,target,note\nEU,2026-01-01,120000.5,\nUS,2026-01-01,90000,stretch\nAPAC,2026-01-01,45000,\n');
    await page.goto(`${server.url}/data`);
    expect(await text('#tables')).toMatch(/orders\s+20,000/);
    const input = await page.$('#file');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(csv);
    expect(await submit('#upload button[type=submit]')).toBe(200);
    expect(await text('#staged-rows')).toBe('3');
    expect(await text('#staged-columns')).toMatch(/region\s+VARCHAR[\s\S]*month\s+DATE[\s\S]*target\s+DOUBLE[\s\S]*note\s+VARCHAR/);
    expect(await page.$eval('#table', (el) => (el as HTMLInputElement).value)).toBe('regional_targets');
    await shot('data-upload-check');
    expect(await submit('#commit button[type=submit]')).toBe(200);
    expect(page.url()).toBe(`${server.url}/data/tables/regional_targets?created=1`);
    expect(await text('.banner-ok')).toMatch(/Table regional_targets created: 3 rows/);
    expect(await text('#preview')).toMatch(/APAC/);
  });

  it('suggests a free table name for a file named like a table, and refuses a taken name beside the field', async () => {
    const file = join(p.dir, 'orders.csv');
    writeFileSync(file, 'id,amount\n1,2.5\n2,3\n');
    await page.goto(`${server.url}/data`);
    const input = await page.$('#file');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(file);
    expect(await submit('#upload button[type=submit]')).toBe(200);
    expect(await page.$eval('#table', (el) => (el as HTMLInputElement).value)).toBe('orders_2');
    await page.$eval('#table', (el) => {
      (el as HTMLInputElement).value = 'Orders';
    });
    expect(await submit('#commit button[type=submit]')).toBe(409);
    expect(await text('#commit .field.invalid [data-error-for="table"]')).toMatch(/E_TABLE_EXISTS[\s\S]*already has a table named 'orders'[\s\S]*'Orders_2' is free/);
    expect(await page.$('#commit .banner-failed')).toBeNull(); // beside the field, not a banner
    expect(await page.$eval('#table', (el) => (el as HTMLInputElement).value)).toBe('Orders'); // what was typed is kept
    await shot('data-upload-taken');
    await page.goto(`${server.url}/data`);
    expect(await text('#tables')).toMatch(/orders\s+20,000/); // nothing written
    expect(await text('#tables')).not.toMatch(/orders_2/);
  });

  it('names the bad line of a CSV and loads nothing', async () => {
    const bad = join(p.dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');
    await page.goto(`${server.url}/data`);
    const input = await page.$('#file');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(bad);
    expect(await submit('#upload button[type=submit]')).toBe(422);
    expect(await text('#upload .banner-failed')).toMatch(/E_UPLOAD_BAD_ROW[\s\S]*line 3/);
    expect(await text('#tables')).not.toMatch(/\bbad\b/);
  });
});
