import { describe, expect, it } from 'vitest';
import { failureReason } from '../../engine/schedule/runner.js';
import { UserError } from '../../engine/util/errors.js';
import type { RunManifest } from '../../engine/runs/runs.js';

const manifest = (error: string | null, cells: { id: string; status: string; message?: string }[]) =>
  ({ error, cells: cells.map((c) => ({ id: c.id, status: c.status, error: c.message ? { message: c.message } : null })) }) as unknown as RunManifest;

describe('why a scheduled tick failed', () => {
  it("is the run's error, else its failed cells, else 'failed'", () => {
    expect(failureReason(manifest('interrupted by SIGTERM', [{ id: 'a', status: 'failed', message: 'x' }]), null)).toBe('interrupted by SIGTERM');
    expect(
      failureReason(
        manifest(null, [
          { id: 'a', status: 'succeeded' },
          { id: 'b', status: 'failed', message: 'no table t' },
        ]),
        null,
      ),
    ).toBe('b: no table t');
    expect(failureReason(manifest(null, []), null)).toBe('failed');
  });
  it('is the code and message of what was thrown before a run folder existed', () => {
    expect(failureReason(null, new UserError('E_PARAM_TYPE', 'month must be YYYY-MM'))).toBe('E_PARAM_TYPE: month must be YYYY-MM');
    expect(failureReason(null, new Error('spawn failed'))).toBe('spawn failed');
  });
});
