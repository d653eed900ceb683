import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, quire } from '../helpers/cli.js';
import { pdfInfo, pdfText } from '../helpers/pdf.js';
import { PdfRenderer } from '../../engine/report/pdf/index.js';
import { writeExports, ExportError } from '../../engine/export/write.js';
import type { ReportModel } from '../../engine/report/model.js';

/** Chromium draws CJK text only with a CJK font installed (e.g. apt-get install fonts-droid-fallback). */
const cjkFont = (() => {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
})();
const unicode = (s: string) => (cjkFont ? s : s.replace(/ ?東京/g, ''));

function runAll(fixture: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = fixtureProject(fixture);
  const r = quire(['run', 'notebook.yaml', '--json', ...args], dir, env);
  const m = JSON.parse(r.stdout);
  return { r, m, runDir: m.dir as string, dir };
}

function model(cells: ReportModel['cells']): ReportModel {
  return {
    title: 'Broken charts',
    notebook: { id: 'nb', path: 'nb.yaml', sha256: 'a'.repeat(64) },
    params: {},
    run: { id: 'run-1', status: 'succeeded', startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z', durationMs: 1000 },
    cells,
  };
}

describe('report.pdf', () => {
  let run: ReturnType<typeof runAll>;
  beforeAll(() => {
    run = runAll('visualization', ['--export', 'html,pdf,xlsx']);
  });

  it('is written beside the HTML and Excel, and run.json lists all three', () => {
    expect(run.r.code).toBe(0);
    expect(run.m.status).toBe('succeeded');
    expect(run.m.exports).toEqual({ html: 'report.html', pdf: 'report.pdf', xlsx: 'report.xlsx' });
    expect(readFileSync(join(run.runDir, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readdirSync(run.runDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('has page numbers and a footer with title, run date and the provenance line', () => {
    const pages = Number(pdfInfo(join(run.runDir, 'report.pdf')).Pages);
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(join(run.runDir, 'report.pdf'), true).replace(/\s+/g, ' ');
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`);
    expect(text).toContain(`run ${run.m.id} · notebook notebook@`);
    const params = unicode('month=2025-06 label=<img src=x onerror=alert(1)> Zürich 東京 · data as of ');
    expect(text).toContain(params);
    expect(text.slice(text.indexOf(params))).toMatch(/^[^·]+ · data as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · fingerprint [0-9a-f]{12}/);
  });

  it('shows hostile strings in data, titles and params as text', () => {
    const text = pdfText(join(run.runDir, 'report.pdf'), true).replace(/\s+/g, ' ');
    expect(text).toContain("Charts <script>alert('title')</script> & “quotes”");
    expect(text).toContain(unicode('Revenue by region — <img src=x onerror=alert(1)> Zürich 東京'));
    expect(text).toContain('<script>alert("eu")</script>');
    expect(text).toContain('Regions <b>bold</b>');
  });

  it('draws every chart statically: axis labels, the Plotly bar, KPI cards, the cap note', () => {
    const text = pdfText(join(run.runDir, 'report.pdf'));
    expect(text).toContain('Revenue by region');
    expect(text).toMatch(/Jun \d+/); // time axis labels, in UTC
    expect(text).toContain('Orders'); // the Plotly figure's title, drawn by Plotly in the page
    expect(text).toContain('vs May 2025'); // KPI change
    expect(text).toContain('Showing 5,000 of 20,000 rows (1 in every 4)');
    expect(pdfInfo(join(run.runDir, 'report.pdf'))['Page size']).toContain('(A4)');
  });

  it('--paper letter prints on Letter', () => {
    const small = runAll('report-small', ['--export', 'pdf', '--paper', 'letter']);
    expect(small.r.code).toBe(0);
    expect(pdfInfo(join(small.runDir, 'report.pdf'))['Page size']).toBe('612 x 792 pts (letter)');
  });

  it('a missing Chromium is a clear error naming the install command; HTML and Excel are still written, and say the run failed', async () => {
    const { r, m, runDir } = runAll('report-small', ['--export', 'html,pdf,xlsx'], { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium' });
    expect(r.code).toBe(1);
    expect(m.status).toBe('failed');
    expect(m.error).toContain('report.pdf could not be written: Chromium not found at PUPPETEER_EXECUTABLE_PATH=/nonexistent/chromium');
    expect(m.error).toContain('apt-get install -y chromium');
    expect(m.exports).toEqual({ html: 'report.html', xlsx: 'report.xlsx' });
    expect(existsSync(join(runDir, 'report.pdf'))).toBe(false);
    expect(existsSync(join(runDir, 'report.xlsx'))).toBe(true);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('class="banner banner-failed"');
    expect(html).toContain('Chromium not found');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(runDir, 'report.xlsx'));
    const cells: string[] = [];
    wb.getWorksheet('Summary')!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells[cells.indexOf('Status') + 1]).toMatch(/^failed — report\.pdf could not be written: Chromium not found/);
    const human = quire(['run', 'notebook.yaml', '--export', 'pdf'], fixtureProject('report-small'), { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium' });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('apt-get install -y chromium');
  });
});

describe('PdfRenderer', () => {
  let pdf: PdfRenderer;
  beforeAll(async () => {
    pdf = await PdfRenderer.launch();
  });
  afterAll(async () => {
    await pdf.close();
  });

  it('fails loudly when a chart did not draw in the page (never a PDF with a blank chart)', async () => {
    const broken = model([
      { id: 'ok', type: 'query', status: 'succeeded', output: { kind: 'table', columns: [{ name: 'x', type: 'INTEGER' }], rows: [[1]], rowCount: 1 } },
      {
        id: 'blank',
        type: 'visualization',
        status: 'succeeded',
        output: {
          kind: 'chart',
          engine: 'vega-lite',
          chart: 'bar',
          data: 'ok',
          spec: {},
          points: 1,
          totalRows: 1,
          rendered: { svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>' },
        },
      },
    ]);
    const err = await pdf.render(broken).catch((e) => e);
    expect(err.code).toBe('E_PDF_CHART');
    expect(err.message).toContain('1 chart failed to render, so no PDF was written — blank: the chart SVG is missing or empty');
  });

  it('a chart that cannot be drawn fails the PDF export; the HTML shows the error in its place', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'quire-pdf-'));
    const bad = model([
      { id: 'd', type: 'query', status: 'succeeded', output: { kind: 'table', columns: [{ name: 'x', type: 'INTEGER' }], rows: [[1]], rowCount: 1 } },
      {
        id: 'c',
        type: 'visualization',
        title: 'Uses an unknown function',
        status: 'succeeded',
        output: {
          kind: 'chart',
          engine: 'vega-lite',
          chart: 'vega_lite',
          data: 'd',
          points: 1,
          totalRows: 1,
          spec: { data: { values: [{ x: 1 }] }, transform: [{ calculate: 'nosuchfunction(datum.x)', as: 'y' }], mark: 'bar', encoding: { x: { field: 'y', type: 'quantitative' } } },
        },
      },
    ]);
    const err = await writeExports(bad, dir, ['html', 'pdf'], { pdf }).catch((e) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect(err.message).toMatch(/^report\.pdf could not be written: 1 chart failed to render, so no PDF was written — c: .*nosuchfunction/);
    expect(err.written).toEqual({ html: 'report.html' });
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Chart not drawn');
    expect(html).toContain('class="banner banner-failed"');
  });

  it('reuses one browser for a batch of reports', async () => {
    const ok = model([{ id: 't', type: 'text', status: 'succeeded', output: { kind: 'text', html: '<p>hello</p>' } }]);
    const pdfs = await Promise.all([pdf.render(ok), pdf.render(ok), pdf.render({ ...ok, title: 'Third' })]);
    for (const bytes of pdfs) expect(Buffer.from(bytes).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
