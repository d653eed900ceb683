import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { validateNotebook } from '../../engine/index.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';

/** A project whose database holds month_orders(id, amount, ordered_at). */
async function project(notebook: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-validate-schema-'));
  const db = await DuckDBInstance.create(join(dir, 'main.duckdb'));
  const c = await db.connect();
  await c.run(`CREATE TABLE month_orders AS SELECT 1 AS id, 9.5::DOUBLE AS amount, DATE '2026-11-01' AS ordered_at`);
  c.closeSync();
  db.closeSync();
  writeFileSync(join(dir, 'quire.yaml'), 'database: main.duckdb\n');
  writeFileSync(join(dir, 'nb.yaml'), notebook);
  return join(dir, 'nb.yaml');
}

async function problems(notebook: string): Promise<QuireError[]> {
  const err = await validateNotebook(await project(notebook)).then(
    () => null,
    (e: unknown) => e,
  );
  if (err === null) return [];
  expect(err).toBeInstanceOf(ValidationErrors);
  return (err as ValidationErrors).errors;
}

describe('quire validate binds SQL against the schema', () => {
  it("a misspelt table is a located error keeping DuckDB's suggestion", async () => {
    const [e, ...rest] = await problems(`title: T
cells:
  - id: orders
    type: query
    sql: |
      SELECT id
      FROM month_order
`);
    expect(rest).toEqual([]);
    expect(e!.code).toBe('E_SQL_BIND');
    expect(e!.message).toContain('month_order does not exist');
    expect(e!.message).toContain('Did you mean "month_orders"');
    expect(e!.location).toMatchObject({ line: 7, col: 12 });
  });

  it('a misspelt column, also in a cell reading an upstream cell, keeps the candidate bindings', async () => {
    const errs = await problems(`title: T
params:
  since: { type: date, default: '2026-01-01' }
cells:
  - id: orders
    type: query
    sql: SELECT id, amount AS total FROM month_orders WHERE ordered_at >= $since
  - id: summary
    type: query
    sql: |
      SELECT sum(totl) AS revenue
      FROM orders
  - id: direct
    type: query
    sql: SELECT amout FROM month_orders
`);
    expect(errs.map((e) => e.code)).toEqual(['E_SQL_BIND', 'E_SQL_BIND']);
    const [summary, direct] = errs;
    expect(summary!.message).toContain('cell summary');
    expect(summary!.message).toContain('Candidate bindings: "total"');
    expect(summary!.location).toMatchObject({ line: 11, col: 18 });
    expect(direct!.message).toContain('Candidate bindings: "amount"');
    expect(direct!.location?.line).toBe(15);
  });

  it('a table that exists nowhere is an error; correct SQL with params validates clean', async () => {
    const errs = await problems(`title: T
params:
  n: { type: integer, default: 3 }
cells:
  - id: ok
    type: query
    sql: SELECT id, amount * $n AS x FROM month_orders LIMIT $n
  - id: ok2
    type: query
    sql: SELECT x + 1 AS y FROM ok
  - id: missing
    type: query
    sql: SELECT * FROM refunds
`);
    expect(errs.map((e) => [e.code, e.message.split('\n')[0]])).toEqual([['E_SQL_BIND', 'cell missing: Catalog Error: Table with name refunds does not exist!']]);
    expect(errs[0]!.hint).toMatch(/table name/);
  });

  it("DuckDB's suggestion of one of its own catalog tables is left out", async () => {
    const [e] = await problems(`title: T
cells:
  - id: a
    type: query
    sql: SELECT * FROM prepared_statement
`);
    expect(e!.message).toContain('prepared_statement does not exist');
    expect(e!.message).not.toContain('Did you mean');
  });

  it('the suggestion for a misspelt cell id names the cell even when it is declared later', async () => {
    const [e] = await problems(`title: T
cells:
  - id: headline
    type: query
    sql: SELECT * FROM month_total
  - id: month_totals
    type: query
    sql: SELECT count(*) AS orders FROM month_orders
`);
    expect(e!.message).toContain('Did you mean "month_totals"');
  });

  it('cells of one level bound at once each keep their errors, those whose types hang on $params too', async () => {
    const errs = await problems(`title: T
params:
  n: { type: integer, default: 3 }
cells:
  - id: a
    type: query
    sql: SELECT amout * $n AS x FROM month_orders
  - id: b
    type: query
    sql: SELECT id * $n AS y FROM month_ordrs
  - id: c
    type: query
    sql: SELECT amount * $n AS z FROM month_orders
  - id: d
    type: query
    sql: SELECT zz FROM c
`);
    expect(errs.map((e) => e.message.split('\n')[0])).toEqual([
      expect.stringContaining('cell a: Binder Error: Referenced column "amout" not found'),
      expect.stringContaining('cell b: Catalog Error: Table with name month_ordrs does not exist'),
      expect.stringContaining('cell d: Binder Error: Referenced column "zz" not found'),
    ]);
  });

  it('a cell reading a source is not bound; cells after one that depends on another are', async () => {
    const nb = await project(`title: T
sources:
  budget: { file: budget.csv }
cells:
  - id: plan
    type: query
    sql: SELECT regin FROM budget
  - id: totals
    type: query
    sql: SELECT sum(amount) AS revenue FROM month_orders WHERE 'plan' <> ''
  - id: typo
    type: query
    sql: SELECT amout FROM month_orders
  - id: after
    type: query
    depends_on: [totals]
    sql: SELECT idd FROM month_orders
`);
    writeFileSync(join(nb, '..', 'budget.csv'), 'region,amount\nEU,1\n');
    const err = (await validateNotebook(nb).catch((e: unknown) => e)) as ValidationErrors;
    // plan reads a source (its columns are known at run time only): never bound, whatever was started for it.
    expect(err.errors.map((e) => e.message.split('\n')[0])).toEqual([
      expect.stringContaining('cell typo: Binder Error: Referenced column "amout" not found'),
      expect.stringContaining('cell after: Binder Error: Referenced column "idd" not found'),
    ]);
  });

  it('a cycle is reported beside the binding of the cells outside it', async () => {
    const errs = await problems(`title: T
cells:
  - id: a
    type: query
    sql: SELECT amount FROM month_orders
  - id: b
    type: query
    sql: SELECT * FROM a JOIN c USING (id)
  - id: c
    type: query
    sql: SELECT * FROM b
`);
    expect(errs.map((e) => e.code)).toContain('E_CYCLE');
  });
});
