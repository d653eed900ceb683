import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { fixtureProject, quire } from '../helpers/cli.js';
import { pdfText } from '../helpers/pdf.js';
import { sheetNames } from '../../engine/report/xlsx/index.js';

function run(fixture: string, args: string[]) {
  const dir = fixtureProject(fixture);
  const r = quire(['run', 'notebook.yaml', '--json', ...args], dir);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { dir: string; status: string; exports: Record<string, string>; cells: { id: string; rows: number | null }[] };
}

async function workbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

describe('report.xlsx', () => {
  let wb: ExcelJS.Workbook;
  let m: ReturnType<typeof run>;
  beforeAll(async () => {
    m = run('visualization', ['--export', 'xlsx']);
    wb = await workbook(join(m.dir, 'report.xlsx'));
  });

  it('has a Summary, then one sheet per table, named by cell title', () => {
    expect(m.status).toBe('succeeded');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'daily', 'Regions <b>bold< b>', 'by_channel', 'totals', 'all_orders']);
  });

  it('Summary: title, run, provenance, params, KPIs, contents — hostile strings kept as text', () => {
    const s = wb.getWorksheet('Summary')!;
    const values = s.getSheetValues().flatMap((row) => (Array.isArray(row) ? row.filter((v) => v !== undefined && v !== null) : []));
    const text = values.map((v) => (v instanceof Date ? v.toISOString() : String(v)));
    expect(s.getCell('A1').value).toBe("Charts <script>alert('title')</script> & “quotes”");
    expect(s.getCell('A1').font.bold).toBe(true);
    expect(text).toContain('succeeded');
    expect(text).toContain('<img src=x onerror=alert(1)> Zürich 東京'); // param value
    expect(text.some((t) => /^run \S+ · notebook notebook@[0-9a-f]{12} · month=2025-06 label=<img src=x onerror=alert\(1\)> Zürich 東京 · data as of .* · fingerprint [0-9a-f]{12}$/.test(t))).toBe(
      true,
    );
    // KPI cards as numbers with their formats
    const revenueRow = s.getRows(1, s.rowCount)!.find((r) => r.getCell(1).value === 'Revenue')!;
    expect(typeof revenueRow.getCell(2).value).toBe('number');
    expect(revenueRow.getCell(2).numFmt).toBe('"$"#,##0.00');
    expect(revenueRow.getCell(4).value).toBe('vs May 2025');
    expect(text).toContain('all_orders');
  });

  it('table sheets: bold frozen header, auto-filter, widths, real types and number formats', () => {
    const daily = wb.getWorksheet('daily')!;
    expect(daily.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(daily.getRow(1).values).toEqual([undefined, 'Day', 'Orders', 'Revenue']);
    expect(daily.getCell('A1').font.bold).toBe(true);
    expect(daily.autoFilter).toBe(`A1:C${daily.rowCount}`);
    expect(daily.getCell('A2').value).toEqual(new Date(Date.UTC(2025, 5, 1)));
    expect(daily.getCell('A2').numFmt).toBe('yyyy-mm-dd');
    expect(typeof daily.getCell('B2').value).toBe('number');
    expect(daily.getCell('B2').numFmt).toBe('#,##0');
    expect(typeof daily.getCell('C2').value).toBe('number');
    expect(daily.getColumn(1).width).toBeGreaterThanOrEqual(10);

    const regions = wb.getWorksheet('Regions <b>bold< b>')!;
    const eu = regions.getRows(2, regions.rowCount - 1)!.find((r) => String(r.getCell(1).value).includes('script'))!;
    expect(eu.getCell(1).value).toBe('<script>alert("eu")</script>');
    expect(eu.getCell(3).numFmt).toBe('"$"#,##0.00'); // format: from the bar chart of this table
    // the full 20,000 rows, not the preview
    expect(wb.getWorksheet('all_orders')!.rowCount).toBe(20_001);
  });

  it('each chart is a picture on the sheet of its data (Plotly too, drawn by Chromium)', () => {
    const count = (name: string) => wb.getWorksheet(name)!.getImages().length;
    expect(count('daily')).toBe(3); // line, area, vega_lite
    expect(count('Regions <b>bold< b>')).toBe(3); // bar, pie, plotly (the table view has none)
    expect(count('by_channel')).toBe(2); // heatmap, picked
    expect(count('all_orders')).toBe(1); // scatter
    expect(count('totals')).toBe(0); // KPI cards are on the Summary
    const image = wb.getImage(Number(wb.getWorksheet('daily')!.getImages()[0]!.imageId));
    expect(image.extension).toBe('png');
    expect(
      Buffer.from(image.buffer as ArrayBuffer)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('sheet names are valid, unique and cut at a word', () => {
    expect(sheetNames(['Revenue by region, last 12 months', 'a/b:c*d?', 'Summary', 'x'.repeat(40), 'x'.repeat(40), ''])).toEqual([
      'Revenue by region, last 12…',
      'a b c d',
      'Summary (2)',
      `${'x'.repeat(30)}…`,
      `${'x'.repeat(26)}… (2)`,
      'Sheet',
    ]);
  });
});

describe('a table of 250,000 rows', () => {
  it('goes to Excel whole (streamed); HTML and PDF show a preview with the total count', () => {
    const m = run('big-table', ['--export', 'html,pdf,xlsx']);
    expect(m.status).toBe('succeeded');
    expect(m.cells.find((c) => c.id === 'big')!.rows).toBe(250_000);
    const sheet = execFileSync('unzip', ['-p', join(m.dir, 'report.xlsx'), 'xl/worksheets/sheet2.xml'], { maxBuffer: 512 * 1024 * 1024 });
    const tail = sheet.subarray(sheet.length - 1500).toString('utf8');
    expect(tail).toMatch(
      /<row r="250001"><c r="A250001" s="\d+"><v>249999<\/v><\/c><c r="B250001" s="\d+"><v>62499.75<\/v><\/c><c r="C250001" s="\d+"><v>\d+<\/v><\/c><c r="D250001" t="inlineStr"><is><t xml:space="preserve">a<\/t><\/is><\/c><\/row><\/sheetData><autoFilter ref="A1:D250001"\/>/,
    );
    const html = readFileSync(join(m.dir, 'report.html'), 'utf8');
    expect(html).toContain('Showing first 100 of 250,000 rows');
    expect(html).toContain('Showing 5,000 of 250,000 rows (1 in every 50)');
    const text = pdfText(join(m.dir, 'report.pdf'));
    expect(text).toContain('Showing first 100 of 250,000 rows');
  });
});
