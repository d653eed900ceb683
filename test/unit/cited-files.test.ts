import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

describe('comments in the sources', () => {
  it('name only test files that exist', () => {
    const missing: string[] = [];
    for (const file of [...sourceFiles(join(REPO, 'engine')), ...sourceFiles(join(REPO, 'cells'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\btest\/[\w./-]+\.test\.ts\b/g)) {
        if (!existsSync(join(REPO, m[0]))) missing.push(`${file.slice(REPO.length + 1)}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
