/**
 * Before printing: every chart of the print page drawn, or a clear error naming the ones that are
 * not. The page's runtime script sets `window.__quireCharts` as soon as it runs (it is inline, so
 * it has run by the `load` event) and marks it done when every chart is drawn or failed. When it
 * did not run — no runtime on the page, or the CSP refused it — nothing will ever come: fail at
 * once rather than wait out the timeout.
 */
import type { Page } from 'puppeteer';
import { OperationalError } from '../../util/errors.js';

interface ChartSignal {
  done: boolean;
  failed: { index: number; cell: string | null; error: string }[];
}

/** The cells (ids) of the figures that want a drawing and have none yet; `chart #n` when outside a cell. */
function undrawnCharts(): string[] {
  const figs = Array.from(document.querySelectorAll('figure.chart'));
  return figs.flatMap((fig, i) => {
    if (fig.classList.contains('chart-empty') || fig.getAttribute('data-failed') === 'true') return [];
    const svg = fig.querySelector('.chart-canvas svg');
    if (svg && svg.getBoundingClientRect().width > 0 && svg.querySelector('path,rect,circle,line,text')) return [];
    const id = fig.closest('section')?.id;
    return [id ? id.replace(/^cell-/, '') : `chart #${i + 1}`];
  });
}

const names = (cells: string[]) => cells.map((c) => `'${c}'`).join(', ');

/** Chromium's messages about the page's Content-Security-Policy, for the error. */
const cspNote = (messages: string[]) => {
  const csp = messages.filter((m) => /Content Security Policy/i.test(m));
  return csp.length ? ` (Chromium refused part of the page: ${csp[0]!.slice(0, 200)})` : '';
};

/**
 * Waits for the page's charts; throws E_PDF_CHART naming the cells whose charts failed or never
 * drew. `console` holds the page's console messages so far (CSP refusals explain a silent page).
 */
export async function chartsReady(page: Page, timeout: number, console: string[]): Promise<void> {
  const started = await page.evaluate(() => typeof (window as { __quireCharts?: unknown }).__quireCharts === 'object');
  if (!started) {
    const waiting = await page.evaluate(undrawnCharts);
    if (!waiting.length) return; // only empty or already failed charts: nothing to draw
    throw new OperationalError(
      'E_PDF_CHART',
      `the report's chart script did not run, so the chart${waiting.length === 1 ? '' : 's'} of ${names(waiting)} would print blank; no PDF was written${cspNote(console)}`,
      { hint: 'this is a bug in Quire: report it with the run folder; export html/xlsx meanwhile' },
    );
  }
  try {
    await page.waitForFunction('window.__quireCharts.done === true', { timeout, polling: 25 });
  } catch (err) {
    const waiting = await page.evaluate(undrawnCharts).catch(() => [] as string[]);
    throw new OperationalError('E_PDF_CHART', `charts not drawn after ${Math.round(timeout / 1000)} s${waiting.length ? `: ${names(waiting)}` : ''}; no PDF was written${cspNote(console)}`, {
      hint: 'simplify or shrink the chart (fewer points), or export html/xlsx only',
      cause: err,
    });
  }
  const signal = (await page.evaluate('window.__quireCharts')) as ChartSignal;
  if (signal.failed.length) {
    const list = signal.failed.map((f) => `${f.cell ? f.cell.replace(/^cell-/, '') : `chart #${f.index + 1}`}: ${f.error}`).join('; ');
    throw new OperationalError('E_PDF_CHART', `${signal.failed.length} chart${signal.failed.length === 1 ? '' : 's'} failed to render, so no PDF was written — ${list}`, {
      hint: 'fix the chart (see the run log), or export html/xlsx only',
    });
  }
}
