import { describe, expect, it } from 'vitest';
import { fixtureProject, manifests, quire } from '../helpers/cli.js';

describe('quire run', () => {
  it('on_error: continue skips downstream cells, runs independent ones, ends partial', () => {
    const dir = fixtureProject('on-error-continue');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(3);
    const [m] = manifests(dir, 'notebook');
    expect(m.status).toBe('partial');
    const status = Object.fromEntries(m.cells.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(status).toEqual({ broken: 'failed', downstream: 'skipped', further: 'skipped', independent: 'succeeded' });
    expect(m.cells[1].skipped_reason).toBe('upstream cell broken failed');
  });
});
