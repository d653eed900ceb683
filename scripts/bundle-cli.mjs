// Bundles the CLI (dist/engine/cli/main.js, compiled by tsc) into dist/cli/: a few files to load
// instead of ~400 modules, which halves `quire` start-up; each command is its own chunk, loaded
// only when named (engine/cli/commands.ts). Native and heavy packages stay external
// (loaded only by the commands that need them); the library API (dist/engine/index.js) is not bundled.
//
// The chunks are then turned into CommonJS: Node 20 keeps no compiled code for ES modules, and
// loads each one at ~0.5 ms more than a CommonJS file; CommonJS chunks are compiled from the V8
// code cache of engine/cli/compile-cache.ts (bin/quire.js installs it).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build, transform } from 'esbuild';
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

const OUT = 'dist/cli';
// Chunk names carry content hashes: clear the old ones.
rmSync(OUT, { recursive: true, force: true });

const bundled = await build({
  entryPoints: { main: 'dist/engine/cli/main.js' },
  outdir: OUT,
  write: false,
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
});

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
// A chunk's import() of an external package (vega, puppeteer... some ES modules only) goes through
// this file, which Node compiles itself: code compiled from the code cache has no import().
writeFileSync(join(OUT, 'esm-import.js'), 'module.exports = (specifier) => import(specifier);\n');
for (const file of bundled.outputFiles) writeFileSync(join(OUT, basename(file.path)), await commonJs(file.text));

await build({
  entryPoints: ['dist/engine/cli/compile-cache.js'],
  outfile: join(OUT, 'compile-cache.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

/** An ES chunk as CommonJS: import.meta in terms of __filename, chunks required, external packages imported. */
async function commonJs(code) {
  const prelude = [];
  if (code.includes('import.meta.url')) prelude.push('const __quireUrl = require("node:url").pathToFileURL(__filename).href;');
  if (code.includes('import.meta.resolve(')) prelude.push('const __quireResolve = (s) => require("node:url").pathToFileURL(require.resolve(s)).href;');
  const bare = /\bimport\("((?![./]|node:)[^"]+)"\)/g;
  if (bare.test(code)) prelude.push('const __quireImport = require("./esm-import.js");');
  const esm = code.replaceAll('import.meta.url', '__quireUrl').replaceAll('import.meta.resolve(', '__quireResolve(').replace(bare, '__quireImport("$1")');
  // What is left of import(): the chunks' own ("./x.js"), which become require().
  const { code: cjs } = await transform(esm, { format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false }, minifyWhitespace: true, minifySyntax: true });
  return `${prelude.join('\n')}\n${cjs}`;
}

await buildIsolateBundle('dist/cells/code/isolate/entry.js');
