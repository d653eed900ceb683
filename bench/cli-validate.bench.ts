// Issue 19, row 2: `quire validate` of a 7-cell notebook vs a bare `node -e 0` (goal ≤ 0.35 s).
// Measured twice: in a project that has run before (its runs folder keeps what the binder found,
// engine/cache/bind-memo.ts, so re-validating an unchanged notebook does not sniff the CSV again),
// and as a first validation (that memo emptied before each one). Every start but the last row's
// compiles quire's code from the code cache kept by the bench's warm-up start (engine/cli/compile-cache.ts).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bareNode, csvProject, fmt, quire, quireUncached, sample, verdict } from './cli-util.js';
import { ratio } from './util.js';

export async function run(): Promise<string[]> {
  const { dir, notebook } = await csvProject();
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const node = bareNode();
  const validate = quire(['validate', notebook], dir);
  const again = sample(7, validate);
  const first = sample(7, () => {
    rmSync(join(dir, 'runs', '.cache', '.bind'), { recursive: true, force: true });
    return validate();
  });
  const cold = sample(5, () => {
    rmSync(join(dir, 'runs', '.cache', '.bind'), { recursive: true, force: true });
    return quireUncached(['validate', notebook], dir)();
  });
  return [
    `quire validate of a 7-cell notebook, validated before: ${fmt(again)} median (min–max) of 7; bare node -e 0: ${fmt(node)} → ${ratio(again.median, node.median)} (goal ≤ 0.35 s: ${verdict(again.median, 350)})`,
    `  a first validation (nothing remembered, DuckDB sniffs the 1,000,000-row CSV): ${fmt(first)} → ${ratio(first.median, node.median)} (${verdict(first.median, 350)})`,
    `  a first validation with an empty code cache too (the first start after an install or a rebuild): ${fmt(cold)} → ${ratio(cold.median, node.median)}`,
  ];
}
