import { PdfRenderer } from '../report/pdf/index.js';
import type { Logger } from '../util/log.js';

/** Where the browser of a lease comes from besides starting its own. */
export interface BrowserSource {
  /** A renderer shared by a batch in this process: the caller closes it. */
  renderer?: PdfRenderer;
  /** The websocket endpoint of a browser another process keeps warm (the scheduler's): joined, then left. */
  endpoint?: string;
  /** The URL of a blank page that browser opened for us. */
  page?: string;
  logger?: Logger;
}

/**
 * The browser of one writeExports call: the caller's shared one when given (a batch, a long-lived
 * process: they close it), else the warm browser of the endpoint (left running when released),
 * else one started on first use and closed by `release`.
 */
export class BrowserLease {
  private own: Promise<PdfRenderer> | null = null;

  constructor(private readonly source: BrowserSource = {}) {}

  get(): Promise<PdfRenderer> {
    if (this.source.renderer) return Promise.resolve(this.source.renderer);
    if (!this.own) {
      // A failed start is not kept: the next exporter that needs it tries again and reports why.
      const started = this.start();
      this.own = started;
      started.catch(() => {
        if (this.own === started) this.own = null;
      });
    }
    return this.own;
  }

  private async start(): Promise<PdfRenderer> {
    const { endpoint, page, logger } = this.source;
    if (endpoint) {
      try {
        const joined = await PdfRenderer.connect(endpoint, page);
        logger?.log('info', 'pdf: printing in the shared browser');
        return joined;
      } catch (err) {
        // The warm browser died: this export starts its own; its owner starts a new one next time.
        logger?.log('warn', `the shared browser is gone (${(err as Error).message.split('\n')[0]}); starting one for this report`);
      }
    }
    return PdfRenderer.launch();
  }

  /** Starts the browser now, for an exporter that will need it; a failed start is reported to that exporter. */
  warm(): void {
    this.get().catch(() => undefined);
  }

  async release(): Promise<void> {
    const own = this.own;
    this.own = null;
    const renderer = await own?.catch(() => null);
    await renderer?.close();
  }
}
