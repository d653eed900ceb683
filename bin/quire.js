#!/usr/bin/env node
// The CLI runs from the bundle in dist/cli (built by `npm run build`, see scripts/bundle-cli.mjs).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
