import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadNotebook, runNotebook, validateNotebook } from '../../engine/index.js';
import { fixtureProject } from '../helpers/cli.js';

describe('query cells holding a bare DESCRIBE, SUMMARIZE or SHOW', () => {
  it('validate and run: each result is a table of the described columns', async () => {
    const dir = fixtureProject('describe-summarize');
    const path = join(dir, 'notebook.yaml');
    await validateNotebook(path);
    const { manifest } = await runNotebook(loadNotebook(path), { exports: ['html'] });
    expect(manifest.cells.map((c) => [c.id, c.status, c.error?.message ?? null])).toEqual([
      ['summary', 'succeeded', null],
      ['columns', 'succeeded', null],
      ['shown', 'succeeded', null],
    ]);
    expect(manifest.status).toBe('succeeded');
    const columns = manifest.cells.find((c) => c.id === 'columns')!;
    expect(columns.rows).toBeGreaterThan(3);
  });
});
