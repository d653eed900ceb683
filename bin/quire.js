#!/usr/bin/env node
// The CLI runs from the bundle in dist/cli (built by `npm run build`, see scripts/bundle-cli.mjs):
// CommonJS chunks, compiled from a V8 code cache kept between runs (engine/cli/compile-cache.ts).
// CommonJS itself (bin/package.json): Node's ES module loader would add ~10 ms to every start.
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli');
require(join(bundle, 'compile-cache.js')).installCompileCache(bundle);
require(join(bundle, 'main.js'))
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
