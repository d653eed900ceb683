import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';

describe('quire demo-data', () => {
  it('quire demo-data --orders -5 exits 1 with E_BAD_ARGUMENT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-demo-data-'));
    const r = spawnSync(process.execPath, ['bin/quire.js', 'demo-data', '--orders', '-5', '--out', join(dir, 'z.duckdb')], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('E_BAD_ARGUMENT');
    expect(r.stderr).toContain('"-5"');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a user error prints no stack
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'z.duckdb'))).toBe(false);
  });
});
