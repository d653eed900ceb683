// `npm run bench [-- name...]`: runs bench/*.bench.ts (or the named ones: an exact name, else every
// bench starting with it — `export` runs export-html, export-pdf and export-xlsx) and prints their lines.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts'));
const named = (w: string) => (all.includes(`${w}.bench.ts`) ? [`${w}.bench.ts`] : all.filter((f) => f.startsWith(w)));
const files = wanted.length ? [...new Set(wanted.flatMap(named))] : all;

for (const file of files) {
  const mod = (await import(join(dir, file))) as { run: () => Promise<string[]> };
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const t0 = performance.now();
  for (const line of await mod.run()) console.log(line);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
