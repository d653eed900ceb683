import { PdfRenderer } from '../report/pdf/index.js';

/**
 * The browser of one writeExports call: the caller's shared one when given (a batch, a long-lived
 * process: they close it), else one started on first use and closed by `release`.
 */
export class BrowserLease {
  private own: Promise<PdfRenderer> | null = null;

  constructor(private readonly shared?: PdfRenderer) {}

  get(): Promise<PdfRenderer> {
    if (this.shared) return Promise.resolve(this.shared);
    if (!this.own) {
      // A failed start is not kept: the next exporter that needs it tries again and reports why.
      const started = PdfRenderer.launch();
      this.own = started;
      started.catch(() => {
        if (this.own === started) this.own = null;
      });
    }
    return this.own;
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
