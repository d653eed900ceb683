// Issue 19: `quire export <demo run> --format html`, process start to exit, vs a bare `node -e 0` (goal ≤ 600 ms).
import { bareNode, demoRun, fmt, quire, sample, verdict } from './cli-util.js';
import { ratio } from './util.js';

export async function run(): Promise<string[]> {
  const { dir, runId } = await demoRun();
  const node = bareNode();
  const x = sample(5, quire(['export', runId, '--format', 'html'], dir));
  return [`quire export <demo run> --format html: ${fmt(x)} median (min–max) of 5; bare node -e 0: ${fmt(node)} → ${ratio(x.median, node.median)} (goal ≤ 0.6 s: ${verdict(x.median, 600)})`];
}
