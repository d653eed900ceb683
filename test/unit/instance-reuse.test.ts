import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EngineState, runNotebook } from '../../engine/index.js';
import { DUCK_POOL } from '../../engine/duck/duck-pool.js';
import { fixtureProject } from '../helpers/cli.js';

const state = new EngineState();
afterAll(() => state.close());

async function spareReady(): Promise<void> {
  await state.get(DUCK_POOL).settled();
  expect(state.get(DUCK_POOL).size).toBeGreaterThan(0);
}

describe('DuckDB instances reused within an engine state', () => {
  it('come back empty: no result tables of the run before, no database attached', async () => {
    const dir = fixtureProject('instance-reuse');
    const first = await runNotebook(join(dir, 'first.yaml'), { cache: 'off', state });
    expect(first.manifest.status).toBe('succeeded');
    await spareReady();
    // `leftover` was a cell of the first run only: the second must not find it
    const second = await runNotebook(join(dir, 'second.yaml'), { cache: 'off', state });
    expect(second.manifest.status).toBe('failed');
    expect(second.manifest.cells[0].error?.message).toMatch(/leftover/);
    await spareReady();
    // the test warehouse was attached as `db` before: a project without a database must not see it
    const third = await runNotebook(join(dir, 'inmemory', 'third.yaml'), { cache: 'off', state });
    expect(third.manifest.status).toBe('failed');
    expect(third.manifest.cells[0].error?.message).toMatch(/db/);
  });
});
