// `npm run bench [-- name...]`: runs bench/*.bench.ts (or the named ones) and prints their lines.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)));

for (const file of files) {
  const mod = (await import(join(dir, file))) as { run: () => Promise<string[]> };
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const t0 = performance.now();
  for (const line of await mod.run()) console.log(line);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
