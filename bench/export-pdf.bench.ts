// Issue 19, row 4: `quire export <demo run> --format pdf` vs a plain `chromium --headless
// --print-to-pdf` of the same report.html (goal ≤ 1.0×), and the PDF of a long-lived process that
// keeps one browser warm (goal ≤ 0.6 s a report).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeExports } from '../engine/export/write.js';
import { storedReport } from '../engine/export/stored.js';
import { PdfRenderer } from '../engine/report/pdf/index.js';
import { WarmBrowser } from '../engine/export/warm-browser.js';
import { CHARTS_DIR, diskChartMemo } from '../engine/report/charts/memo.js';
import { CACHE_DIR } from '../engine/cache/dir.js';
import type { RunManifest } from '../engine/runs/runs.js';
import { demoRun, fmt, quire, sample, spawnTime, verdict } from './cli-util.js';
import { median, ms, ratio } from './util.js';

const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';

export async function run(): Promise<string[]> {
  const { dir, runId, runDir } = await demoRun();
  const plainOut = join(dir, 'plain.pdf');
  const plain = sample(5, () =>
    spawnTime(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${plainOut}`, `file://${join(runDir, 'report.html')}`], dir),
  );
  const cli = sample(5, quire(['export', runId, '--format', 'pdf'], dir));

  // A long-lived process (scheduler, sweep): one warm browser, a report at a time, charts from the
  // runs folder's chart cache as a run uses it.
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunManifest;
  const { model, tables } = storedReport(runDir, manifest);
  const charts = diskChartMemo(join(dir, 'runs', CACHE_DIR, CHARTS_DIR));
  const pdf = await PdfRenderer.launch();
  const warm: number[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      rmSync(join(runDir, 'report.pdf'), { force: true });
      const t0 = performance.now();
      await writeExports(model, runDir, ['pdf'], { tables, pdf, charts });
      warm.push(performance.now() - t0);
    }
  } finally {
    await pdf.close();
  }
  // The scheduler: its warm browser, joined over the websocket by each run's process, a lease per
  // run (the page the lease opened ahead, the print, disconnect).
  const shared = new WarmBrowser();
  const joined: number[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const lease = await shared.lease();
      rmSync(join(runDir, 'report.pdf'), { force: true });
      const t0 = performance.now();
      await writeExports(model, runDir, ['pdf'], { tables, charts, browserEndpoint: lease.endpoint ?? undefined, browserPage: lease.page ?? undefined });
      joined.push(performance.now() - t0);
      await lease.release();
    }
  } finally {
    await shared.close();
  }
  const w = median(warm.slice(1));
  const j = median(joined.slice(1));
  return [
    `quire export <demo run> --format pdf: ${fmt(cli)} median (min–max) of 5; plain chromium --print-to-pdf of its report.html: ${fmt(plain)} → ${ratio(cli.median, plain.median)} (goal ≤ 1.0×: ${verdict(cli.median, plain.median)})`,
    `  with a warm browser (long-lived process): ${ms(w)} a report, median of 7 (${ms(Math.min(...warm.slice(1)))}–${ms(Math.max(...warm.slice(1)))}) (goal ≤ 600 ms: ${verdict(w, 600)})`,
    `  joining the scheduler's warm browser (a run process's PDF): ${ms(j)} a report, median of 7 (${ms(Math.min(...joined.slice(1)))}–${ms(Math.max(...joined.slice(1)))}) (goal ≤ 600 ms: ${verdict(j, 600)})`,
  ];
}
