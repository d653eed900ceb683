/**
 * report.xlsx loads exceljs's streaming writer only, not the package's reader and in-memory
 * workbook; and DuckDB only to read stored tables.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../engine/report/model.js';
import { writeXlsx } from '../../engine/report/xlsx/index.js';

const model: ReportModel = {
  title: 'Load',
  notebook: { id: 'load', path: 'load.yaml', sha256: '0'.repeat(64) },
  params: {},
  run: { id: 'run-1', status: 'succeeded', startedAt: '2024-03-18T09:00:00.000Z', finishedAt: '2024-03-18T09:00:01.000Z', durationMs: 1000, failure: null },
  cells: [{ id: 't', type: 'sql', title: 'T', status: 'succeeded', output: { kind: 'table', columns: [{ name: 'x', type: 'INTEGER' }], rows: [[1], [2]], rowCount: 2 } }],
} as unknown as ReportModel;

describe('xlsx writer loading', () => {
  it('writes a workbook without loading the exceljs reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-xlsx-load-'));
    await writeXlsx(model, join(dir, 'report.xlsx'));
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes(`${join('node_modules', 'exceljs')}`));
    expect(loaded.some((f) => f.endsWith(join('stream', 'xlsx', 'workbook-writer.js')))).toBe(true);
    expect(loaded.filter((f) => /workbook-reader\.js$|unzipper/.test(f))).toEqual([]);
    const duckdb = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes(join('node_modules', '@duckdb')));
    expect(duckdb).toEqual([]);
  });
});
