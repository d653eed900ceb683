// Issue 4 speed targets: the demo review's PDF (≤ 3 s incl. browser start), a batch of 20 PDFs
// (≤ 0.6 s each amortized, one browser), and XLSX of 1,000,000 rows (≤ 25 s, peak RSS ≤ 600 MB,
// against exceljs's non-streaming writer on the same rows, each measured in its own process).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook } from '../engine/index.js';
import { buildReportModel } from '../engine/report/build-model.js';
import { writeExports } from '../engine/export/write.js';
import type { ReportModel } from '../engine/report/model.js';
import { PdfRenderer } from '../engine/report/pdf/index.js';
import { loadStoredOutputs, outputsMap } from '../engine/runs/tables.js';
import type { RunManifest } from '../engine/runs/runs.js';
import { benchProject, median, ms, ratio, time } from './util.js';

const REPO = join(import.meta.dirname, '..');

function storedModel(dir: string): ReportModel {
  const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
  const stored = loadStoredOutputs(dir, manifest.id);
  return { ...buildReportModel(manifest, outputsMap(stored), stored.description ?? undefined), theme: 'light', data: stored.data };
}

/**
 * Runs bench/report-xlsx-child.ts in a fresh process; returns its JSON line (seconds, peak RSS).
 * The non-streaming writer needs far more than node's default heap for a million rows: it gets 16 GB.
 */
type ChildResult = { seconds: number; rssMb: number; rows: number; error?: string } | { error: string; rssMb?: number };

function child(mode: 'stream' | 'exceljs', runDir: string, out: string): ChildResult {
  const heap = mode === 'exceljs' ? ['--max-old-space-size=16384'] : [];
  const r = spawnSync(process.execPath, [...heap, '--import', 'tsx', join(REPO, 'bench', 'report-xlsx-child.ts'), mode, runDir, out], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: CHILD_TIMEOUT_MS,
  });
  const last = r.stdout
    ?.trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  const progress = last ? (JSON.parse(last) as { phase?: string; seconds: number; rssMb: number; rows: number }) : null;
  if (r.signal === 'SIGTERM') {
    const how = progress ? `; it had ${progress.phase} (${progress.rows.toLocaleString('en-US')} rows) after ${progress.seconds.toFixed(0)} s with peak RSS ${progress.rssMb.toFixed(0)} MB` : '';
    return { error: `did not finish within ${CHILD_TIMEOUT_MS / 60_000} min${how}`, rssMb: progress?.rssMb };
  }
  if (r.status !== 0) return { error: /heap out of memory/.test(r.stderr) ? 'ran out of memory' : `exited ${r.status}: ${r.stderr.split('\n')[0]}` };
  return JSON.parse(last!);
}

/** The non-streaming writer may take very long on a million rows: it is stopped after this. */
const CHILD_TIMEOUT_MS = 15 * 60_000;

/** REPORT_BENCH=pdf or =xlsx runs one part only (default: both). */
const parts = (process.env.REPORT_BENCH ?? 'pdf,xlsx').split(',');

export async function run(): Promise<string[]> {
  const out: string[] = [];
  if (parts.includes('pdf')) out.push(...(await pdfPart()));
  if (parts.includes('xlsx')) out.push(...(await xlsxPart()));
  return out;
}

async function pdfPart(): Promise<string[]> {
  const out: string[] = [];
  const dir = await benchProject(200_000);
  mkdirSync(join(dir, 'notebooks'), { recursive: true });
  copyFileSync(join(REPO, 'notebooks', 'monthly-review.yaml'), join(dir, 'notebooks', 'monthly-review.yaml'));
  const nb = join(dir, 'notebooks', 'monthly-review.yaml');

  // 1. The demo monthly review: one PDF, browser start included (a fresh browser each time).
  const demo = await runNotebook(nb, { params: { month: '2026-06' }, exports: ['html'] });
  const model = storedModel(demo.dir);
  const charts = model.cells.filter((c) => c.output?.kind === 'chart').length;
  const tables = model.cells.filter((c) => c.output?.kind === 'table').length;
  const singles: number[] = [];
  for (let i = 0; i < 3; i++) singles.push(await time(() => writeExports(model, demo.dir, ['pdf'])));
  out.push(`PDF of the demo monthly review (${charts} charts, ${tables} tables), browser start included: median ${ms(median(singles))} of 3 (goal ≤ 3000 ms)`);
  const cli = median(
    [0, 1, 2].map(() => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(REPO, 'bin', 'quire.js'), 'export', demo.manifest.id, '--format', 'pdf'], { cwd: dir, stdio: 'ignore' });
      if (r.status !== 0) throw new Error('quire export failed');
      return performance.now() - t0;
    }),
  );
  out.push(`  the same as \`quire export <run> --format pdf\`, process start to exit: ${ms(cli)}`);

  // 2. A batch of 20 parameterized runs, their PDFs through one browser.
  const months = Array.from({ length: 20 }, (_, i) => `20${25 + Math.floor((i + 4) / 12)}-${String(((i + 4) % 12) + 1).padStart(2, '0')}`);
  const runs = [];
  for (const [i, month] of months.entries()) runs.push(await runNotebook(nb, { params: { month, region: ['all', 'NA', 'EU', 'APAC', 'LATAM'][i % 5] }, exports: [] }));
  const models = runs.map((r) => storedModel(r.dir));
  const t0 = performance.now();
  const pdf = await PdfRenderer.launch();
  const launched = performance.now() - t0;
  try {
    for (const [i, m] of models.entries()) await writeExports(m, runs[i]!.dir, ['pdf'], { pdf });
  } finally {
    await pdf.close();
  }
  const batch = performance.now() - t0;
  out.push(`batch of 20 parameterized runs → 20 PDFs, one browser: ${ms(batch)} in all (browser start ${ms(launched)}) → ${ms(batch / 20)} each amortized (goal ≤ 600 ms)`);
  const inRun: number[] = [];
  const shared = await PdfRenderer.launch();
  try {
    for (const month of months.slice(0, 5)) {
      const full = await time(() => runNotebook(nb, { params: { month }, exports: ['pdf'], pdf: shared }));
      const bare = await time(() => runNotebook(nb, { params: { month }, exports: [] }));
      inRun.push(full - bare);
    }
  } finally {
    await shared.close();
  }
  out.push(`  PDF share of a whole \`runNotebook\` with a shared browser (run with pdf − run without): median ${ms(median(inRun))}`);

  return out;
}

async function xlsxPart(): Promise<string[]> {
  const out: string[] = [];
  // 3. XLSX of a 1,000,000-row table: streaming writer vs exceljs's non-streaming one, same rows.
  const big = await benchProject(1_000_000);
  writeFileSync(join(big, 'big.yaml'), 'title: Orders\ncells:\n  - id: orders_all\n    type: query\n    sql: SELECT * FROM orders\n');
  const bigRun = await runNotebook(join(big, 'big.yaml'), { exports: [] });
  const rows = bigRun.manifest.cells[0]!.rows;
  const cols = (storedModel(bigRun.dir).cells[0]!.output as { columns: unknown[] }).columns.length;
  const streamed = child('stream', bigRun.dir, join(big, 'streamed.xlsx'));
  if ('error' in streamed || !('seconds' in streamed)) throw new Error(`streaming XLSX writer failed: ${streamed.error}`);
  out.push(`XLSX of ${rows?.toLocaleString('en-US')} rows × ${cols} columns (orders): streaming ${streamed.seconds.toFixed(1)} s, peak RSS ${streamed.rssMb.toFixed(0)} MB (goals ≤ 25 s, ≤ 600 MB)`);
  const plain = child('exceljs', bigRun.dir, join(big, 'plain.xlsx'));
  out.push(
    !('seconds' in plain)
      ? `  exceljs non-streaming Workbook on the same rows: ${plain.error} (16 GB heap)${plain.rssMb ? ` → streaming peak RSS is at most ${ratio(streamed.rssMb, plain.rssMb)} of it` : ''}`
      : `  exceljs non-streaming Workbook on the same rows: ${plain.error ? `failed (${plain.error}) after ` : ''}${plain.seconds.toFixed(1)} s, peak RSS ${plain.rssMb.toFixed(0)} MB → streaming peak RSS is ${ratio(streamed.rssMb, plain.rssMb)} of it, time ${ratio(streamed.seconds, plain.seconds)}`,
  );
  return out;
}
