// Issue 5: a sweep of 12 runs with --concurrency 2 vs the same 12 one after the other.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadNotebook } from '../engine/index.js';
import { parseSweeps, runSweep } from '../engine/exec/sweep.js';
import { benchProject, ms, ratio, time } from './util.js';

const REPO = join(import.meta.dirname, '..');

export async function run(): Promise<string[]> {
  const dir = await benchProject(1_000_000);
  mkdirSync(join(dir, 'notebooks'));
  copyFileSync(join(REPO, 'notebooks', 'monthly-review.yaml'), join(dir, 'notebooks', 'monthly-review.yaml'));
  const nb = loadNotebook(join(dir, 'notebooks', 'monthly-review.yaml'));
  const axes = parseSweeps(['region=NA,EU,APAC,LATAM', 'month=2025-04,2025-05,2025-06']);
  // No cell cache: both sweeps compute every cell.
  const sweep = (concurrency: number) => runSweep(nb, { axes, base: {}, concurrency, run: { cache: 'off', exports: ['html'] } });
  await sweep(2);
  const seq = await time(() => sweep(1));
  const par = await time(() => sweep(2));
  return [
    `sweep of 12 runs of the monthly review (1,000,000 orders): sequential ${ms(seq)}, --concurrency 2 ${ms(par)} → ${ratio(par, seq)} of sequential (${ratio(seq, par)} faster) on ${(await import('node:os')).cpus().length} CPUs`,
  ];
}
