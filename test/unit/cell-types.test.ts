import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { cellTypes } from '../../cells/index.js';
import { YamlSource } from '../../engine/source/source.js';
import { zodIssuesToErrors } from '../../engine/source/zod-errors.js';
import { projectConfigSchema, type Project } from '../../engine/project.js';
import { outputKindsOf, type CellInfo, type CellType } from '../../engine/cell-type.js';

/**
 * The conformance suite every cell type passes (DESIGN.md "One plug-in, one file"): its schema
 * rejects unknown keys with a located suggestion, it declares its output kind, and analysis of
 * a minimal valid cell finds no problems.
 */
const minimal: Record<string, Record<string, unknown>> = {
  query: { sql: 'SELECT * FROM upstream_cell' },
  text: { markdown: 'Hello {{ upstream_cell.first.x }}' },
  metric: { metrics: ['revenue'] },
  visualization: { data: 'upstream_cell', chart: 'bar', x: 'a', y: 'b' },
  code: { inputs: ['upstream_cell'], code: 'return upstream_cell' },
  forecast: { source: 'upstream_cell', time: 'day', value: 'orders', horizon: 7 },
  experiment: { source: 'upstream_cell', unit: 'user_id', variant: 'variant', control: 'control', metrics: [{ name: 'conversion', kind: 'proportion', column: 'converted' }] },
};

const project: Project = {
  root: process.cwd(),
  configPath: null,
  config: projectConfigSchema.parse({ database: ':memory:', metrics: [], runs_dir: 'runs', timezone: 'UTC', connections: {} }),
};

/** The cells the minimal example sits among: `upstream_cell` a query (a table), `c` itself. */
const siblings = (cellType: CellType): Map<string, CellInfo> =>
  new Map([
    ['upstream_cell', { type: 'query', outputKinds: ['table'] }],
    ['c', { type: cellType.type, outputKinds: outputKindsOf(cellType) }],
  ]);

describe.each(cellTypes.map((c) => [c.type, c] as const))('cell type %s', (type, cellType) => {
  it('has a minimal example in this suite', () => {
    expect(minimal[type], `add a minimal ${type} cell to test/cell-types.test.ts`).toBeDefined();
  });

  it('declares an output kind and a description', () => {
    const kinds = outputKindsOf(cellType);
    expect(kinds.length).toBeGreaterThan(0);
    for (const kind of kinds) expect(['table', 'text', 'value', 'metrics', 'chart', 'experiment']).toContain(kind);
    expect(cellType.description.length).toBeGreaterThan(10);
  });

  it('rejects an unknown key with a located "did you mean"', () => {
    const cell = { id: 'c', type, ...minimal[type] };
    const firstKey = Object.keys(minimal[type])[0];
    const typo = `${firstKey}s`;
    const yaml = `cells:\n  - id: c\n    type: ${type}\n    ${typo}: 1\n`;
    const { source } = YamlSource.parse('nb.yaml', yaml);
    const parsed = cellType.schema.safeParse({ ...cell, [typo]: 1 });
    expect(parsed.success).toBe(false);
    const errors = zodIssuesToErrors(parsed.success ? [] : parsed.error.issues, source, cellType.schema, ['cells', 0]);
    const unknown = errors.find((e) => e.code === 'E_UNKNOWN_KEY')!;
    expect(unknown.message).toContain(`did you mean '${firstKey}'`);
    expect(unknown.location).toMatchObject({ line: 4, col: 5 });
  });

  it('finds the cells it reads', async () => {
    const spec = cellType.schema.parse({ id: 'c', type, ...minimal[type] });
    const { source } = YamlSource.parse('nb.yaml', 'cells: []\n');
    const db = await DuckDBInstance.create(':memory:');
    const parser = await db.connect();
    const analysis = await cellType.analyze(spec, {
      parser,
      source,
      path: ['cells', 0],
      project,
      paramNames: [],
      cellIds: ['upstream_cell', 'c'],
      cells: siblings(cellType),
      definitions: {
        metrics: [{ name: 'revenue', source: 'cell:upstream_cell', aggregation: 'sum', numerator: 'SUM(x)' }],
      },
    });
    parser.closeSync();
    db.closeSync();
    expect(analysis.errors).toEqual([]);
    if (type !== 'metric') expect(analysis.references).toContain('upstream_cell');
  });
});
