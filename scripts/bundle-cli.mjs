// Bundles the CLI (dist/engine/cli/main.js, compiled by tsc) into dist/cli/: one file to load
// instead of ~400 modules, which halves `quire` start-up. Native and heavy packages stay external
// (loaded only by the commands that need them); the library API (dist/engine/index.js) is not bundled.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'dist/engine/cli/main.js' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
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
  ],
  // Bundled CommonJS packages call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __quireRequire } from 'node:module'; const require = __quireRequire(import.meta.url);" },
});
