import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, TEST_DB, TEST_DB_ORDERS } from './helpers/paths.js';
import { buildDemoData } from '../engine/demo/demo-data.js';
// @ts-expect-error a plain ES module of the build scripts, without types
import { buildIsolateBundle, ISOLATE_BUNDLE } from '../scripts/isolate-bundle.mjs';

const ISOLATE_DIR = join(REPO, 'cells', 'code', 'isolate');
/** Folders whose sources go into the bundle (the isolate's own code, and engine/stats for `stats.*`). */
const BUNDLED_DIRS = [ISOLATE_DIR, join(REPO, 'engine', 'stats')];

/**
 * Code cells run their code in an isolate set up by dist/cells/code/isolate.bundle.js. Unit tests
 * run the engine from its sources without `npm run build`: bundle it from the sources when it is
 * missing or older than them (a build writes the same file, so after one this does nothing).
 */
async function ensureIsolateBundle(): Promise<void> {
  const bundle = join(REPO, ISOLATE_BUNDLE);
  const newest = Math.max(
    ...BUNDLED_DIRS.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => statSync(join(dir, f)).mtimeMs),
    ),
  );
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest) return;
  await buildIsolateBundle(join(ISOLATE_DIR, 'entry.ts'), bundle);
}

/** Builds the small demo warehouse every fixture project points at (once; it is deterministic). */
export default async function setup(): Promise<void> {
  await ensureIsolateBundle();
  if (!existsSync(TEST_DB)) await buildDemoData({ out: TEST_DB, orders: TEST_DB_ORDERS });
}
