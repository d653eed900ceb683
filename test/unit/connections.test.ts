import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadNotebook, runNotebook, validateNotebook } from '../../engine/index.js';
import { prepareRun } from '../../engine/exec/run.js';
import { executeDag } from '../../engine/exec/executor.js';
import { ValidationErrors, type QuireError } from '../../engine/util/errors.js';
import { loadProject } from '../../engine/project.js';
import { processState } from '../../engine/util/state.js';
import type { TableOutput } from '../../engine/outputs.js';
import { cellKeys, type PlanCell } from '../../engine/cache/plan.js';

const silent = { log() {} };

async function sql(path: string, text: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(text)).getRows();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** A project whose database holds t = ('main'), and a connection `other` whose file holds t = ('other 1'), ('other 2'). */
async function twoFiles(notebook: string, quireYaml = 'connections:\n  other: { type: duckdb, path: other.duckdb }\n'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-connections-'));
  await sql(join(dir, 'main.duckdb'), `CREATE TABLE t AS SELECT 'main' AS v`);
  await sql(join(dir, 'other.duckdb'), `CREATE TABLE t AS SELECT * FROM (VALUES ('other 1'), ('other 2')) x(v)`);
  writeFileSync(join(dir, 'quire.yaml'), `database: main.duckdb\n${quireYaml}`);
  writeFileSync(join(dir, 'nb.yaml'), notebook);
  return dir;
}

const TWO_CELLS = `title: Two databases
cells:
  - id: from_main
    type: query
    sql: SELECT v FROM t ORDER BY v
  - id: from_other
    type: query
    connection: other
    sql: SELECT v FROM t ORDER BY v
  - id: named_default
    type: query
    connection: default
    sql: SELECT v FROM t
  - id: both
    type: query
    connection: other
    sql: SELECT (SELECT count(*) FROM from_main)::INTEGER AS main_rows, (SELECT count(*) FROM from_other)::INTEGER AS other_rows
`;

/** Every cell's rows, run as `quire run` would run them. */
async function cellRows(path: string): Promise<Record<string, unknown[][]>> {
  const nb = loadNotebook(path);
  const { params, session, connections, dag } = await prepareRun(nb, { cache: 'off' });
  try {
    const results = await executeDag({ nb, dag, session, connections, params, titles: new Map(), logger: silent, signal: new AbortController().signal, concurrency: 2, state: processState() });
    return Object.fromEntries(
      [...results].map(([id, r]) => {
        expect([id, r.record.status, r.record.error?.message]).toEqual([id, 'succeeded', undefined]);
        return [id, (r.output as TableOutput).rows];
      }),
    );
  } finally {
    session.close();
    await connections.close();
  }
}

async function validationErrors(path: string): Promise<QuireError[]> {
  const err = await validateNotebook(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationErrors);
  return (err as ValidationErrors).errors;
}

describe('connection: on a query cell', () => {
  it("runs the cell's SQL on that connection's database; the default one on the project database", async () => {
    const dir = await twoFiles(TWO_CELLS);
    const rows = await cellRows(join(dir, 'nb.yaml'));
    expect(rows.from_main).toEqual([['main']]);
    expect(rows.from_other).toEqual([['other 1'], ['other 2']]);
    expect(rows.named_default).toEqual([['main']]);
    // other cells' results stay visible on a named connection
    expect(rows.both).toEqual([[1, 2]]);
  });

  it('the cell cache keys a cell on its connection: a change to the other file is seen on the next run', async () => {
    const dir = await twoFiles(TWO_CELLS);
    const path = join(dir, 'nb.yaml');
    const first = await runNotebook(path);
    expect(first.manifest.cells.map((c) => [c.id, c.cache_hit, c.rows])).toEqual([
      ['from_main', false, 1],
      ['from_other', false, 2],
      ['named_default', false, 1],
      ['both', false, 1],
    ]);
    const warm = await runNotebook(path);
    expect(warm.manifest.cells.every((c) => c.cache_hit)).toBe(true);
    await sql(join(dir, 'other.duckdb'), `INSERT INTO t VALUES ('other 3')`);
    const after = await runNotebook(path);
    expect(after.manifest.cells.find((c) => c.id === 'from_other')).toMatchObject({ cache_hit: false, rows: 3 });
  });

  it('mode: write on a named connection writes to that file (opened read-write); the project database stays read-only', async () => {
    const dir = await twoFiles(`title: Write
cells:
  - id: add_row
    type: query
    connection: other
    mode: write
    sql: INSERT INTO t VALUES ($v)
  - id: counted
    type: query
    connection: other
    depends_on: [add_row]
    sql: SELECT count(*)::INTEGER AS n FROM t
  - id: into_main
    type: query
    connection: other
    mode: write
    on_error: continue
    sql: INSERT INTO db.t VALUES ('via other')
params:
  v: { type: string, default: "x'); DROP TABLE t; --" }
`);
    const { manifest } = await runNotebook(join(dir, 'nb.yaml'), { cache: 'off' });
    expect(manifest.cells.map((c) => [c.id, c.status])).toEqual([
      ['add_row', 'succeeded'],
      ['counted', 'succeeded'],
      ['into_main', 'failed'],
    ]);
    expect(manifest.cells[2].error?.message).toMatch(/read-only/i);
    expect(await sql(join(dir, 'other.duckdb'), 'SELECT v FROM t ORDER BY v')).toEqual([['other 1'], ['other 2'], ["x'); DROP TABLE t; --"]]);
    expect(await sql(join(dir, 'main.duckdb'), 'SELECT v FROM t')).toEqual([['main']]);
  });

  it('a write to a named connection from a cell not on it is refused: only its own cells open it read-write', async () => {
    const dir = await twoFiles(`title: Write elsewhere
cells:
  - id: sneaky
    type: query
    mode: write
    sql: INSERT INTO other.t VALUES ('via default')
`);
    const { manifest } = await runNotebook(join(dir, 'nb.yaml'), { cache: 'off' });
    expect(manifest.cells[0].status).toBe('failed');
    expect(manifest.cells[0].error?.message).toMatch(/read-only/i);
    expect(await sql(join(dir, 'other.duckdb'), 'SELECT count(*)::INTEGER FROM t')).toEqual([[2]]);
  });
});

describe('connection: at validation', () => {
  it('an unknown name is located at its value, with "did you mean"', async () => {
    const dir = await twoFiles(`title: Typo
cells:
  - id: a
    type: query
    connection: othr
    sql: SELECT 1
`);
    const errors = await validationErrors(join(dir, 'nb.yaml'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'E_CONNECTION_UNKNOWN', location: { line: 5, col: 17 } });
    expect(errors[0].message).toMatch(/did you mean 'other'\?/);
    expect(errors[0].hint).toMatch(/default, other/);
  });

  it('postgres and mysql cells are checked by their dialect parsers, without connecting; a write on mysql is refused, located', async () => {
    const dir = await twoFiles(
      `title: Server
cells:
  - id: a
    type: query
    connection: warehouse
    sql: SELECT 1
  - id: b
    type: query
    connection: shop
    sql: SELECT 1
  - id: c
    type: query
    connection: shop
    sql: DELETE FROM t
`,
      'connections:\n  warehouse: { type: postgres, url: "postgres://u@h/db" }\n  shop: { type: mysql, url: "mysql://u@h/db" }\n',
    );
    const errors = await validationErrors(join(dir, 'nb.yaml'));
    expect(errors.map((e) => [e.code, e.location?.line])).toEqual([['E_SQL_WRITE', 14]]);
  });

  it('quire.yaml: an unknown type or a reserved name is an error', async () => {
    const bad = async (yaml: string) => {
      const dir = await twoFiles('title: x\ncells: [{ id: a, type: query, sql: SELECT 1 }]\n', yaml);
      try {
        loadProject(dir);
      } catch (err) {
        return (err as ValidationErrors).errors.map((e) => `${e.code} ${e.message}`).join('\n');
      }
      return 'accepted';
    };
    expect(await bad('connections:\n  x: { type: oracle, url: "o://h" }\n')).toMatch(/E_/);
    expect(await bad('connections:\n  default: { type: duckdb, path: other.duckdb }\n')).toMatch(/reserved/);
    expect(await bad('connections:\n  db: { type: duckdb, path: other.duckdb }\n')).toMatch(/reserved/);
    expect(await bad('connections:\n  other: { type: duckdb, path: other.duckdb }\n')).toBe('accepted');
  });
});

describe('cache keys from connections', () => {
  const cell = (id: string, connection?: string): PlanCell => ({
    id,
    type: 'query',
    spec: { id, type: 'query', sql: 'SELECT 1', connection },
    upstream: [],
    reads: { params: [], files: [], connection },
  });
  const keys = (connections: Record<string, string | null>) =>
    cellKeys({ cells: [cell('a'), cell('b', 'warehouse'), cell('c', 'files')], params: { values: {}, types: {} }, quire: 'q', database: 'db-fp', connections, project: 'p', files: () => [] });

  it("a cell's data part is its connection's fingerprint; a connection that can't tell makes its cells always run", () => {
    const one = keys({ warehouse: null, files: 'files-1' });
    expect(one.get('a')!.key).toEqual(expect.any(String));
    expect(one.get('b')).toMatchObject({ key: null, uncacheable: expect.stringMatching(/^never cached: connection warehouse can't tell when its data changes \(give it `cache: \{ ttl: 1h \}`/) });
    const two = keys({ warehouse: null, files: 'files-2' });
    expect(two.get('a')!.key).toBe(one.get('a')!.key);
    expect(two.get('c')!.key).not.toBe(one.get('c')!.key);
  });
});
