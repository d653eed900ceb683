// A code cell's isolate has no module loader: its code (cells/code/isolate/entry.ts) and Arquero
// go in as one script, evaluated in each new context before the cell (cells/code/isolate-pool.ts).
// Built from dist/ by `npm run build`, or from the TypeScript sources by the unit tests' setup.
import { build } from 'esbuild';

export const ISOLATE_BUNDLE = 'dist/cells/code/isolate.bundle.js';

export function buildIsolateBundle(entryPoint, outfile = ISOLATE_BUNDLE) {
  return build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser', // Arquero's browser build: no node: modules
    target: 'es2022',
    logLevel: 'warning',
    minify: true,
  });
}
