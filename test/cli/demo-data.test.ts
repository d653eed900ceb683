import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';
import { manifests, quire } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/postgres.js';

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

  it('--postgres loads the warehouse into a fresh database, and the example project runs on it from the CLI', async () => {
    const db = await createTestDatabase();
    try {
      const loaded = quire(['demo-data', '--postgres', db.url, '--orders', '2000', '--json'], REPO);
      expect(loaded.stderr).toBe('');
      expect(JSON.parse(loaded.stdout)).toMatchObject({ schema: 'public', orders: 2000, tables: { orders: 2000, customers: 500 } });
      const dir = mkdtempSync(join(tmpdir(), 'quire-pg-example-'));
      // The example's two files only: a runs/ folder left there by hand must not come along.
      for (const f of ['quire.yaml', 'monthly-review.yaml']) copyFileSync(join(REPO, 'docs', 'examples', 'postgres', f), join(dir, f));
      const run = quire(['run', 'monthly-review.yaml', '-p', 'month=2026-03'], dir, { WAREHOUSE_URL: db.url });
      expect(run.code, run.stderr).toBe(0);
      expect(manifests(dir, 'pg-monthly-review')[0].cells.map((c: any) => c.status)).not.toContain('failed');
    } finally {
      await db.drop();
    }
  });
});
