import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNotebook, runNotebook, validateNotebook } from '../../engine/index.js';
import { fixtureProject } from '../helpers/cli.js';

describe('query cells holding a bare DESCRIBE, SUMMARIZE or SHOW', () => {
  it('validate and run: each result is a table of the described columns', async () => {
    const dir = fixtureProject('describe-summarize');
    const path = join(dir, 'notebook.yaml');
    await validateNotebook(path);
    const { manifest } = await runNotebook(loadNotebook(path), { exports: ['html'] });
    expect(manifest.cells.map((c) => [c.id, c.status, c.error?.message ?? null])).toEqual([
      ['summary', 'succeeded', null],
      ['columns', 'succeeded', null],
      ['shown', 'succeeded', null],
    ]);
    expect(manifest.status).toBe('succeeded');
    const columns = manifest.cells.find((c) => c.id === 'columns')!;
    expect(columns.rows).toBeGreaterThan(3);
  });
});

describe('a query cell holding a PIVOT (DuckDB expands it into several statements)', () => {
  it('counts the rows of its table, so a chart on it is not taken for empty', async () => {
    const dir = fixtureProject('describe-summarize');
    const path = join(dir, 'pivot.yaml');
    writeFileSync(
      path,
      [
        'title: Pivot',
        'cells:',
        '  - { id: wide, type: query, sql: "PIVOT orders ON status USING count(*) GROUP BY region ORDER BY region" }',
        '  - { id: chart, type: visualization, data: wide, chart: bar, x: region, y: completed }',
      ].join('\n'),
    );
    const { manifest, dir: runDir } = await runNotebook(loadNotebook(path), { exports: ['html'], cache: 'off' });
    expect(manifest.status).toBe('succeeded');
    const outputs = JSON.parse(readFileSync(join(runDir, 'outputs.json'), 'utf8')).outputs;
    expect(outputs.wide.rows.length).toBeGreaterThan(1);
    expect(outputs.wide.rowCount).toBe(outputs.wide.rows.length);
    expect(manifest.cells.find((c) => c.id === 'wide')!.rows).toBe(outputs.wide.rows.length);
    expect(outputs.chart.totalRows).toBe(outputs.wide.rows.length);
  });
});
