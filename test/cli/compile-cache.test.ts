import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quire } from '../helpers/cli.js';

const cache = mkdtempSync(join(tmpdir(), 'quire-code-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** This build's folder: one per Node version, then one per bundle path. */
const folderOf = () => {
  const node = join(cache, `${process.version}-${process.arch}`);
  const [bundle, ...others] = readdirSync(node);
  expect(others).toEqual([]);
  return join(node, bundle!);
};
let folder = '';
const kept = () => {
  folder ||= folderOf();
  return new Map(readdirSync(folder).map((f) => [f, statSync(join(folder, f))]));
};

describe('quire keeps its compiled code between starts (Node 20 has no compile cache of its own)', () => {
  it('the first start keeps the bytecode of the chunks it loaded; the next ones use it and write nothing', () => {
    const env = { QUIRE_COMPILE_CACHE: cache };
    const first = quire(['validate', '--help'], tmpdir(), env);
    expect(first.code).toBe(0);
    const after = kept();
    expect([...after.keys()].some((f) => /^main-\d+-\d+\.bin$/.test(f))).toBe(true);
    expect([...after.keys()].some((f) => /^validate-/.test(f))).toBe(true);

    const again = quire(['validate', '--help'], tmpdir(), env);
    expect(again.stdout).toBe(first.stdout);
    const now = kept();
    expect([...now.keys()]).toEqual([...after.keys()]);
    for (const [f, st] of now) expect(st.mtimeMs, f).toBe(after.get(f)!.mtimeMs);
  });

  it('a rebuilt chunk replaces the bytecode of its earlier build', () => {
    const env = { QUIRE_COMPILE_CACHE: cache };
    quire(['--help'], tmpdir(), env);
    const main = [...kept().keys()].find((f) => f.startsWith('main-'))!;
    // What an earlier build of main.js left (another size and mtime).
    const earlier = 'main-1-1.bin';
    writeFileSync(join(folder, earlier), 'old bytecode');
    rmSync(join(folder, main));
    quire(['--help'], tmpdir(), env);
    expect([...kept().keys()].filter((f) => f.startsWith('main-'))).toEqual([main]);
  });

  it('bytecode V8 refuses (another build of Node, a damaged file) is compiled and kept anew', () => {
    const env = { QUIRE_COMPILE_CACHE: cache };
    quire(['--help'], tmpdir(), env);
    const main = [...kept().keys()].find((f) => f.startsWith('main-'))!;
    writeFileSync(join(folder, main), 'not bytecode');
    const r = quire(['--help'], tmpdir(), env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate');
    expect(statSync(join(folder, main)).size).toBeGreaterThan(1000);
  });

  it('QUIRE_COMPILE_CACHE=off keeps nothing', () => {
    const off = mkdtempSync(join(tmpdir(), 'quire-code-cache-off-'));
    try {
      expect(quire(['--help'], tmpdir(), { QUIRE_COMPILE_CACHE: 'off', TMPDIR: off }).code).toBe(0);
      expect(readdirSync(off)).toEqual([]);
    } finally {
      rmSync(off, { recursive: true, force: true });
    }
  });
});
