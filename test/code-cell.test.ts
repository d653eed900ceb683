import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook, validateNotebook, ValidationErrors } from '../engine/index.js';
import { fixtureProject } from './helpers/cli.js';

const outputs = (dir: string) => JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs as Record<string, any>;

describe('code cells', () => {
  it('move tables DuckDB → Arquero → DuckDB intact, return values and tables, and feed SQL and text', async () => {
    const project = fixtureProject('code-cells');
    const { manifest, dir } = await runNotebook(join(project, 'good.yaml'), { cache: false });
    expect(manifest.cells.filter((c) => c.status !== 'succeeded')).toEqual([]);
    const out = outputs(dir);
    // every row and value survives the round trip (EXCEPT ALL finds nothing missing), incl. NULLs, non-ASCII text, timestamps, lists
    expect(out.compare.rows[0]).toEqual(['525', '525', '0']);
    expect(out.check_top.rows[0][0]).toBe('5'); // slice(0, params.top)
    expect(out.top_customers.columns.map((c: any) => c.type)).toEqual(['INTEGER', 'DOUBLE', 'DOUBLE']); // an integer input column keeps its type
    expect(out.passthrough.columns.find((c: any) => c.name === 'order_date').type).toBe('DATE');
    expect(out.passthrough.columns.find((c: any) => c.name === 'placed_at').type).toBe('TIMESTAMP');
    expect(out.stats).toEqual({ kind: 'value', value: { rows: 525, month: '2025-06', regions: 4 } });
    expect(out.rows_made.rows).toEqual([['a', 1], ['b', 2.5], [null, null]]);
    expect(out.words.html).toContain('525 orders in 2025-06; made 3 rows.');
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toContain('rows in 525'); // console.log goes to the run log
  });

  it('reports bad code by cell and line, and never lets code reach the host', async () => {
    const project = fixtureProject('code-cells');
    const { manifest, dir } = await runNotebook(join(project, 'bad.yaml'), { cache: false });
    const byId = Object.fromEntries(manifest.cells.map((c) => [c.id, c]));
    const code = (id: string) => byId[id].error?.code;
    expect(code('nothing')).toBe('E_CODE_RESULT');
    expect(byId.nothing.error?.message).toMatch(/returned nothing \(undefined\)/);
    expect(byId.a_function.error?.message).toMatch(/returned a function/);
    expect(byId.circular.error?.message).toMatch(/circular reference/);
    expect(code('throws')).toBe('E_CODE_ERROR');
    expect(byId.throws.error?.message).toBe('cell throws: Error: boom 5 (line 3 of its code)');
    // the location is the notebook line of `throw` (the code block starts on line 30)
    expect(byId.throws.error?.location).toMatch(/bad\.yaml:32:\d+$/);
    expect(byId.requires.error?.message).toMatch(/require is not defined/);
    expect(byId.requires.error?.hint).toMatch(/isolated/);
    expect(byId.exits.error?.message).toMatch(/process is not defined/);
    expect(byId.escapes.error?.message).toMatch(/process is not defined \(line 2 of its code\)/);
    expect(byId.imports.error?.message).toMatch(/Promise/);
    expect(code('not_table')).toBe('E_CODE_INPUT');
    expect(byId.not_table.error?.message).toMatch(/input 'note' of cell not_table is not a table/);
    // constructor chains of everything code gets (aq, tables, op, params) stay inside its own realm
    expect(byId.escapes_aq.status).toBe('succeeded');
    expect(outputs(dir).escapes_aq.value).toBe('undefined|undefined|undefined|undefined');
    // an endless loop ends at timeout_ms (500), well within a second more
    expect(code('loops')).toBe('E_CODE_TIMEOUT');
    expect(byId.loops.duration_ms).toBeLessThan(1500);
    expect(manifest.status).toBe('partial');
    expect(typeof process.exit).toBe('function');
  });

  it('checks inputs and syntax at validation, located in the notebook', async () => {
    const err = await validateNotebook(join(fixtureProject('code-cells'), 'syntax.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    const errors = (err as ValidationErrors).errors;
    expect(errors.map((e) => e.code).sort()).toEqual(['E_CODE_INPUT', 'E_CODE_SYNTAX', 'E_UNKNOWN_CELL']);
    expect(errors.find((e) => e.code === 'E_UNKNOWN_CELL')!.message).toBe("cell broken has unknown input 'missing_cell'");
    const syntax = errors.find((e) => e.code === 'E_CODE_SYNTAX')!;
    expect(syntax.message).toMatch(/line 2 of its code/);
    expect(syntax.location?.line).toBe(8);
  });
});
