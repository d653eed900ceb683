import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, TEST_DB, TEST_DB_ORDERS } from './helpers/paths.js';
import { buildDemoData } from '../engine/demo/demo-data.js';
// @ts-expect-error a plain ES module of the build scripts, without types
import { buildIsolateBundle, inputsFileOf, ISOLATE_BUNDLE } from '../scripts/isolate-bundle.mjs';

const ISOLATE_DIR = join(REPO, 'cells', 'code', 'isolate');

/** The project sources a bundle was built from (recorded by the build; from dist/ → their .ts), or null. */
function bundleSources(bundle: string): string[] | null {
  const list = inputsFileOf(bundle);
  if (!existsSync(list)) return null;
  const inputs = JSON.parse(readFileSync(list, 'utf8')) as string[];
  return inputs.map((f) => join(REPO, f.replace(/^dist\//, '').replace(/\.js$/, '.ts')));
}

/**
 * Code cells run their code in an isolate set up by dist/cells/code/isolate.bundle.js. Unit tests
 * run the engine from its sources without `npm run build`: bundle it from the sources when it is
 * missing or older than a source it was built from (cells/code/isolate, engine/stats for `stats.*`,
 * cells/code/protocol.ts...; a new import changes an old file, so new files count too). A build
 * writes the same file, so after one this does nothing.
 */
async function ensureIsolateBundle(): Promise<void> {
  const bundle = join(REPO, ISOLATE_BUNDLE);
  const sources = existsSync(bundle) ? bundleSources(bundle) : null;
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (sources?.every((f) => existsSync(f) && statSync(f).mtimeMs <= built)) return;
  await buildIsolateBundle(join(ISOLATE_DIR, 'entry.ts'), bundle);
}

/** Builds the small demo warehouse every fixture project points at (once; it is deterministic). */
export default async function setup(): Promise<void> {
  await ensureIsolateBundle();
  if (!existsSync(TEST_DB)) await buildDemoData({ out: TEST_DB, orders: TEST_DB_ORDERS });
}
