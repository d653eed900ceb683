#!/usr/bin/env node
// The CLI runs from the bundle in dist/cli (built by `npm run build`, see scripts/bundle-cli.mjs):
// CommonJS chunks, compiled from a V8 code cache kept between runs (engine/cli/compile-cache.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
require('../dist/cli/compile-cache.js').installCompileCache(fileURLToPath(new URL('../dist/cli/', import.meta.url)));
process.exitCode = await require('../dist/cli/main.js').main(process.argv);
