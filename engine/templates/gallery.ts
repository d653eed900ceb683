/**
 * `quire templates gallery`: runs every template with its defaults on the demo warehouse in a
 * throwaway project (staged by `use`, as a user would), keeps each report (`<name>/report.html`
 * and `.pdf` next to the index), pictures the first page of each report.pdf, and writes
 * `index.html` — pictures inlined as data: URIs, no script, no network — with a card per template
 * that opens its report.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { loadProject, projectPath } from '../project.js';
import { PdfRenderer } from '../report/pdf/index.js';
import { runNotebook } from '../exec/run.js';
import { escapeHtml } from '../text/escape.js';
import { loadTemplate, paramDefaultText, templateNames, templatesDir, type Template } from './catalog.js';
import { firstPageWithChromium, firstPageWithPdftoppm, hasPdftoppm, pdfPages, THUMB_WIDTH } from './picture.js';
import { stageProject } from './stage.js';
import { useTemplate } from './use.js';

export interface GalleryOptions {
  out: string;
  /** The demo warehouse; default the project's `database:`. */
  database?: string;
  only?: string[];
  cwd?: string;
  onProgress?: (msg: string) => void;
}

export interface GalleryCard {
  template: Template;
  /** PNG of the report's first page. */
  png: Buffer | null;
  pages: number | null;
  /** The kept report, relative to the gallery folder (`<name>/report.html`, `.pdf`). */
  reports: { html: string | null; pdf: string | null };
  error: string | null;
  ms: number;
}

export interface GalleryResult {
  index: string;
  cards: number;
  failed: string[];
}

/** Copies a run's report.html and report.pdf into `<outDir>/<name>/`; paths relative to `outDir`. */
function keepReports(outDir: string, name: string, runDir: string, exports: Record<string, string>): GalleryCard['reports'] {
  const dir = join(outDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const kept: GalleryCard['reports'] = { html: null, pdf: null };
  for (const format of ['html', 'pdf'] as const) {
    const file = exports[format];
    if (!file) continue;
    copyFileSync(join(runDir, file), join(dir, `report.${format}`));
    kept[format] = `${encodeURIComponent(name)}/report.${format}`;
  }
  return kept;
}

function card(c: GalleryCard): string {
  const t = c.template;
  const open = c.reports.html ?? c.reports.pdf;
  const img = c.png ? `<img src="data:image/png;base64,${c.png.toString('base64')}" alt="First page of the ${escapeHtml(t.title)} report" width="${THUMB_WIDTH}">` : '';
  const picture = c.png
    ? open
      ? `<a href="${escapeHtml(open)}" title="Open the full report">${img}</a>`
      : img
    : `<div class="failed">The report could not be made: ${escapeHtml(c.error ?? 'unknown error')}</div>`;
  const links = [c.reports.html ? `<a href="${escapeHtml(c.reports.html)}">HTML</a>` : '', c.reports.pdf ? `<a href="${escapeHtml(c.reports.pdf)}">PDF</a>` : ''].filter(Boolean);
  const params = t.params.length
    ? `<ul class="params">${t.params.map((p) => `<li><code>${escapeHtml(paramDefaultText(p))}</code>${p.description ? ` <span>${escapeHtml(p.description)}</span>` : ''}</li>`).join('')}</ul>`
    : '<p class="muted">No params</p>';
  return `<article class="card" id="${escapeHtml(t.name)}">
<div class="thumb">${picture}</div>
<div class="body">
<h2>${escapeHtml(t.title)}</h2>
<p class="desc">${escapeHtml(t.description)}</p>
${links.length ? `<p class="open">Open the full report: ${links.join(' · ')}</p>` : ''}
<p class="tags">${t.tags.map((g) => `<span>${escapeHtml(g)}</span>`).join(' ')}${c.pages ? ` <span class="pages">${c.pages} page${c.pages === 1 ? '' : 's'}</span>` : ''}</p>
<h3>Params</h3>
${params}
<h3>Use it</h3>
<pre><code>quire templates use ${escapeHtml(t.name)}
quire run notebooks/${escapeHtml(t.name)}.yaml</code></pre>
</div>
</article>`;
}

const STYLE = `
:root { --fg: #1d2433; --muted: #667085; --border: #e4e7ec; --bg: #f6f7f9; --accent: #3056d3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 36px 40px 8px; max-width: 1400px; margin: 0 auto; }
header h1 { margin: 0 0 6px; font-size: 30px; }
header p { margin: 0; color: var(--muted); }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 24px; padding: 24px 40px 48px; max-width: 1400px; margin: 0 auto; }
.card { background: #fff; border: 1px solid var(--border); border-radius: 14px; overflow: hidden; display: flex; flex-direction: column; }
.thumb { background: #eef0f4; border-bottom: 1px solid var(--border); display: flex; justify-content: center; padding: 16px 0; }
.thumb a { display: block; line-height: 0; }
.thumb img { width: 440px; height: auto; box-shadow: 0 2px 10px rgba(16, 24, 40, 0.18); background: #fff; }
.failed { padding: 24px; color: #b42318; }
.body { padding: 16px 20px 20px; }
h2 { margin: 0 0 4px; font-size: 19px; }
h3 { margin: 14px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.desc { margin: 0; }
.open { margin: 8px 0 0; font-size: 14px; }
a { color: var(--accent); }
.tags { margin: 8px 0 0; }
.tags span { display: inline-block; font-size: 12px; padding: 1px 8px; margin: 0 4px 4px 0; border-radius: 999px; background: #eef2ff; color: var(--accent); }
.tags span.pages { background: #f2f4f7; color: var(--muted); }
.params { margin: 0; padding-left: 18px; font-size: 13.5px; }
.params span { color: var(--muted); }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; padding: 10px 12px; background: #101828; color: #f2f4f7; border-radius: 8px; overflow-x: auto; }
.muted { color: var(--muted); }
`;

export function galleryHtml(cards: GalleryCard[], generatedAt: Date): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quire template gallery</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Quire template gallery</h1>
<p>${cards.length} ready notebooks for the reviews teams run. Each picture is the first page of the template's report (click it to open the whole report), run with its default params on the demo data (${escapeHtml(generatedAt.toISOString().slice(0, 10))}).</p>
</header>
<main>
${cards.map(card).join('\n')}
</main>
</body>
</html>
`;
}

/**
 * Builds the gallery; one template failing leaves a card saying so (and is listed in `failed`).
 *
 * @example
 *   const r = await buildGallery({ out: 'gallery' });
 *   console.log(r.index);
 */
export async function buildGallery(opts: GalleryOptions): Promise<GalleryResult> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const progress = opts.onProgress ?? (() => {});
  const project = loadProject(cwd);
  const database = opts.database ? resolve(cwd, opts.database) : projectPath(project, project.config.database);
  if (database === ':memory:' || !existsSync(database)) {
    throw new UserError('E_GALLERY_DATABASE', database === ':memory:' ? 'the project has no database to run the templates on' : `database file not found: ${database}`, {
      hint: 'build the demo warehouse with `quire demo-data` (in a project whose quire.yaml says database: data/warehouse.duckdb), or pass --database <file>',
    });
  }
  const names = opts.only ?? templateNames(templatesDir());
  const templates = names.map((n) => loadTemplate(n));
  const outDir = resolve(cwd, opts.out);
  mkdirSync(outDir, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'quire-gallery-'));
  const cards: GalleryCard[] = [];
  const pdf = await PdfRenderer.launch();
  try {
    stageProject(stage, database);
    const poppler = await hasPdftoppm();
    for (const t of templates) {
      const t0 = performance.now();
      progress(`${t.name}: running`);
      try {
        const used = await useTemplate({ name: t.name, cwd: stage, target: join('notebooks', `${t.name}.yaml`) });
        const result = await runNotebook(used.notebook, { exports: ['pdf', 'html'], pdf, cache: 'off', trigger: { kind: 'cli', schedule: null, scheduled_for: null } });
        const file = result.manifest.exports.pdf;
        if (result.manifest.status !== 'succeeded' || !file) {
          const failedCell = result.manifest.cells.find((c) => c.status === 'failed');
          throw new Error(result.manifest.error ?? (failedCell ? `cell ${failedCell.id}: ${failedCell.error?.message}` : `run ${result.manifest.status}`));
        }
        const pdfPath = join(result.dir, file);
        const png = poppler ? await firstPageWithPdftoppm(pdfPath, result.dir) : await firstPageWithChromium(join(result.dir, result.manifest.exports.html!));
        const reports = keepReports(outDir, t.name, result.dir, result.manifest.exports);
        cards.push({ template: t, png, pages: await pdfPages(pdfPath), reports, error: null, ms: performance.now() - t0 });
        progress(`${t.name}: done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        const message = (err as Error).message.split('\n')[0];
        rmSync(join(outDir, t.name), { recursive: true, force: true }); // no stale report under a failed card
        cards.push({ template: t, png: null, pages: null, reports: { html: null, pdf: null }, error: message, ms: performance.now() - t0 });
        progress(`${t.name}: failed — ${message}`);
      }
    }
  } finally {
    await pdf.close();
    rmSync(stage, { recursive: true, force: true });
  }
  const index = join(outDir, 'index.html');
  writeFileAtomic(index, galleryHtml(cards, new Date()));
  return { index, cards: cards.length, failed: cards.filter((c) => c.error).map((c) => c.template.name) };
}
