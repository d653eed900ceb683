/**
 * Pictures of a template's report: the first page of report.pdf as PNG, for the gallery page
 * (`quire templates gallery`) and the server's template cards.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OperationalError } from '../util/errors.js';
import type { EngineState } from '../util/state.js';
import type { PdfRenderer } from '../report/pdf/index.js';
import { launchBrowser } from '../report/pdf/browser.js';
import { runNotebook } from '../exec/run.js';
import { stageProject } from './stage.js';
import { useTemplate } from './use.js';

const run = promisify(execFile);

/** Which program pictures PDF pages: poppler's pdftoppm when installed, else Chromium. */
export async function hasPdftoppm(): Promise<boolean> {
  try {
    await run('pdftoppm', ['-v']);
    return true;
  } catch {
    return false;
  }
}

export async function pdfPages(pdf: string): Promise<number | null> {
  try {
    const { stdout } = await run('pdfinfo', [pdf]);
    const m = /^Pages:\s+(\d+)/m.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Shown width of a page picture; the picture has twice the pixels, so small print stays legible. */
export const THUMB_WIDTH = 440;

/** The first page of `pdf` as PNG, about 1,000 px wide (shown at 440 px: 2× resolution). */
export async function firstPageWithPdftoppm(pdf: string, dir: string): Promise<Buffer> {
  const base = join(dir, 'page1');
  await run('pdftoppm', ['-png', '-r', '120', '-f', '1', '-l', '1', '-singlefile', pdf, base]);
  return readFileSync(`${base}.png`);
}

/** Without poppler: Chromium screenshots the top of the print HTML, one A4 page tall. */
export async function firstPageWithChromium(html: string): Promise<Buffer> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 794, height: 1123, deviceScaleFactor: (2 * THUMB_WIDTH) / 794 });
    await page.emulateMediaType('print');
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    // The page margins of the PDF, which a screenshot of the HTML lacks.
    await page.addStyleTag({ content: 'body { padding: 14mm 13mm !important; }' });
    return Buffer.from(await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 794, height: 1123 } }));
  } finally {
    await browser.close();
  }
}

export interface TemplatePictureOptions {
  /** The warehouse to run the template on (a project's `database:`). */
  database: string;
  pdf?: PdfRenderer;
  state?: EngineState;
  now?: () => Date;
}

/**
 * Runs a template with its defaults in a throwaway project on `database` (used as a user would)
 * and pictures its report's first page. A failed run is an OperationalError saying which cell.
 */
export async function templatePicture(name: string, opts: TemplatePictureOptions): Promise<Buffer> {
  const stage = mkdtempSync(join(tmpdir(), 'quire-picture-'));
  try {
    stageProject(stage, opts.database);
    const used = await useTemplate({ name, cwd: stage, target: join('notebooks', `${name}.yaml`) });
    const result = await runNotebook(used.notebook, {
      exports: ['pdf', 'html'],
      pdf: opts.pdf,
      state: opts.state,
      now: opts.now,
      cache: 'off',
      trigger: { kind: 'cli', schedule: null, scheduled_for: null },
    });
    const file = result.manifest.exports.pdf;
    if (result.manifest.status !== 'succeeded' || !file) {
      const failed = result.manifest.cells.find((c) => c.status === 'failed');
      const why = result.manifest.error ?? (failed ? `cell ${failed.id}: ${failed.error?.message}` : `run ${result.manifest.status}`);
      throw new OperationalError('E_TEMPLATE_PICTURE', `template ${name} did not run on ${opts.database}: ${why}`, {
        hint: 'the picture shows the template run on the project database with its defaults; `quire templates gallery` shows the same run',
      });
    }
    const pdfPath = join(result.dir, file);
    return (await hasPdftoppm()) ? await firstPageWithPdftoppm(pdfPath, result.dir) : await firstPageWithChromium(join(result.dir, result.manifest.exports.html!));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
