/**
 * `sources:` files as tables: xlsx through exceljs's streaming reader (types per column, dates as
 * dates, errors naming the sheet and cell), csv and parquet through DuckDB; in a notebook, in
 * the DAG, and in the cell cache's keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { runNotebook, validateNotebook } from '../../engine/index.js';
import { loadSource, formatOf, type ResolvedSource, type SourceSpec } from '../../engine/file-sources/index.js';
import { DuckSession, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';
import { loadStoredOutputs, outputsMap } from '../../engine/runs/tables.js';
import type { TableOutput } from '../../engine/outputs.js';
import { formatDag } from '../../engine/plan/graph-format.js';

let dir: string;
let session: DuckSession;

/** A workbook: sheet FY26 (title row, header on row 2, typed columns, a blank row) and sheets Notes, FY25. */
async function writeBudget(path: string, edit?: (ws: ExcelJS.Worksheet) => void): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Notes').addRow(['read me']);
  const ws = wb.addWorksheet('FY26');
  ws.addRow(['Budget FY26']);
  ws.addRow(['Team', 'Month', 'Amount', 'Heads', 'Approved', 'Updated', 'Mixed', 'Share']);
  ws.addRow(['Sales', new Date(Date.UTC(2026, 0, 1)), 1200.5, 3, true, new Date(Date.UTC(2026, 0, 3, 9, 30)), 'x', { formula: 'C3/1000', result: 1.2005 }]);
  ws.addRow([]);
  ws.addRow(['Ops', new Date(Date.UTC(2026, 1, 1)), 800, 2, false, new Date(Date.UTC(2026, 1, 3)), 7, null]);
  for (const r of [3, 5]) {
    ws.getCell(`B${r}`).numFmt = 'yyyy-mm-dd';
    ws.getCell(`F${r}`).numFmt = 'yyyy-mm-dd hh:mm';
    ws.getCell(`I${r}`).value = new Date(Date.UTC(1899, 11, 30, 8 + r, 15));
    ws.getCell(`I${r}`).numFmt = 'hh:mm';
  }
  ws.getCell('I2').value = 'Starts';
  edit?.(ws);
  wb.addWorksheet('FY25').addRow(['Team']);
  await wb.xlsx.writeFile(path);
}

function resolved(name: string, spec: SourceSpec): ResolvedSource {
  return { name, spec, format: formatOf(spec.file)!, path: resolve(dir, spec.file), declaredIn: 'quire.yaml' };
}

async function load(name: string, spec: SourceSpec, allowed: string[] | null = null) {
  const duck = await session.connect();
  try {
    const rows = await loadSource(duck, resolved(name, spec), allowed);
    const types = (await duck.runAndReadAll(`DESCRIBE ${RESULTS_CATALOG}.main.${name}`)).getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
    const values = (await duck.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.${name}`)).getRowsJson();
    return { rows, types, values };
  } finally {
    session.release(duck);
  }
}

async function loadError(name: string, spec: SourceSpec, allowed: string[] | null = null): Promise<QuireError> {
  const err = await load(name, spec, allowed).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeTruthy();
  return err as QuireError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quire-sources-'));
  mkdirSync(join(dir, 'data'));
  await writeBudget(join(dir, 'data/budget.xlsx'));
  session = await DuckSession.open({ database: ':memory:' });
});

afterAll(() => {
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('xlsx sources', () => {
  it('load a sheet with types per column: integers, numbers, dates, timestamps, booleans, text; mixed is VARCHAR; blank rows skipped', async () => {
    const { rows, types, values } = await load('budget', { file: 'data/budget.xlsx', sheet: 'FY26', header_row: 2 });
    expect(rows).toBe(2);
    expect(types).toEqual(['Team VARCHAR', 'Month DATE', 'Amount DOUBLE', 'Heads BIGINT', 'Approved BOOLEAN', 'Updated TIMESTAMP', 'Mixed VARCHAR', 'Share DOUBLE', 'Starts TIME']);
    expect(values).toEqual([
      ['Sales', '2026-01-01', 1200.5, '3', true, '2026-01-03 09:30:00', 'x', 1.2005, '11:15:00'],
      ['Ops', '2026-02-01', 800, '2', false, '2026-02-03 00:00:00', '7', null, '13:15:00'],
    ]);
  });

  it('a range picks the header and the columns', async () => {
    const { types, values } = await load('teams', { file: 'data/budget.xlsx', sheet: 'FY26', range: 'A2:C3' });
    expect(types).toEqual(['Team VARCHAR', 'Month DATE', 'Amount DOUBLE']);
    expect(values).toEqual([['Sales', '2026-01-01', 1200.5]]);
  });

  it('a sheet not found says which sheets there are, with "did you mean"', async () => {
    const err = await loadError('budget', { file: 'data/budget.xlsx', sheet: 'FY 26' });
    expect(err).toMatchObject({ code: 'E_SOURCE_SHEET', message: expect.stringContaining("did you mean 'FY26'?") });
    expect(err.hint).toBe("its sheets: 'Notes', 'FY26', 'FY25'");
  });

  it('bad headers name the sheet, row and column: missing header row, empty name, duplicate name, a value without a column', async () => {
    // Row 1 holds one title cell: as a header, column B (the header row below it) has no name.
    expect(await loadError('budget', { file: 'data/budget.xlsx', sheet: 'FY26' })).toMatchObject({
      code: 'E_SOURCE_HEADER',
      message: expect.stringContaining("sheet 'FY26', cell B2 (row 2, column B) has a value but its column has no name in the header row (row 1)"),
    });
    expect(await loadError('budget', { file: 'data/budget.xlsx', sheet: 'FY26', header_row: 4 })).toMatchObject({
      code: 'E_SOURCE_HEADER',
      message: expect.stringContaining("sheet 'FY26', row 4 is empty: no header row"),
    });
    await writeBudget(join(dir, 'data/dup.xlsx'), (ws) => {
      ws.getCell('D2').value = 'team';
      ws.getCell('G2').value = null;
    });
    expect(await loadError('dup', { file: 'data/dup.xlsx', sheet: 'FY26', header_row: 2 })).toMatchObject({
      code: 'E_SOURCE_HEADER',
      message: expect.stringContaining("cell D2 (row 2, column D): the column name 'team' is already the name of column A"),
    });
    await writeBudget(join(dir, 'data/gap.xlsx'), (ws) => {
      ws.getCell('G2').value = null;
    });
    expect(await loadError('gap', { file: 'data/gap.xlsx', sheet: 'FY26', header_row: 2 })).toMatchObject({
      code: 'E_SOURCE_HEADER',
      message: expect.stringContaining('cell G2 (row 2, column G) is empty: the header row names every column'),
    });
  });

  it('an error value in a cell and an unreadable file are UserErrors naming the place', async () => {
    await writeBudget(join(dir, 'data/err.xlsx'), (ws) => {
      ws.getCell('C5').value = { error: '#DIV/0!' } as ExcelJS.CellErrorValue;
    });
    expect(await loadError('err', { file: 'data/err.xlsx', sheet: 'FY26', header_row: 2 })).toMatchObject({
      code: 'E_SOURCE_CELL',
      message: expect.stringContaining("data/err.xlsx, sheet 'FY26', cell C5 (row 5, column C) holds the error #DIV/0!"),
    });
    writeFileSync(join(dir, 'data/not.xlsx'), 'just text');
    expect(await loadError('not', { file: 'data/not.xlsx' })).toMatchObject({ code: 'E_SOURCE_UNREADABLE', message: expect.stringContaining('cannot read data/not.xlsx as an Excel workbook') });
  });

  it('a file outside allowed_directories is refused before it is read; a missing one says where it looked', async () => {
    expect(await loadError('budget', { file: 'data/budget.xlsx' }, [join(dir, 'other')])).toMatchObject({ code: 'E_SOURCE_OUTSIDE' });
    expect(await loadError('gone', { file: 'data/gone.xlsx' })).toMatchObject({ code: 'E_SOURCE_MISSING', hint: expect.stringContaining(join(dir, 'data/gone.xlsx')) });
  });
});

describe('csv and parquet sources', () => {
  it('load with the types DuckDB detects', async () => {
    writeFileSync(join(dir, 'data/targets.csv'), 'region,target,starts\nEU,1000.5,2026-01-01\nNA,2000,2026-02-01\n');
    const csv = await load('targets', { file: 'data/targets.csv' });
    expect(csv.types).toEqual(['region VARCHAR', 'target DOUBLE', 'starts DATE']);
    const duck = await session.connect();
    await duck.run(`COPY (SELECT 1::INTEGER AS id, 'a' AS name) TO '${join(dir, 'data/ids.parquet')}' (FORMAT parquet)`);
    session.release(duck);
    const parquet = await load('ids', { file: 'data/ids.parquet' });
    expect(parquet).toMatchObject({ rows: 1, types: ['id INTEGER', 'name VARCHAR'] });
  });
});

function project(quireYaml: string, notebook: string): string {
  const root = mkdtempSync(join(dir, 'project-'));
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'quire.yaml'), quireYaml);
  writeFileSync(join(root, 'nb.yaml'), notebook);
  return root;
}

const NOTEBOOK = `title: Budget
sources:
  targets: { file: data/targets.csv }
cells:
  - id: by_team
    type: query
    sql: SELECT Team AS team, sum(Amount) AS amount, min(Month) AS first_month FROM budget GROUP BY ALL ORDER BY team
  - id: vs_target
    type: query
    sql: SELECT count(*) AS n FROM by_team, targets
`;

describe('sources in a notebook', () => {
  it('quire.yaml and notebook sources are tables cells read; they are DAG inputs and keys of the cell cache', async () => {
    const root = project('sources:\n  budget: { file: data/budget.xlsx, sheet: FY26, header_row: 2 }\n', NOTEBOOK);
    await writeBudget(join(root, 'data/budget.xlsx'));
    writeFileSync(join(root, 'data/targets.csv'), 'region,target\nEU,1\nNA,2\n');
    const nb = await validateNotebook(join(root, 'nb.yaml'));
    expect(nb.dag.sources).toEqual({ by_team: ['budget'], vs_target: ['targets'] });
    const nodes = nb.cells.map((c) => ({ id: c.spec.id, type: c.spec.type }));
    const files = { budget: 'data/budget.xlsx', targets: 'data/targets.csv' };
    expect(formatDag(nb.dag, nodes, 'text', files)).toContain('inputs: budget (source: data/budget.xlsx), targets (source: data/targets.csv)\nlevel 1:\n  by_team (query)  <- budget\n');
    expect(formatDag(nb.dag, nodes, 'mermaid', files)).toContain('  budget -.-> by_team\n');
    expect(formatDag(nb.dag, nodes, 'dot', files)).toContain('"targets" -> "vs_target" [style=dashed];');

    const first = await runNotebook(join(root, 'nb.yaml'));
    expect(first.manifest.cells.map((c) => c.error?.message)).toEqual([undefined, undefined]);
    expect(first.manifest.status).toBe('succeeded');
    const table = outputsMap(loadStoredOutputs(first.dir, first.manifest.id)).get('by_team') as TableOutput;
    expect(table.rows).toEqual([
      ['Ops', 800, '2026-02-01'],
      ['Sales', 1200.5, '2026-01-01'],
    ]);
    expect(table.columns.map((c) => c.type)).toEqual(['VARCHAR', 'DOUBLE', 'DATE']);

    const again = await runNotebook(join(root, 'nb.yaml'));
    expect(again.manifest.cells.map((c) => c.cache_hit)).toEqual([true, true]);
    // A changed file: the cells reading it run again (by_team directly, vs_target downstream of it).
    await writeBudget(join(root, 'data/budget.xlsx'), (ws) => {
      ws.getCell('C5').value = 900;
    });
    utimesSync(join(root, 'data/budget.xlsx'), new Date(), new Date(Date.now() + 5000));
    const changed = await runNotebook(join(root, 'nb.yaml'));
    expect(changed.manifest.cells.map((c) => c.cache_hit)).toEqual([false, false]);
    const t2 = outputsMap(loadStoredOutputs(changed.dir, changed.manifest.id)).get('by_team') as TableOutput;
    expect(t2.rows[0]).toEqual(['Ops', 900, '2026-02-01']);
  });

  it("a cell on a server connection reads the server's table of that name, not the source", async () => {
    const root = project(
      'sources:\n  budget: { file: data/budget.xlsx }\nconnections:\n  warehouse: { type: postgres, url: "postgres://nobody@127.0.0.1:1/none" }\n',
      'title: T\ncells:\n  - id: on_server\n    type: query\n    connection: warehouse\n    sql: SELECT * FROM budget\n  - id: local\n    type: query\n    sql: SELECT * FROM budget\n',
    );
    await writeBudget(join(root, 'data/budget.xlsx'));
    const nb = await validateNotebook(join(root, 'nb.yaml'));
    expect(nb.dag.sources).toEqual({ local: ['budget'] });
  });

  it('a bad sheet fails the cell that reads it, naming the sheet', async () => {
    const root = project('sources:\n  budget: { file: data/budget.xlsx, sheet: FY27 }\n', NOTEBOOK.replace('  targets: { file: data/targets.csv }\n', '  {}\n').replace('sources:\n  {}\n', ''));
    await writeBudget(join(root, 'data/budget.xlsx'));
    const run = await runNotebook(join(root, 'nb.yaml'), { cache: 'off' });
    expect(run.manifest.status).toBe('failed');
    expect(run.manifest.cells[0].error).toMatchObject({ code: 'E_SOURCE_SHEET', message: expect.stringContaining("has no sheet 'FY27'") });
  });

  it('validate: a missing file is located at its `file:`; a cell named like a source is an error; a sheet key on a csv is a schema error', async () => {
    const root = project(
      'sources:\n  budget: { file: data/budget.xlsx }\n  gone: { file: data/gone.csv }\n',
      `title: Budget
sources:
  targets: { file: data/missing.csv }
  odd: { file: data/x.csv, sheet: FY26 }
cells:
  - id: budget
    type: query
    sql: SELECT * FROM targets
`,
    );
    await writeBudget(join(root, 'data/budget.xlsx'));
    const err = await validateNotebook(join(root, 'nb.yaml')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationErrors);
    const errors = (err as ValidationErrors).errors.map((e) => [e.code, e.location?.line]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['E_SOURCE_MISSING', 3],
        ['E_SCHEMA', 4],
        ['E_SOURCE_SHADOWED', 6],
      ]),
    );
    expect((err as ValidationErrors).errors.find((e) => e.message.includes('gone'))?.location).toMatchObject({ file: expect.stringMatching(/quire\.yaml$/), line: 3, col: 17 });
  });
});
