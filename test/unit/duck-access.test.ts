import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook } from '../../engine/exec/run.js';

/** A project whose one notebook runs `sql` in a query cell; returns the cell's error message, or null. */
async function runSql(sql: string, config = ''): Promise<{ error: string | null; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-duck-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'x.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'quire.yaml'), config);
  writeFileSync(join(dir, 'nb.yaml'), `title: T\ncells:\n  - id: q\n    type: query\n    sql: ${JSON.stringify(sql)}\n`);
  const t0 = performance.now();
  const { manifest } = await runNotebook(join(dir, 'nb.yaml'), { exports: [] });
  return { error: manifest.cells[0].error?.message ?? null, ms: performance.now() - t0 };
}

describe('DuckDB: no extension fetching, file access limited to the project', () => {
  it('reading a URL fails at once instead of installing httpfs', async () => {
    const { error, ms } = await runSql("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')");
    expect(error).toMatch(/requires the extension httpfs|disabled by configuration/);
    expect(ms).toBeLessThan(10_000);
  });

  it('with allowed_directories: any, a URL still does not autoload httpfs', async () => {
    const { error } = await runSql("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", 'allowed_directories: any\n');
    expect(error).toMatch(/httpfs/);
    expect(error).not.toMatch(/install/i);
  });

  it('files in the project are readable (relative and absolute), files outside it are not', async () => {
    expect((await runSql("SELECT * FROM read_csv('data/x.csv')")).error).toBeNull();
    expect((await runSql("SELECT * FROM read_csv('/etc/passwd')")).error).toMatch(/disabled by configuration/);
    expect((await runSql("SELECT * FROM read_csv('../../etc/passwd')")).error).toMatch(/disabled by configuration/);
    expect((await runSql("SELECT * FROM read_text('/etc/hostname')")).error).toMatch(/disabled by configuration/);
  });

  it('allowed_directories: any lifts the file restriction', async () => {
    expect((await runSql("SELECT * FROM read_csv('/etc/hostname', header = false)", 'allowed_directories: any\n')).error).toBeNull();
  });
});
