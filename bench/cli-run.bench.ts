// Issue 19, row 3: `quire run --no-cache --export html` of a 7-cell monthly review over a
// 1,000,000-row CSV vs the same SQL through @duckdb/node-api in one node process (goal ≤ 1.15 × raw + 0.25 s).
import { csvProject, fmt, quire, sample, spawnTime, verdict } from './cli-util.js';
import { ratio } from './util.js';

export async function run(): Promise<string[]> {
  const { dir, notebook, raw } = await csvProject();
  const direct = sample(5, () => spawnTime(process.execPath, [raw], dir));
  const cli = sample(5, quire(['run', notebook, '--no-cache', '--export', 'html'], dir));
  const goal = 1.15 * direct.median + 250;
  return [
    `quire run --no-cache --export html, 7 cells over a 1,000,000-row CSV: ${fmt(cli)} median (min–max) of 5; ` +
      `the raw @duckdb/node-api script: ${fmt(direct)} → ${ratio(cli.median, direct.median)} (goal ≤ 1.15 × raw + 0.25 s = ${(goal / 1000).toFixed(2)} s: ${verdict(cli.median, goal)})`,
  ];
}
