import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';

/** Every .ts file under test/, as paths relative to the repository. */
function testSources(dir = join(REPO, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === '.data' ? [] : testSources(path);
    return e.name.endsWith('.ts') ? [path.slice(REPO.length + 1)] : [];
  });
}

// A user who runs `quire templates use ...` in the repository adds notebooks/ and metrics/ files of
// their own; `npm test` must not see them, so tests name the shipped files instead of listing folders.
const WHOLE_FOLDER = /(cpSync|readdirSync)\(join\(REPO, [^)]*\)|\(join\(REPO, '(metrics|notebooks)'\)[,)]|'\.\.', '\.\.', '(metrics|notebooks)'/;

describe('the test suite', () => {
  it("reads no whole folder of the user's project (notebooks/, metrics/)", () => {
    const offending = testSources()
      .filter((f) => f !== 'test/unit/test-isolation.test.ts')
      .flatMap((f) =>
        readFileSync(join(REPO, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${f}:${i + 1}`, line })),
      )
      .filter(({ line }) => WHOLE_FOLDER.test(line))
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(offending).toEqual([]);
  });
});
