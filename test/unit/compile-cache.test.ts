import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CompileCache, installCompileCache } from '../../engine/cli/compile-cache.js';

const dirs: string[] = [];
let installed: CompileCache | null = null;
afterEach(() => {
  installed?.uninstall();
  installed = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A bundle folder and a cache folder. */
function fixture(): { bundle: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'quire-compile-cache-'));
  dirs.push(root);
  const bundle = join(root, 'cli');
  mkdirSync(bundle);
  return { bundle, cache: join(root, 'cache') };
}

// Hits and refused bytecode are seen from separate processes (test/cli/compile-cache.test.ts): within
// one, V8 serves a source it compiled before from memory.
describe('the CLI code cache', () => {
  it('a chunk that imports an ES module is compiled by Node, and its import() works', async () => {
    const { bundle, cache } = fixture();
    writeFileSync(join(bundle, 'esm.mjs'), 'export const answer = 42;\n');
    writeFileSync(join(bundle, 'c.js'), 'module.exports = () => import("./esm.mjs").then((m) => m.answer);\n');
    installed = installCompileCache(bundle, { QUIRE_COMPILE_CACHE: cache });
    writeFileSync(join(bundle, 'd.js'), 'module.exports = () => "import() is only in this text";\n');
    const load = createRequire(join(bundle, 'x.js'))('./c.js') as () => Promise<number>;
    expect(await load()).toBe(42);
    expect([installed!.hits, installed!.misses]).toEqual([0, 0]);
    expect((createRequire(join(bundle, 'x.js'))('./d.js') as () => string)()).toMatch(/^import/);
    expect(installed!.misses).toBe(1);
  });

  it('is not used when turned off, or from a folder others can write to', () => {
    const { bundle, cache } = fixture();
    expect(installCompileCache(bundle, { QUIRE_COMPILE_CACHE: 'off' })).toBeNull();
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    expect(installCompileCache(bundle, { QUIRE_COMPILE_CACHE: cache })).toBeNull();
  });

  it("uses Node's own compile cache where Node has one (22.1+), in the same folder", () => {
    const { bundle, cache } = fixture();
    const M = Module as unknown as { enableCompileCache?: (dir: string) => unknown; prototype: { _compile: unknown } };
    const had = M.enableCompileCache;
    const compile = M.prototype._compile;
    const enabled: string[] = [];
    M.enableCompileCache = (dir) => enabled.push(dir);
    try {
      installed = installCompileCache(bundle, { QUIRE_COMPILE_CACHE: cache });
      expect(enabled).toEqual([installed!.folder]);
      expect(installed!.folder.startsWith(cache)).toBe(true);
      expect(M.prototype._compile).toBe(compile);
    } finally {
      M.enableCompileCache = had;
    }
  });
});
