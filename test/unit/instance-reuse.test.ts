import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runNotebook } from '../../engine/index.js';
import { spareCount } from '../../engine/duck/duck-pool.js';
import { fixtureProject } from '../helpers/cli.js';

async function spareReady(): Promise<void> {
  for (let i = 0; i < 100 && spareCount() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(spareCount()).toBeGreaterThan(0);
}

describe('DuckDB instances reused within a process', () => {
  it('come back empty: no result tables of the run before, no database attached', async () => {
    const dir = fixtureProject('instance-reuse');
    const first = await runNotebook(join(dir, 'first.yaml'), { cache: false });
    expect(first.manifest.status).toBe('succeeded');
    await spareReady();
    // `leftover` was a cell of the first run only: the second must not find it
    const second = await runNotebook(join(dir, 'second.yaml'), { cache: false });
    expect(second.manifest.status).toBe('failed');
    expect(second.manifest.cells[0].error?.message).toMatch(/leftover/);
    await spareReady();
    // the test warehouse was attached as `db` before: a project without a database must not see it
    const third = await runNotebook(join(dir, 'inmemory', 'third.yaml'), { cache: false });
    expect(third.manifest.status).toBe('failed');
    expect(third.manifest.cells[0].error?.message).toMatch(/db/);
  });
});
