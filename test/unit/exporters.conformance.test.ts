/**
 * Every registered exporter (engine/export/index.ts) passes the same checks on a small real run
 * (real DuckDB; real Chromium for the PDF): it writes its file, a valid document of its kind; a
 * failed export leaves an earlier report whole; it releases what it started and leaves a
 * caller's browser open. A new format needs a validity check in VALID below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runNotebook } from '../../engine/exec/run.js';
import { EXPORTERS, type Exporter } from '../../engine/export/index.js';
import { storedReport } from '../../engine/export/stored.js';
import { ExportError, writeExports } from '../../engine/export/write.js';
import type { ReportModel } from '../../engine/report/model.js';
import type { TableValue } from '../../engine/outputs.js';
import { PdfRenderer } from '../../engine/report/pdf/index.js';
import type { RunManifest } from '../../engine/runs/runs.js';
import { fixtureProject } from '../helpers/cli.js';
import { pdfText } from '../helpers/pdf.js';

const TITLE = 'Small report';

/** Whether a written file is a valid document of its kind, showing the report's title. */
const VALID: Record<string, (path: string) => Promise<void>> = {
  html: async (path) => {
    const html = readFileSync(path, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<title>${TITLE}</title>`);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  },
  pdf: async (path) => {
    expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfText(path)).toContain(TITLE);
  },
  xlsx: async (path) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const summary = wb.getWorksheet('Summary');
    expect(summary).toBeDefined();
    const texts: string[] = [];
    summary!.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
    expect(texts).toContain(TITLE);
  },
};

/** Chromium processes started by this process (puppeteer launches the browser as a child). */
function browserChildren(): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((line) => /chrom/i.test(line))
    .map((line) => line.trim());
}

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/**
 * The model with the rows of its tables unreadable: every renderer fails partway through (the
 * Excel writer after it has begun its workbook), as a full disk or a bad value would.
 */
function unreadableRows(model: ReportModel): ReportModel {
  const poisoned = (row: TableValue[]) =>
    new Proxy(row, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('this row cannot be read');
        return Reflect.get(target, key, receiver);
      },
    });
  return {
    ...model,
    cells: model.cells.map((c) => (c.output?.kind === 'table' ? { ...c, output: { ...c.output, rows: c.output.rows.map(poisoned) } } : c)),
  };
}

let runDir: string;
let manifest: RunManifest;
let shared: PdfRenderer;
const report = () => storedReport(runDir, manifest);
const freshDir = () => mkdtempSync(join(tmpdir(), 'quire-export-'));

beforeAll(async () => {
  const project = fixtureProject('exporters');
  const result = await runNotebook(join(project, 'notebook.yaml'), { exports: ['html'], cache: 'off' });
  expect(result.manifest.status).toBe('succeeded');
  runDir = result.dir;
  manifest = result.manifest;
  shared = await PdfRenderer.launch();
  // The probe sees browsers (else the checks that none is left could not fail).
  expect(browserChildren()).toHaveLength(1);
});

afterAll(async () => {
  await shared?.close();
});

it('the registry holds html, pdf and xlsx, each format and file once', () => {
  expect(EXPORTERS.map((e) => e.format)).toEqual(['html', 'pdf', 'xlsx']);
  expect(new Set(EXPORTERS.map((e) => e.file)).size).toBe(EXPORTERS.length);
});

describe.each(EXPORTERS.map((e) => [e.format, e] as [string, Exporter]))('exporter %s', (format, exporter) => {
  it('writes its file into the run folder, a valid document of its kind', async () => {
    const valid = VALID[format];
    expect(valid, `a validity check for '${format}' in VALID`).toBeDefined();
    const dir = freshDir();
    const { model, tables } = report();
    const written = await writeExports(model, dir, [format], { tables });
    expect(written).toEqual({ [format]: exporter.file });
    expect(exporter.file.endsWith(`.${format}`)).toBe(true);
    await valid!(join(dir, exporter.file));
    expect(tempFiles(dir)).toEqual([]);
  });

  it('a failed export leaves the report written before whole, and no temp file', async () => {
    const dir = freshDir();
    const good = Buffer.from(`an earlier ${format} report`);
    writeFileSync(join(dir, exporter.file), good);
    const children = browserChildren();
    const err = await writeExports(unreadableRows(report().model), dir, [format]).catch((e) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).written).toEqual({});
    expect((err as ExportError).failures.map((f) => f.format)).toEqual([format]);
    expect(readFileSync(join(dir, exporter.file))).toEqual(good);
    expect(tempFiles(dir)).toEqual([]);
    expect(browserChildren()).toEqual(children);
  });

  it('releases what it started (no browser left running)', async () => {
    const children = browserChildren();
    const { model, tables } = report();
    await writeExports(model, freshDir(), [format], { tables });
    expect(browserChildren()).toEqual(children);
  });

  it('uses a browser its caller shares and leaves it open for the next report', async () => {
    const children = browserChildren();
    const { model, tables } = report();
    await writeExports(model, freshDir(), [format], { tables, pdf: shared });
    expect(browserChildren()).toEqual(children);
    // Still usable: its owner closes it, not the exporter.
    const bytes = await shared.render({ ...model, cells: model.cells.filter((c) => c.output?.kind !== 'chart') });
    expect(Buffer.from(bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
