// Issue 5: warm rerun of the demo monthly review with nothing changed vs the cold run, and a rerun
// with only `region` changed (which cells run, and the time ratio), measured in the same run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook } from '../engine/index.js';
import { benchProject, median, ms, ratio, time } from './util.js';

const REPO = join(import.meta.dirname, '..');

export async function run(): Promise<string[]> {
  const dir = await benchProject(1_000_000);
  mkdirSync(join(dir, 'notebooks'));
  const nb = join(dir, 'notebooks', 'monthly-review.yaml');
  copyFileSync(join(REPO, 'notebooks', 'monthly-review.yaml'), nb);
  const opts = { params: { month: '2025-06' }, exports: ['html' as const] };
  await runNotebook(nb, { ...opts, cache: 'off' }); // warm the OS file cache
  const cold: number[] = [];
  const warm: number[] = [];
  const region: number[] = [];
  let cells = 0;
  let ranRegion: string[] = [];
  let warmHits = 0;
  for (let i = 0; i < 5; i++) {
    rmSync(join(dir, 'runs'), { recursive: true, force: true });
    cold.push(await time(() => runNotebook(nb, opts)));
    let m = await (async () => {
      const t0 = performance.now();
      const r = await runNotebook(nb, opts);
      warm.push(performance.now() - t0);
      return r.manifest;
    })();
    cells = m.cells.length;
    warmHits = m.cells.filter((c) => c.cache_hit).length;
    const t0 = performance.now();
    m = (await runNotebook(nb, { ...opts, params: { ...opts.params, region: 'EU' } })).manifest;
    region.push(performance.now() - t0);
    ranRegion = m.cells.filter((c) => !c.cache_hit).map((c) => c.id);
  }
  const c = median(cold);
  const w = median(warm);
  const r = median(region);

  // The same through the CLI, process start to exit: node and DuckDB's library loading are in both.
  const cli = (args: string[]) => {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [join(REPO, 'bin', 'quire.js'), 'run', nb, '-p', 'month=2025-06', '--export', 'html', ...args], { cwd: dir, stdio: 'ignore' });
    if (res.status !== 0) throw new Error(`quire run exited ${res.status}`);
    return performance.now() - t0;
  };
  const cliCold: number[] = [];
  const cliWarm: number[] = [];
  for (let i = 0; i < 3; i++) {
    rmSync(join(dir, 'runs'), { recursive: true, force: true });
    cliCold.push(cli([]));
    cliWarm.push(cli([]));
  }
  const bare = median(
    [0, 1, 2, 3, 4].map(() => {
      const t0 = performance.now();
      spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@duckdb/node-api')"], { cwd: REPO, stdio: 'ignore' });
      return performance.now() - t0;
    }),
  );
  return [
    `monthly review, 1,000,000 orders, html export: cold ${ms(c)}, warm rerun with nothing changed ${ms(w)} → ${ratio(w, c)} of cold (goal ≤ 0.10×); ${warmHits} of ${cells} cells from the cache`,
    `  rerun with region=EU: ${ranRegion.length} of ${cells} cells ran (${ranRegion.join(', ')}), ${ms(r)} → ${ratio(r, c)} of cold`,
    `  through the CLI, process start to exit: cold ${ms(median(cliCold))}, warm ${ms(median(cliWarm))} → ${ratio(median(cliWarm), median(cliCold))} ` +
      `(node loading @duckdb/node-api alone: ${ms(bare)})`,
  ];
}
