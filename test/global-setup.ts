import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO, TEST_DB, TEST_DB_ORDERS } from './helpers/paths.js';
import { buildDemoData } from '../engine/demo/demo-data.js';

const CODE_DIR = join(REPO, 'cells', 'code');
const WORKER = join(REPO, 'dist', 'cells', 'code', 'worker.js');

/**
 * Code cells run in a worker thread started from dist/cells/code/worker.js. Unit tests run the
 * engine from its sources without `npm run build`: bundle the worker when it is missing or older
 * than its sources (a build writes the same file, so after one this does nothing).
 */
async function ensureCodeWorker(): Promise<void> {
  const newest = Math.max(...readdirSync(CODE_DIR).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(CODE_DIR, f)).mtimeMs));
  if (existsSync(WORKER) && statSync(WORKER).mtimeMs >= newest) return;
  await build({ entryPoints: [join(CODE_DIR, 'worker.ts')], outfile: WORKER, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
}

/** Builds the small demo warehouse every fixture project points at (once; it is deterministic). */
export default async function setup(): Promise<void> {
  await ensureCodeWorker();
  if (!existsSync(TEST_DB)) await buildDemoData({ out: TEST_DB, orders: TEST_DB_ORDERS });
}
