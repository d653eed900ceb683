/**
 * One Chromium a long-lived process (the scheduler) keeps warm for the runs it starts in child
 * processes: started on the first run that needs a browser, reached by its websocket endpoint,
 * closed with the engine state and after a while without runs. A browser that died is started
 * again by the next run that needs one.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page, Target } from 'puppeteer';
import { launchBrowser } from '../report/pdf/browser.js';
import type { StateKey } from '../util/state.js';

/** How long the browser stays up after the last run that used it ended. */
export const WARM_BROWSER_IDLE_MS = 5 * 60_000;

export interface WarmBrowserLease {
  /** The browser's websocket endpoint; null when it could not start (the run starts its own and says why). */
  endpoint: string | null;
  /**
   * The URL of a blank page opened for this run, which its process prints in (opening a page is the
   * bulk of a PDF in a joined browser); closed when the lease is released.
   */
  page: string | null;
  /** The run ended: once no run uses the browser, pages left by killed runs are closed and the idle countdown starts. */
  release(): Promise<void>;
}

/** Calls `fn` after `ms` without keeping the process alive; returns the cancel. Tests inject their own. */
export type IdleTimer = (ms: number, fn: () => Promise<void>) => () => void;

const unrefTimer: IdleTimer = (ms, fn) => {
  const t = setTimeout(() => void fn(), ms);
  t.unref();
  return () => clearTimeout(t);
};

/** A page being opened in the warm browser, known by its URL. */
interface OpeningPage {
  browser: Browser;
  url: string;
  page: Promise<Page | null>;
}

export class WarmBrowser {
  private browser: Promise<Browser> | null = null;
  /** The page opened ahead for the next lease: a lease takes it, its release opens the next one (not during the run: it would compete with the run's print). */
  private spare: OpeningPage | null = null;
  private users = 0;
  private cancelIdle: (() => void) | null = null;
  /** The pages the browser started with (kept), by browser. */
  private readonly initial = new WeakMap<Browser, Set<Target>>();

  constructor(
    private readonly idleMs = WARM_BROWSER_IDLE_MS,
    private readonly timer: IdleTimer = unrefTimer,
  ) {}

  async lease(): Promise<WarmBrowserLease> {
    this.users++;
    this.stopIdle();
    let browser = await this.started().catch(() => null);
    if (browser && !browser.connected) {
      // Died before its 'disconnected' event reached us: start another.
      this.browser = null;
      browser = await this.started().catch(() => null);
    }
    let released = false;
    const page = browser?.connected ? this.takePage(browser) : null;
    return {
      endpoint: browser?.connected ? browser.wsEndpoint() : null,
      page: page?.url ?? null,
      release: async () => {
        if (released) return;
        released = true;
        await (await page?.page)?.close().catch(() => undefined);
        if (browser?.connected && this.browser && !this.spare) this.spare = openPage(browser);
        if (--this.users > 0) return;
        // An idle browser does not keep the process alive; close() cancels the countdown.
        this.cancelIdle = this.timer(this.idleMs, () => {
          this.cancelIdle = null;
          return this.shut();
        });
        await this.closeLeftPages(browser);
      },
    };
  }

  /** A run process killed mid-print leaves its page open (a clean one closes it): with no run left, close them. */
  private async closeLeftPages(browser: Browser | null): Promise<void> {
    if (!browser?.connected) return;
    const pages = await browser.pages().catch(() => []);
    if (this.users > 0) return;
    const keep = new Set(this.initial.get(browser));
    const spare = this.spare?.browser === browser ? await this.spare.page : null;
    if (spare) keep.add(spare.target());
    await Promise.all(pages.filter((p) => !keep.has(p.target())).map((p) => p.close().catch(() => undefined)));
  }

  private takePage(browser: Browser): OpeningPage {
    const taken = this.spare?.browser === browser ? this.spare : openPage(browser);
    this.spare = null;
    return taken;
  }

  private started(): Promise<Browser> {
    if (!this.browser) {
      const starting = launchBrowser({ shared: true }).then(async (b) => {
        this.initial.set(b, new Set((await b.pages()).map((p) => p.target())));
        return b;
      });
      this.browser = starting;
      const forget = () => {
        if (this.browser === starting) this.browser = null;
      };
      starting.then((b) => b.once('disconnected', forget), forget);
    }
    return this.browser;
  }

  private stopIdle(): void {
    this.cancelIdle?.();
    this.cancelIdle = null;
  }

  /** Closes the browser (runs that need one later start it again). */
  async shut(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    this.spare = null;
    await (await browser?.catch(() => null))?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.stopIdle();
    await this.shut();
  }
}

function openPage(browser: Browser): OpeningPage {
  const url = `about:blank#quire-run-${randomUUID()}`;
  const page = browser
    .newPage()
    .then(async (p) => {
      await p.goto(url);
      return p;
    })
    .catch(() => null); // the run's process opens its own
  return { browser, url, page };
}

/** The warm browser of an engine state (one per scheduler). */
export const WARM_BROWSER: StateKey<WarmBrowser> = {
  name: 'warm browser',
  create: () => new WarmBrowser(),
  close: (w) => w.close(),
};
