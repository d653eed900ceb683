// Issue 19, row 2: `quire validate` of a 7-cell notebook vs a bare `node -e 0` (goal ≤ 0.35 s).
import { bareNode, csvProject, fmt, quire, sample, verdict } from './cli-util.js';
import { ratio } from './util.js';

export async function run(): Promise<string[]> {
  const { dir, notebook } = await csvProject();
  const node = bareNode();
  const v = sample(7, quire(['validate', notebook], dir));
  return [`quire validate of a 7-cell notebook: ${fmt(v)} median (min–max) of 7; bare node -e 0: ${fmt(node)} → ${ratio(v.median, node.median)} (goal ≤ 0.35 s: ${verdict(v.median, 350)})`];
}
