import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { validateNotebook } from '../../engine/index.js';
import { ValidationErrors } from '../../engine/util/errors.js';

/** A project that has run before (its runs folder exists), reading orders.csv; returns its dir. */
function project(csv: string, opts: { runs?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bind-memo-'));
  writeFileSync(join(dir, 'quire.yaml'), 'runs_dir: runs\n');
  writeFileSync(join(dir, 'orders.csv'), csv);
  if (opts.runs !== false) mkdirSync(join(dir, 'runs'));
  return dir;
}

const notebook = (column: string) => `title: T
params:
  since: { type: date, default: "2026-01-01" }
cells:
  - id: orders
    type: query
    sql: SELECT * FROM read_csv('orders.csv') WHERE day >= $since
  - id: totals
    type: query
    sql: SELECT sum(${column}) AS total FROM orders
`;

async function problems(dir: string, column: string): Promise<string[]> {
  writeFileSync(join(dir, 'nb.yaml'), notebook(column));
  try {
    await validateNotebook(join(dir, 'nb.yaml'));
    return [];
  } catch (err) {
    if (!(err instanceof ValidationErrors)) throw err;
    return err.errors.map((e) => e.message.split('\n')[0]!);
  }
}

const memoDir = (dir: string) => join(dir, 'runs', '.cache', '.bind');
const kept = (dir: string) => (existsSync(memoDir(dir)) ? readdirSync(memoDir(dir)).filter((f) => f.endsWith('.json')) : []);

describe('quire validate remembers what the binder found', () => {
  it('re-validating uses the kept columns; a changed file, notebook or database is bound again', async () => {
    const dir = project('day,amount\n2026-01-02,5\n');
    expect(await problems(dir, 'amount')).toEqual([]);
    const entries = kept(dir);
    expect(entries.length).toBe(2);
    // The kept columns are what validation uses while nothing changed: doctored ones show it.
    const ordersEntry = entries.find((f) => readFileSync(join(memoDir(dir), f), 'utf8').includes('"day"'))!;
    writeFileSync(
      join(memoDir(dir), ordersEntry),
      JSON.stringify({
        columns: [
          { name: 'day', type: 'DATE' },
          { name: 'price', type: 'BIGINT' },
        ],
      }),
    );
    expect(await problems(dir, 'price')).toEqual([]);
    // The file changes (another column, another size): bound again, from the file.
    writeFileSync(join(dir, 'orders.csv'), 'day,amount,price\n2026-01-02,5,7\n');
    expect(await problems(dir, 'price')).toEqual([]);
    writeFileSync(join(dir, 'orders.csv'), 'day,qty\n2026-01-02,5\n');
    const errors = await problems(dir, 'price');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/cell totals: Binder Error: Referenced column "price" not found/);
  });

  it('a file rewritten at the same size is seen by its time', async () => {
    const dir = project('day,aaa\n2026-01-02,5\n');
    expect(await problems(dir, 'aaa')).toEqual([]);
    writeFileSync(join(dir, 'orders.csv'), 'day,bbb\n2026-01-02,5\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'orders.csv'), later, later);
    expect((await problems(dir, 'aaa'))[0]).toMatch(/Referenced column "aaa" not found/);
    expect(await problems(dir, 'bbb')).toEqual([]);
  });

  it('errors are never kept; a project that never ran gets nothing written', async () => {
    const dir = project('day,amount\n2026-01-02,5\n');
    expect(await problems(dir, 'nope')).toHaveLength(1);
    expect(kept(dir)).toHaveLength(1); // orders only: totals failed to bind
    expect(await problems(dir, 'nope')).toHaveLength(1);
    const fresh = project('day,amount\n2026-01-02,5\n', { runs: false });
    expect(await problems(fresh, 'amount')).toEqual([]);
    expect(existsSync(join(fresh, 'runs'))).toBe(false);
  });

  it('a table of the project database is bound again once the database changed', async () => {
    const dir = project('day,amount\n2026-01-02,5\n');
    const db = join(dir, 'main.duckdb');
    const write = async (sql: string) => {
      const i = await DuckDBInstance.create(db);
      const c = await i.connect();
      await c.run(sql);
      c.closeSync();
      i.closeSync();
    };
    await write('CREATE TABLE refunds AS SELECT 1 AS amount');
    writeFileSync(join(dir, 'quire.yaml'), 'database: main.duckdb\nruns_dir: runs\n');
    const nb = (col: string) => `title: T\ncells:\n  - id: r\n    type: query\n    sql: SELECT * FROM refunds\n  - id: s\n    type: query\n    sql: SELECT sum(${col}) AS t FROM r\n`;
    writeFileSync(join(dir, 'db.yaml'), nb('amount'));
    await validateNotebook(join(dir, 'db.yaml'));
    await write('DROP TABLE refunds; CREATE TABLE refunds AS SELECT 1 AS refunded');
    writeFileSync(join(dir, 'db.yaml'), nb('refunded'));
    await validateNotebook(join(dir, 'db.yaml'));
  });
});
