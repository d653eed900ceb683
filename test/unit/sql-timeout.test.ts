import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadNotebook, runNotebook } from '../../engine/index.js';
import { fixtureProject } from '../helpers/cli.js';

describe('timeout_ms on SQL cells', () => {
  it('a hung query fails with the timeout as its reason (its own, else quire.yaml sql_timeout_ms); the run ends', async () => {
    const dir = fixtureProject('sql-timeout');
    const { manifest } = await runNotebook(loadNotebook(join(dir, 'notebook.yaml')), { exports: ['html'], cache: 'off' });
    const byId = Object.fromEntries(manifest.cells.map((c) => [c.id, c]));
    expect(byId.quick!.status).toBe('succeeded');
    expect(byId.hung_own!.error).toMatchObject({ code: 'E_TIMEOUT', message: 'cell hung_own did not finish within its timeout of 300 ms' });
    expect(byId.hung_default!.error).toMatchObject({ code: 'E_TIMEOUT', message: 'cell hung_default did not finish within its timeout of 400 ms' });
    expect(manifest.status).toBe('partial');
  });
});
