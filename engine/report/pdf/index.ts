/**
 * report.pdf: the report's print HTML (static charts, light) printed by Chromium. One browser and
 * one page serve every report of a batch. The page says when every chart is drawn or failed
 * (`window.__quireCharts`, see charts-ready.ts); a failed chart fails the export — never a PDF
 * with a blank chart.
 */
import type { Browser, ConsoleMessage, Page } from 'puppeteer';
import { OperationalError } from '../../util/errors.js';
import { renderHtml } from '../html.js';
import type { ReportModel } from '../model.js';
import { connectBrowser, launchBrowser } from './browser.js';
import { footerTemplate, HEADER_TEMPLATE } from './footer.js';
import { plotlyScript } from '../html/scripts.js';
import { destinationPages } from './toc-pages.js';
import { chartsReady } from './charts-ready.js';

import type { PaperSize } from './paper.js';

export { PAPER_SIZES, type PaperSize } from './paper.js';

/** Longest wait for the page a joined browser is opening for us, before opening our own. */
const ADOPT_TIMEOUT_MS = 5_000;

export interface PdfOptions {
  paper?: PaperSize;
  /** Longest wait for the charts to draw (default 30 s). */
  timeoutMs?: number;
}

export class PdfRenderer {
  private page: Page | null = null;
  /** The page is the one the joined browser opened for us (`pageUrl`): left open for its owner. */
  private adopted = false;
  private adoptTried = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly browser: Browser,
    /** Joined, not started here: `close` leaves the browser running for its owner. */
    readonly connected = false,
    /** A blank page the joined browser opened for us (its URL): printed in instead of opening one. */
    private readonly pageUrl?: string,
  ) {}

  /** Starts Chromium (a clear error naming the install command when it is missing). */
  static async launch(): Promise<PdfRenderer> {
    return new PdfRenderer(await launchBrowser());
  }

  /**
   * Joins the browser another process keeps warm (its websocket endpoint, and the URL of a page it
   * opened for us) and takes its page; throws when the browser is gone or going.
   */
  static async connect(endpoint: string, pageUrl?: string): Promise<PdfRenderer> {
    const renderer = new PdfRenderer(await connectBrowser(endpoint), true, pageUrl);
    try {
      await renderer.ensurePage();
    } catch (err) {
      await renderer.close();
      throw err;
    }
    return renderer;
  }

  /** Prints a report whose charts were prepared (charts/prepare.ts). Reports print one at a time. */
  render(model: ReportModel, opts: PdfOptions = {}): Promise<Uint8Array> {
    const job = this.queue.then(() => this.print(model, opts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async print(model: ReportModel, opts: PdfOptions): Promise<Uint8Array> {
    const page = await this.ensurePage();
    const html = renderHtml(model, { mode: 'print' });
    const timeout = opts.timeoutMs ?? 30_000;
    // Chromium's console, for errors: a CSP refusal is logged there, not thrown.
    const messages: string[] = [];
    const onConsole = (m: ConsoleMessage) => void messages.push(m.text());
    page.on('console', onConsole);
    try {
      // A fresh document: setContent writes into the current one, whose CSP (the last report's script hashes) would stay.
      await page.goto('about:blank');
      await page.setContent(html, { waitUntil: 'load', timeout });
      if (html.includes('class="chart')) await chartsReady(page, timeout, messages);
      const paper = opts.paper ?? 'a4';
      const print = () =>
        page.pdf({
          format: paper === 'letter' ? 'Letter' : 'A4',
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: HEADER_TEMPLATE,
          footerTemplate: footerTemplate(model),
          margin: { top: '14mm', bottom: '18mm', left: '13mm', right: '13mm' },
          timeout,
        });
      if (!html.includes('class="toc-page"')) return await print();
      const numbers = Object.fromEntries(await destinationPages(await print()));
      await page.evaluate((pages: Record<string, number>) => {
        for (const slot of document.querySelectorAll<HTMLElement>('.toc-page[data-for]')) {
          const n = pages[slot.dataset.for ?? ''];
          if (n !== undefined) slot.textContent = String(n);
        }
      }, numbers);
      return await print();
    } catch (err) {
      if (err instanceof OperationalError) throw err;
      // A page in an unknown state is not reused.
      await this.page?.close().catch(() => undefined);
      this.page = null;
      throw new OperationalError('E_PDF', `Chromium could not print the report: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    } finally {
      page.off('console', onConsole);
    }
  }

  /** PNG pictures (2×) of Plotly figures, for Excel: Plotly draws only in a browser. */
  plotlyImages(figures: { id: string; figure: Record<string, unknown> }[]): Promise<Map<string, Buffer>> {
    const job = this.queue.then(async () => {
      const page = await this.ensurePage();
      await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${plotlyScript()}</body></html>`, { waitUntil: 'load' });
      const out = new Map<string, Buffer>();
      for (const { id, figure } of figures) {
        const url = (await page.evaluate(async (fig: { data?: unknown[]; layout?: Record<string, unknown> }) => {
          const P = (window as unknown as { Plotly: { newPlot(...a: unknown[]): Promise<unknown>; toImage(...a: unknown[]): Promise<string>; purge(el: unknown): void } }).Plotly;
          const div = document.createElement('div');
          document.body.appendChild(div);
          await P.newPlot(div, fig.data ?? [], { ...(fig.layout ?? {}), width: 720, height: 300 }, { staticPlot: true });
          const png = await P.toImage(div, { format: 'png', width: 720, height: 300, scale: 2 });
          P.purge(div);
          div.remove();
          return png;
        }, figure as never)) as string;
        out.set(id, Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
      }
      return out;
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async ensurePage(): Promise<Page> {
    if (this.page && !this.page.isClosed()) return this.page;
    const adopted = await this.adopt();
    this.adopted = adopted !== null;
    this.page = adopted ?? (await this.browser.newPage());
    this.page.setDefaultTimeout(30_000);
    await this.page.setViewport({ width: 794, height: 1123 });
    await this.page.emulateMediaType('print');
    return this.page;
  }

  /** The page the joined browser opened for us, once it is there (it may still be opening); null when there is none. */
  private async adopt(): Promise<Page | null> {
    const url = this.pageUrl;
    if (!url || this.adoptTried) return null;
    this.adoptTried = true;
    const target = await this.browser.waitForTarget((t) => t.url() === url, { timeout: ADOPT_TIMEOUT_MS }).catch(() => null);
    return (await target?.page().catch(() => null)) ?? null;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.connected) {
      if (!this.adopted) await this.page?.close().catch(() => undefined);
      await this.browser.disconnect().catch(() => undefined);
      return;
    }
    await this.browser.close().catch(() => undefined);
  }
}
