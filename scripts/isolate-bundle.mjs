// A code cell's isolate has no module loader: its code (cells/code/isolate/entry.ts) and Arquero
// go in as one script, evaluated in each new context before the cell (cells/code/isolate-pool.ts).
// Built from dist/ by `npm run build`, or from the TypeScript sources by the unit tests' setup.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ISOLATE_BUNDLE = 'dist/cells/code/isolate.bundle.js';
const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Beside the bundle: the project files it was built from (the tests' setup rebuilds when one is newer). */
export const inputsFileOf = (outfile) => outfile.replace(/\.js$/, '.inputs.json');

export async function buildIsolateBundle(entryPoint, outfile = ISOLATE_BUNDLE) {
  const result = await build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser', // Arquero's browser build: no node: modules
    target: 'es2022',
    logLevel: 'warning',
    minify: true,
    metafile: true,
  });
  // esbuild names inputs relative to the working directory; recorded relative to the repository
  const own = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .map((f) => relative(REPO, resolve(f)));
  writeFileSync(inputsFileOf(outfile), `${JSON.stringify(own, null, 1)}\n`);
  return result;
}
