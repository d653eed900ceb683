import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook } from '../../engine/exec/run.js';
import { outputChars } from '../../engine/exec/output-size.js';

describe('output size limit', () => {
  it('a string past the limit (60 MB) from a cell fails that cell and is written nowhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-big-'));
    writeFileSync(join(dir, 'nb.yaml'), "title: Big\ncells:\n  - id: big\n    type: query\n    sql: SELECT repeat('x', 60000000) AS s\n");
    const { manifest, dir: runDir } = await runNotebook(join(dir, 'nb.yaml'), { exports: ['html'] });
    expect(manifest.status).toBe('failed');
    expect(manifest.cells[0].error).toMatchObject({ code: 'E_OUTPUT_TOO_LARGE' });
    for (const f of ['outputs.json', 'report.html']) if (existsSync(join(runDir, f))) expect(statSync(join(runDir, f)).size).toBeLessThan(5_000_000);
  });

  it('counts strings, stops early and survives cycles', () => {
    const a: Record<string, unknown> = { s: 'abc' };
    a.self = a;
    expect(outputChars(a, 1000)).toBe('s'.length + 3 + 'self'.length);
    expect(outputChars(['x'.repeat(10), 'y'.repeat(10)], 5)).toBeLessThanOrEqual(20);
  });
});
