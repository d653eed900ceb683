import { relative } from 'node:path';
import { loadNotebook } from '../notebooks.js';
import { parseCliParams } from '../params/index.js';
import type { ExportFormat } from '../export/index.js';
import type { PaperSize } from '../report/pdf/index.js';
import { parseSweeps, runSweep, type BatchMember } from '../exec/sweep.js';
import { bold, dim, green, red, yellow } from './progress.js';
import { countOf } from '../report/html/numbers.js';

const colour = (s: string) => (s === 'succeeded' ? green : s === 'partial' ? yellow : red);
const show = (p: string) => {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};
const label = (m: BatchMember) =>
  Object.entries(m.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** `quire run <nb> --sweep name=a,b ...`: one run per combination, a batch summary at the end. Exit 1 if any run failed. */
export async function runSweepCommand(
  file: string,
  opts: { param: string[]; sweep: string[]; json?: boolean; runsDir?: string; concurrency: number; export?: ExportFormat[]; paper: PaperSize; cache: boolean },
): Promise<void> {
  const nb = loadNotebook(file);
  const axes = parseSweeps(opts.sweep);
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (!opts.json) process.stderr.write(`sweep: ${countOf(total, 'run')} of ${nb.displayPath}, ${Math.max(1, opts.concurrency || 1)} at a time\n`);
  const { summary, path } = await runSweep(nb, {
    axes,
    base: parseCliParams(opts.param),
    concurrency: Math.max(1, opts.concurrency || 1),
    run: { runsDir: opts.runsDir, exports: opts.export, paper: opts.paper, cache: opts.cache ? 'use' : 'refresh' },
    onMember: (m) => !opts.json && process.stderr.write(`${colour(m.status)(m.status.padEnd(9))} ${label(m)}  ${dim(`${m.duration_ms} ms`)}${m.error ? `  ${red(m.error)}` : ''}\n`),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary, summary: path }, null, 2)}\n`);
  else {
    process.stdout.write(`${bold(`sweep of ${countOf(summary.members.length, 'run')}`)}: ${colour(summary.status)(summary.status)}\n`);
    for (const m of summary.members) {
      process.stdout.write(`  ${colour(m.status)(m.status.padEnd(9))} ${label(m).padEnd(30)} ${m.run_id ?? '-'}${m.dir ? `  ${dim(show(m.dir))}` : ''}\n`);
    }
    process.stdout.write(`batch summary: ${show(path)}\n`);
  }
  process.exitCode = summary.status === 'failed' ? 1 : summary.status === 'partial' ? 3 : 0;
}
