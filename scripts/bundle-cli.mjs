// Bundles the CLI (dist/engine/cli/main.js, compiled by tsc) into dist/cli/: a few files to load
// instead of ~400 modules, which halves `quire` start-up; each command is its own chunk, loaded
// only when named (engine/cli/commands.ts). Native and heavy packages stay external
// (loaded only by the commands that need them); the library API (dist/engine/index.js) is not bundled.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildIsolateBundle } from './isolate-bundle.mjs';

/**
 * zod's entry re-exports all of its locales as `z.locales` (~290 KB, in the chunk every command
 * loads, since the server's @hono/zod-openapi takes `z` whole). Nothing here switches zod's
 * locale — English, its default, is imported apart from these (zod/v4/classic/schemas.js) — so the
 * bundle gets an empty `locales` namespace instead.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

// Chunk names carry content hashes: clear the old ones.
rmSync('dist/cli', { recursive: true, force: true });

await build({
  entryPoints: { main: 'dist/engine/cli/main.js' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [zodWithoutLocales],
  minifyWhitespace: true,
  minifySyntax: true,
  external: [
    '@duckdb/node-bindings',
    '@duckdb/node-bindings-*',
    '@resvg/*',
    'puppeteer',
    'puppeteer-core',
    'exceljs',
    'vega',
    'vega-lite',
    'arquero',
    'nodemailer',
    'isolated-vm',
    'libpg-query', // loads its wasm from its own folder
  ],
  // Bundled CommonJS packages call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __quireRequire } from 'node:module'; const require = __quireRequire(import.meta.url);" },
});

await buildIsolateBundle('dist/cells/code/isolate/entry.js');
