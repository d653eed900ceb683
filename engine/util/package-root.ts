import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of quire's own package.json, whether running from dist/ or from sources. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'quire') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('quire package root not found');
    dir = parent;
  }
}

let version: string | undefined;
/** quire's version, from its package.json. */
export function quireVersion(): string {
  version ??= String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0');
  return version;
}

let stamp: string | undefined;
/**
 * quire's version plus when this code was built (the mtime of this module, or of the bundle it
 * is in): what caches of quire's own work (analysis, cell results, charts) are keyed on, so a
 * rebuilt quire never serves what an older build computed.
 */
export function buildStamp(): string {
  if (stamp === undefined) {
    let built = '0';
    try {
      built = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
    } catch {
      /* not a file: the version alone */
    }
    stamp = `${quireVersion()}+${built}`;
  }
  return stamp;
}
