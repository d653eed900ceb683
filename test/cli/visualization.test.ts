import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, quire } from '../helpers/cli.js';

describe('visualization cells in a run of quire', () => {
  it('a field not in the data fails the cell, names the field and lists the columns, located', () => {
    const dir = fixtureProject('visualization');
    const nb = readFileSync(join(dir, 'notebook.yaml'), 'utf8').replace('    y: [revenue, orders]\n', '    y: [revenue, ordres]\n');
    writeFileSync(join(dir, 'notebook.yaml'), nb);
    const r = quire(['run', 'notebook.yaml', '--json'], dir);
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout);
    const line = m.cells.find((c: { id: string }) => c.id === 'line');
    expect(line.status).toBe('failed');
    expect(line.error.code).toBe('E_VIZ_FIELD');
    expect(line.error.message).toBe("cell line: field 'ordres' is not a column of 'daily' — did you mean 'orders'?; its columns are 'day', 'orders', 'revenue'");
    expect(line.error.location).toMatch(/notebook\.yaml:\d+:\d+$/);
    expect(line.error.snippet).toContain('ordres');
    expect(line.error.hint).toBe('columns of daily: day (DATE), orders (BIGINT), revenue (DOUBLE)');
  });
});
