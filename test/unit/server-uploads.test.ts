/**
 * Uploading files into new tables: CSV, XLSX and Parquet staged with their types inferred over
 * every row, committed atomically; bad files name the row and column; nothing half-written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { commitUpload, freeTableName, stageUpload, stagedUpload, UPLOADS } from '../../engine/server/services/uploads.js';
import { FieldInputError } from '../../engine/util/errors.js';
import { listTables, tableDetail } from '../../engine/server/services/tables.js';
import { catalogProject, type CatalogProject } from '../helpers/catalog-project.js';

let p: CatalogProject;
beforeAll(() => {
  p = catalogProject();
});
afterAll(() => p.close());

const csv = (text: string) => new TextEncoder().encode(text);

async function xlsx(rows: unknown[][], sheet = 'Data'): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function parquet(sql: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-pq-'));
  const db = await DuckDBInstance.create(':memory:');
  try {
    const conn = await db.connect();
    await conn.run(`COPY (${sql}) TO '${join(dir, 'x.parquet')}' (FORMAT parquet)`);
    return new Uint8Array(readFileSync(join(dir, 'x.parquet')));
  } finally {
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const tableNames = async () => (await listTables(p)).tables.map((t) => t.name);

describe('uploads', () => {
  it('stages a CSV with types inferred over every row, then commits it as a new table', async () => {
    const lines = ['id,region,amount,day,zip'];
    for (let i = 1; i <= 30_000; i++) lines.push(`${i},${i % 2 ? 'EU' : 'US'},${i === 29_999 ? '12.5' : i},2026-01-${String((i % 28) + 1).padStart(2, '0')},0${i % 9}123`);
    const staged = await stageUpload(p, { filename: 'Sales 2026.csv', data: csv(`${lines.join('\n')}\n`) });
    expect(staged).toMatchObject({ format: 'csv', row_count: 30_000, suggested_table: 'sales_2026', sheet: null });
    // the one decimal is on row 29,999: beyond DuckDB's default sample, still a DOUBLE column
    expect(staged.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'day', type: 'DATE' },
      { name: 'zip', type: 'VARCHAR' },
    ]);
    expect(staged.preview[0]).toEqual(['1', 'EU', 1, '2026-01-02', '01123']);
    expect(await tableNames()).not.toContain('sales_2026'); // staged, not loaded
    const done = await commitUpload(p, staged.id, { table: 'sales_2026' });
    expect(done).toMatchObject({ table: 'sales_2026', row_count: 30_000 });
    const d = await tableDetail(p, 'sales_2026', { limit: 2 });
    expect(d).toMatchObject({ row_count: 30_000, kind: 'table' });
    expect(d.columns.find((c) => c.name === 'amount')?.type).toBe('DOUBLE');
    // committed: the staged file is gone
    expect(() => stagedUpload(p, staged.id)).toThrow(expect.objectContaining({ code: 'E_UPLOAD_UNKNOWN' }));
  });

  it('names the line and column of a bad CSV row, and loads nothing', async () => {
    const bad = csv('id,name,amount\n1,a,2.5\n2,b,3\n3,c\n4,d,5\n');
    const err = await stageUpload(p, { filename: 'bad.csv', data: bad }).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_UPLOAD_BAD_ROW' });
    expect(err.message).toMatch(/line 4, column amount: Expected Number of Columns: 3 Found: 2/);
    expect(readdirSync(p.state.get(UPLOADS).dir)).toEqual([]); // the first test's upload was committed: nothing staged
  });

  it("reads the first sheet of a workbook with its cells' own types, naming bad cells by row and column", async () => {
    const data = await xlsx([
      ['order', 'when', 'amount', 'paid', 'code'],
      [1, new Date(Date.UTC(2026, 0, 5)), 10.5, true, '007'],
      [2, new Date(Date.UTC(2026, 0, 6)), 20, false, '008'],
    ]);
    const staged = await stageUpload(p, { filename: 'orders.xlsx', data });
    expect(staged).toMatchObject({ format: 'xlsx', sheet: 'Data', row_count: 2 });
    expect(staged.columns).toEqual([
      { name: 'order', type: 'BIGINT' },
      { name: 'when', type: 'DATE' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'paid', type: 'BOOLEAN' },
      { name: 'code', type: 'VARCHAR' },
    ]);
    expect(staged.preview[0]).toEqual(['1', '2026-01-05', 10.5, true, '007']);

    const wide = await xlsx([
      ['a', 'b'],
      [1, 2],
      [3, 4, 'stray'],
    ]);
    await expect(stageUpload(p, { filename: 'wide.xlsx', data: wide })).rejects.toMatchObject({
      code: 'E_UPLOAD_BAD_CELL',
      message: expect.stringMatching(/sheet 'Data', row 3, column C has a value right of the header's 2 columns/),
    });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(['x']);
    ws.getCell('A2').value = { error: '#DIV/0!' } as ExcelJS.CellErrorValue;
    const errors = new Uint8Array(await wb.xlsx.writeBuffer());
    await expect(stageUpload(p, { filename: 'e.xlsx', data: errors })).rejects.toMatchObject({
      code: 'E_UPLOAD_BAD_CELL',
      message: expect.stringMatching(/row 2, column A holds the Excel error #DIV\/0!/),
    });
  });

  it('refuses a corrupt workbook, a renamed file, a file too large, an empty one and unknown formats', async () => {
    const staged = readdirSync(p.state.get(UPLOADS).dir);
    const zipJunk = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(200).fill(7)]);
    await expect(stageUpload(p, { filename: 'broken.xlsx', data: zipJunk })).rejects.toMatchObject({ code: 'E_UPLOAD_CORRUPT' });
    await expect(stageUpload(p, { filename: 'fake.xlsx', data: csv('a,b\n1,2\n') })).rejects.toMatchObject({ code: 'E_UPLOAD_CORRUPT' });
    await expect(stageUpload(p, { filename: 'fake.parquet', data: csv('a,b\n1,2\n') })).rejects.toMatchObject({ code: 'E_UPLOAD_CORRUPT' });
    await expect(stageUpload(p, { filename: 'big.csv', data: csv(`a\n${'1\n'.repeat(600)}`) }, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'E_UPLOAD_TOO_LARGE' });
    await expect(stageUpload(p, { filename: 'empty.csv', data: new Uint8Array() })).rejects.toMatchObject({ code: 'E_UPLOAD_EMPTY' });
    await expect(stageUpload(p, { filename: 'old.xls', data: csv('x') })).rejects.toMatchObject({ code: 'E_UPLOAD_FORMAT', hint: expect.stringMatching(/xlsx/) });
    expect(readdirSync(p.state.get(UPLOADS).dir)).toEqual(staged); // nothing left of the refused files
  });

  it('loads Parquet as it is typed; a truncated Parquet file is refused', async () => {
    const data = await parquet("SELECT range AS n, 'x' || range AS label, DATE '2026-01-01' + range::INT AS d FROM range(100)");
    const staged = await stageUpload(p, { filename: 'events.parquet', data });
    expect(staged.columns).toEqual([
      { name: 'n', type: 'BIGINT' },
      { name: 'label', type: 'VARCHAR' },
      { name: 'd', type: 'DATE' },
    ]);
    await commitUpload(p, staged.id, { table: 'pq_events' });
    expect((await tableDetail(p, 'pq_events')).row_count).toBe(100);
    const cut = new Uint8Array([...data.subarray(0, 40), ...data.subarray(data.length - 40)]);
    await expect(stageUpload(p, { filename: 'cut.parquet', data: cut })).rejects.toMatchObject({ code: 'E_UPLOAD_BAD_FILE' });
  });

  it('never replaces a table, refuses bad names, and writes nothing when the transaction fails', async () => {
    const stage = () => stageUpload(p, { filename: 'x.csv', data: csv('a,b\n1,2\n') });
    const s = await stage();
    await expect(commitUpload(p, s.id, { table: 'ORDERS' })).rejects.toMatchObject({ code: 'E_TABLE_EXISTS' });
    expect((await tableDetail(p, 'orders')).row_count).toBe(20_000);
    await expect(commitUpload(p, s.id, { table: 'x; DROP TABLE orders' })).rejects.toThrow(/table name/);
    await expect(commitUpload(p, s.id, { table: '1abc' })).rejects.toThrow(/table name/);
    await expect(
      commitUpload(
        p,
        s.id,
        { table: 'half' },
        {
          beforeCommit: () => {
            throw new Error('disk full');
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'E_UPLOAD_COMMIT' });
    expect(await tableNames()).not.toContain('half');
    // the staged upload survives a failed commit and can be committed under a free name
    await expect(commitUpload(p, s.id, { table: 'half' })).resolves.toMatchObject({ row_count: 1 });
  });

  it("suggests a table name the database doesn't have, and refuses a taken one as the table field's error", async () => {
    expect(freeTableName('orders', ['ORDERS', 'orders_2', 'x'])).toBe('orders_3');
    expect(freeTableName('fresh', ['orders'])).toBe('fresh');
    expect(freeTableName('a'.repeat(63), ['a'.repeat(63)])).toBe(`${'a'.repeat(61)}_2`); // still at most 63 characters
    const s = await stageUpload(p, { filename: 'Orders.csv', data: csv('id,amount\n1,2.5\n') });
    expect(s.suggested_table).toBe('orders_2'); // orders is the warehouse's own table
    const err = await commitUpload(p, s.id, { table: 'orders' }).catch((e) => e);
    expect(err).toBeInstanceOf(FieldInputError);
    expect(err).toMatchObject({ field: 'table', code: 'E_TABLE_EXISTS' });
    expect(err.hint).toMatch(/'orders_2' is free/);
    expect((await tableDetail(p, 'orders')).row_count).toBe(20_000); // untouched
    await expect(commitUpload(p, s.id, { table: 'no good' })).rejects.toMatchObject({ field: 'table', code: 'E_BAD_TABLE_NAME' });
    await expect(commitUpload(p, s.id, { table: s.suggested_table })).resolves.toMatchObject({ table: 'orders_2', row_count: 1 });
    const next = await stageUpload(p, { filename: 'orders.csv', data: csv('id\n1\n') });
    expect(next.suggested_table).toBe('orders_3');
  });

  it('forgets staged uploads after an hour', async () => {
    const s = await stageUpload(p, { filename: 'later.csv', data: csv('a\n1\n') });
    p.setNow(new Date(p.clock().getTime() + 61 * 60_000));
    await expect(commitUpload(p, s.id, { table: 'later' })).rejects.toMatchObject({ code: 'E_UPLOAD_UNKNOWN' });
    expect(() => stagedUpload(p, 'not-an-id')).toThrow(expect.objectContaining({ code: 'E_UPLOAD_UNKNOWN' }));
  });
});
