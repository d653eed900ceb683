// Issue 19, row 1: `quire --help`, process start to exit, vs a bare `node -e 0` (goal ≤ 0.25 s).
import { bareNode, fmt, quire, quireUncached, REPO, sample, verdict } from './cli-util.js';
import { ratio } from './util.js';

export async function run(): Promise<string[]> {
  const node = bareNode();
  const help = sample(7, quire(['--help'], REPO));
  const uncached = sample(5, quireUncached(['--help'], REPO));
  return [
    `quire --help: ${fmt(help)} median (min–max) of 7; bare node -e 0: ${fmt(node)} → ${ratio(help.median, node.median)} (goal ≤ 0.25 s: ${verdict(help.median, 250)})`,
    `  with an empty code cache (the first start after an install or a rebuild): ${fmt(uncached)} → ${ratio(uncached.median, node.median)}`,
  ];
}
