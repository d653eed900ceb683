import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNotebook } from '../../engine/notebooks.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';

function notebookFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-yaml-'));
  writeFileSync(join(dir, 'nb.yaml'), text);
  return join(dir, 'nb.yaml');
}

function errorsOf(path: string): QuireError[] {
  try {
    loadNotebook(path);
  } catch (err) {
    return err instanceof ValidationErrors ? err.errors : [err as QuireError];
  }
  throw new Error('loaded');
}

describe('YAML aliases and notebook size', () => {
  it('an undefined alias is a located E_YAML error', () => {
    const [e] = errorsOf(notebookFile('title: T\ncells:\n  - id: a\n    type: text\n    markdown: *nope\n'));
    expect(e.code).toBe('E_YAML');
    expect(e.message).toContain('*nope');
    expect(e.location).toMatchObject({ line: 5, col: 15 });
  });

  it('an alias bomb is a located E_YAML error, not an internal one', () => {
    const lol = `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefgh'
      .split('')
      .map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)
      .join('\n')}`;
    const [e] = errorsOf(notebookFile(`title: T\n${lol}\ncells: []\n`));
    expect(e.code).toBe('E_YAML');
    expect(e.message).toMatch(/alias/i);
    expect(e.location?.line).toBe(3);
  });

  it('a notebook over 5 MB is refused before parsing', () => {
    const [e] = errorsOf(notebookFile(`title: T\ncells: []\n# ${'x'.repeat(5_100_000)}\n`));
    expect(e.code).toBe('E_NOTEBOOK_TOO_LARGE');
  });

  it('quire.yaml given as a notebook is named as the project file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-yaml-'));
    writeFileSync(join(dir, 'quire.yaml'), 'database: x.duckdb\n');
    const [e] = errorsOf(join(dir, 'quire.yaml'));
    expect(e.code).toBe('E_NOT_A_NOTEBOOK');
    expect(e.message).toContain('project file');
  });
});
