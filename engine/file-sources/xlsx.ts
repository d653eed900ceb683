/**
 * An .xlsx source into a DuckDB table, read with exceljs's streaming reader: one row at a time
 * goes through a DuckDB appender into a staging table of text, while each column's kinds are
 * tallied; the table is then made with one cast per column (xlsx-values.ts `columnType`). Memory
 * holds a row, not the sheet. Every problem names the file, the sheet and the cell.
 */
import type ExcelJS from 'exceljs';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/duck.js';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { RANGE, type ResolvedSource } from './spec.js';
import { CellErrorValue, columnLetter, columnNumber, columnType, sheetValue, type ValueKind } from './xlsx-values.js';

interface Bounds {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

function boundsOf(range: string | undefined): Bounds | null {
  const m = range ? RANGE.exec(range) : null;
  if (!m) return null;
  const [a, b] = [columnNumber(m[1]), columnNumber(m[3])];
  const [r1, r2] = [Number(m[2]), Number(m[4])];
  return { top: Math.min(r1, r2), bottom: Math.max(r1, r2), left: Math.min(a, b), right: Math.max(a, b) };
}

interface Column {
  col: number;
  name: string;
  kinds: Set<ValueKind>;
}

type Row = { number: number; values: unknown; getCell(col: number): { numFmt?: string } };

/** The number format matters only for a formula's numeric result (a plain date cell arrives as a Date already). */
function numFmtOf(row: Row, col: number, value: unknown): string | undefined {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && ('formula' in value || 'sharedFormula' in value) ? row.getCell(col).numFmt : undefined;
}

/** Reads rows of one sheet into `staging`; returns the columns and the row count. */
class SheetLoader {
  private columns: Column[] | null = null;
  /** Column number → index in `columns`. */
  private byCol = new Map<number, number>();
  private appender: DuckDBAppender | null = null;
  rows = 0;

  constructor(
    private readonly source: ResolvedSource,
    private readonly sheet: string,
    private readonly headerRow: number,
    private readonly bounds: Bounds | null,
    private readonly duck: DuckDBConnection,
    private readonly staging: string,
  ) {}

  private where(row: number, col?: number): string {
    const cell = col === undefined ? `row ${row}` : `cell ${columnLetter(col)}${row} (row ${row}, column ${columnLetter(col)})`;
    return `${this.source.spec.file}, sheet '${this.sheet}', ${cell}`;
  }

  private fail(code: string, what: string, hint: string): never {
    throw new UserError(code, `source ${this.source.name}: ${what}`, { hint });
  }

  private inBounds(col: number): boolean {
    return !this.bounds || (col >= this.bounds.left && col <= this.bounds.right);
  }

  async add(row: Row): Promise<boolean> {
    const r = row.number;
    if (r < this.headerRow) return true;
    if (this.bounds && r > this.bounds.bottom) return false;
    const values = (Array.isArray(row.values) ? row.values : []) as unknown[];
    if (!this.columns) {
      if (r > this.headerRow) this.noHeader();
      await this.header(row, values);
      return true;
    }
    const cells: (string | null)[] = this.columns.map(() => null);
    let any = false;
    for (let col = 1; col < values.length; col++) {
      const raw = values[col];
      if (raw === undefined || raw === null || !this.inBounds(col)) continue;
      const v = sheetValue(raw, numFmtOf(row, col, raw));
      if (v === null) continue;
      if (v instanceof CellErrorValue) this.fail('E_SOURCE_CELL', `${this.where(r, col)} holds the error ${v.error}`, 'fix the formula in the workbook, or leave the cell out with `range:`');
      const i = this.byCol.get(col);
      if (i === undefined) {
        this.fail(
          'E_SOURCE_HEADER',
          `${this.where(r, col)} has a value but its column has no name in the header row (row ${this.headerRow})`,
          'name the column in the header row, or set `range:` (e.g. A1:F200) to read only the named columns',
        );
      }
      this.columns[i].kinds.add(v.kind);
      cells[i] = v.text;
      any = true;
    }
    if (!any) return true; // blank rows are skipped
    const appender = this.appender!;
    for (const v of cells) {
      if (v === null) appender.appendNull();
      else appender.appendVarchar(v);
    }
    appender.endRow();
    this.rows++;
    return true;
  }

  private noHeader(): never {
    this.fail('E_SOURCE_HEADER', `${this.where(this.headerRow)} is empty: no header row with the column names`, 'set `header_row:` (or `range:`) of the source to the row holding the column names');
  }

  private async header(row: Row, values: unknown[]): Promise<void> {
    const named: { col: number; name: string | null }[] = [];
    const last = this.bounds ? this.bounds.right : values.length - 1;
    for (let col = this.bounds ? this.bounds.left : 1; col <= last; col++) {
      const v = sheetValue(values[col], numFmtOf(row, col, values[col]));
      named.push({ col, name: v === null || v instanceof CellErrorValue ? null : v.text.trim() });
    }
    // Without a range, empty columns at either end of the header are not part of the table.
    while (!this.bounds && named.length && named[0].name === null) named.shift();
    while (!this.bounds && named.length && named.at(-1)!.name === null) named.pop();
    if (!named.length) this.noHeader();
    const seen = new Map<string, number>();
    for (const { col, name } of named) {
      if (name === null) {
        this.fail('E_SOURCE_HEADER', `${this.where(row.number, col)} is empty: the header row names every column`, 'name the column, or narrow `range:` to the named columns');
      }
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) {
        this.fail(
          'E_SOURCE_HEADER',
          `${this.where(row.number, col)}: the column name '${name}' is already the name of column ${columnLetter(first)}`,
          'column names become SQL column names and must be unique (case does not count): rename one',
        );
      }
      seen.set(name.toLowerCase(), col);
    }
    this.columns = named.map(({ col, name }) => ({ col, name: name!, kinds: new Set() }));
    this.byCol = new Map(this.columns.map((c, i) => [c.col, i]));
    await this.duck.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(this.staging)} (${this.columns.map((_, i) => `c${i} VARCHAR`).join(', ')})`);
    this.appender = await this.duck.createAppender(this.staging, 'main', 'temp');
  }

  /** The typed table from the staging rows. */
  async finish(target: string): Promise<void> {
    if (!this.columns) this.noHeader();
    this.appender!.flushSync();
    this.appender!.closeSync();
    this.appender = null;
    const select = this.columns.map((c, i) => `CAST(c${i} AS ${columnType(c.kinds)}) AS ${quoteIdent(c.name)}`).join(', ');
    await this.duck.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${select} FROM temp.main.${quoteIdent(this.staging)}`);
  }

  close(): void {
    this.appender?.closeSync();
  }
}

type SheetReader = AsyncIterable<Row> & { name: string };

/** The sheets of a workbook read whole, as the streaming reader gives them. */
async function* inMemorySheets(wb: ExcelJS.Workbook): AsyncIterable<SheetReader> {
  for (const ws of wb.worksheets) {
    // As the streaming reader: rows with values only.
    const kept: Row[] = [];
    ws.eachRow((row) => {
      kept.push(row as unknown as Row);
    });
    async function* rows(): AsyncIterable<Row> {
      yield* kept;
    }
    yield Object.assign(rows(), { name: ws.name });
  }
}

/** Loads `source` (an .xlsx file) into `target`; returns its row count. */
export async function loadXlsx(duck: DuckDBConnection, source: ResolvedSource, target: string): Promise<number> {
  const { spec } = source;
  const bounds = boundsOf(spec.range);
  const headerRow = spec.header_row ?? bounds?.top ?? 1;
  const staging = `__quire_source_${source.name}`;
  // exceljs (~650 CommonJS files) is loaded only when an .xlsx source is: `quire validate` never needs it.
  const { default: excel } = (await import('exceljs')) as { default: typeof ExcelJS };
  const names: string[] = [];
  let loader: SheetLoader | null = null;
  const load = async (sheets: AsyncIterable<SheetReader>, ordered: () => string[] | undefined): Promise<number | null> => {
    for await (const ws of sheets) {
      names.push(ws.name);
      const wanted = spec.sheet ?? ordered()?.[0] ?? ws.name;
      if (ws.name !== wanted) {
        for await (const _ of ws) {
          // another sheet: its rows are read past
        }
        continue;
      }
      loader = new SheetLoader(source, ws.name, headerRow, bounds, duck, staging);
      for await (const row of ws) if (!(await loader.add(row))) break;
      await loader.finish(target);
      return loader.rows;
    }
    return null;
  };
  try {
    const reader = new excel.stream.xlsx.WorkbookReader(source.path, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
    try {
      const rows = await load(reader as unknown as AsyncIterable<SheetReader>, () => (reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets?.map((s) => s.name));
      if (rows !== null) return rows;
    } catch (err) {
      // exceljs's streaming reader needs xl/workbook.xml before the sheets in the zip; some writers
      // (exceljs itself, at times) put it after. Such a file is read whole instead.
      if (loader !== null || !(err instanceof TypeError)) throw err;
      names.length = 0;
      const wb = new excel.Workbook();
      await wb.xlsx.readFile(source.path);
      const rows = await load(inMemorySheets(wb), () => wb.worksheets.map((w) => w.name));
      if (rows !== null) return rows;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('E_SOURCE_UNREADABLE', `source ${source.name}: cannot read ${spec.file} as an Excel workbook (${(err as Error).message.split('\n')[0]})`, {
      hint: 'save it from Excel (or LibreOffice) as .xlsx; .xls and password-protected workbooks are not read',
    });
  } finally {
    (loader as SheetLoader | null)?.close();
    await duck.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(staging)}`);
  }
  const dym = spec.sheet ? didYouMean(spec.sheet, names) : '';
  throw new UserError('E_SOURCE_SHEET', `source ${source.name}: ${spec.file} has no sheet '${spec.sheet ?? '(any)'}'${dym ? ` — ${dym}` : ''}`, {
    hint: names.length ? `its sheets: ${names.map((n) => `'${n}'`).join(', ')}` : 'the workbook has no worksheets',
  });
}
