import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runNotebook, validateNotebook, ValidationErrors } from '../../engine/index.js';
import { readColumns } from '../../cells/code/duck-read.js';
import { checkTable, writeColumns } from '../../cells/code/duck-write.js';
import { TextDictionary } from '../../cells/code/text-dict.js';
import { BufferPool } from '../../cells/code/buffer-pool.js';
import { ScratchFiles } from '../../cells/code/scratch-files.js';
import { buffersOf } from '../../cells/code/columns.js';
import { fixtureProject } from '../helpers/cli.js';

const outputs = (dir: string) => JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs as Record<string, any>;

describe('code cells', () => {
  it('move tables DuckDB → Arquero → DuckDB intact, return values and tables, and feed SQL and text', async () => {
    const project = fixtureProject('code-cells');
    const { manifest, dir } = await runNotebook(join(project, 'good.yaml'), { cache: 'off' });
    expect(manifest.cells.filter((c) => c.status !== 'succeeded')).toEqual([]);
    const out = outputs(dir);
    // every row and value survives the round trip (EXCEPT ALL finds nothing missing), incl. NULLs, non-ASCII text, timestamps, lists
    expect(out.compare.rows[0]).toEqual(['525', '525', '0']);
    expect(out.check_top.rows[0][0]).toBe('5'); // slice(0, params.top)
    expect(out.top_customers.columns.map((c: any) => c.type)).toEqual(['INTEGER', 'DOUBLE', 'DOUBLE']); // an integer input column keeps its type
    expect(out.passthrough.columns.find((c: any) => c.name === 'order_date').type).toBe('DATE');
    expect(out.passthrough.columns.find((c: any) => c.name === 'placed_at').type).toBe('TIMESTAMP');
    // filtered + ordered input columns, and columns code made anew, arrive intact and in order; groupby on text is Arquero's
    expect(out.compare_more.rows[0]).toEqual(['0', true, true, '0']);
    expect(out.rebuilt.columns.map((c: any) => c.type)).toEqual(out.passthrough.columns.map((c: any) => c.type));
    expect(out.grouped.value).toEqual({ same: true, groups: expect.any(Number), nulls: 1 });
    expect(out.stats).toEqual({ kind: 'value', value: { rows: 525, month: '2025-06', regions: 4 } });
    expect(out.rows_made.rows).toEqual([
      ['a', 1],
      ['b', 2.5],
      [null, null],
    ]);
    expect(out.words.html).toContain('525 orders in 2025-06; made 3 rows.');
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toContain('rows in 525'); // console.log goes to the run log
  });

  it('reports bad code by cell and line, and never lets code reach the host', async () => {
    const project = fixtureProject('code-cells');
    const { manifest, dir } = await runNotebook(join(project, 'bad.yaml'), { cache: 'off' });
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
    expect(byId.imports.error?.message).toMatch(/import\(\) is not available/);
    expect(code('not_table')).toBe('E_CODE_INPUT');
    expect(byId.not_table.error?.message).toMatch(/input 'note' of cell not_table is not a table/);
    // constructor chains of everything code gets (aq, tables, op, params) stay inside its own realm
    expect(byId.escapes_aq.status).toBe('succeeded');
    expect(outputs(dir).escapes_aq.value).toBe('undefined|undefined|undefined|undefined|undefined|undefined|undefined');
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

describe('moving columns between DuckDB and code', () => {
  // Every type code cells move, with NULLs in each, over three row groups (122,880 rows each).
  const TYPES_SQL = `SELECT range AS id, CASE WHEN range % 7 = 0 THEN NULL ELSE range - 150000 END AS big,
      (range % 1000)::SMALLINT AS small, CASE WHEN range % 3 = 0 THEN NULL ELSE range / 8 END AS dbl,
      CASE WHEN range % 11 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,
      CASE WHEN range % 13 = 0 THEN NULL ELSE DATE '1960-01-01' + (range % 40000)::INTEGER END AS day,
      CASE WHEN range % 17 = 0 THEN NULL ELSE TIMESTAMP '1969-12-31 23:00:00' + INTERVAL (range * 1001) MILLISECOND END AS ts,
      TIMESTAMPTZ '2024-03-31 01:30:00+00' + INTERVAL (range) MINUTE AS tstz,
      CASE WHEN range % 5 = 0 THEN NULL ELSE ['', 'a', 'Zürich ✓', 'a string longer than twelve bytes', 'x' || (range % 100)][range % 5 + 1] END AS txt,
      'id-' || range::VARCHAR || '-with-some-length' AS uniq, NULL::VARCHAR AS nothing,
      CASE WHEN range % 23 = 0 THEN NULL ELSE 'k' || (range % 1000)::VARCHAR END AS mid,
      CASE WHEN range % 19 = 0 THEN NULL ELSE [range % 3, 1] END AS list
    FROM range(250000)`;

  const pool = new BufferPool();
  const scratch = new ScratchFiles();
  async function roundTrip(conn: DuckDBConnection, source: string, target: string): Promise<void> {
    const table = await readColumns(conn, source, pool);
    await writeColumns(conn, 'memory', target, table, new Map(table.columns.map((c) => [c.name, c.sourceType!])), scratch);
    pool.giveBack(buffersOf(table)); // the next read reuses them, as after a code cell
  }
  const missing = async (conn: DuckDBConnection, a: string, b: string) =>
    Number((await conn.runAndReadAll(`SELECT (SELECT count(*) FROM (FROM ${a} EXCEPT ALL FROM ${b})) + (SELECT count(*) FROM (FROM ${b} EXCEPT ALL FROM ${a}))`)).getRows()[0][0]);

  // One database for the round trips below: each way of reading the table is its own test.
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run(`CREATE TABLE src AS ${TYPES_SQL}`);
    await conn.run('CREATE TABLE gaps AS FROM src; DELETE FROM gaps WHERE id % 10 = 3'); // rowids with gaps
    await conn.run('CREATE VIEW v AS FROM src WHERE id < 5000'); // no rowid at all
    await conn.run('CREATE TABLE empty AS FROM src LIMIT 0');
    // a column named rowid hides the row ids: its values tile the rows, in another order
    await conn.run('CREATE TABLE shadow AS SELECT (1 - range // 2048) * 2048 + range % 2048 AS rowid, range AS id FROM range(4096)');
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
    pool.close();
    scratch.close();
  });

  it.each([
    ['src', 'back'],
    ['gaps', 'gaps_back'],
    ['v', 'v_back'],
    ['empty', 'empty_back'],
    ['shadow', 'shadow_back'],
  ])('keeps every value, NULL and type, and the order of rows, whichever way the table is read: %s', async (source, target) => {
    await roundTrip(conn, source, target);
    const ours = (await conn.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${target}' ORDER BY ordinal_position`)).getRows();
    const theirs = (await conn.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${source}' ORDER BY ordinal_position`)).getRows();
    // the list comes back as JSON text; everything else as it was
    expect(
      ours.filter((r) => r[0] !== 'list'),
      source,
    ).toEqual(theirs.filter((r) => r[0] !== 'list'));
    const asText = source === 'shadow' ? '' : ' REPLACE (to_json(list)::VARCHAR AS list)';
    expect(await missing(conn, `(SELECT *${asText} FROM ${source})`, `(SELECT *${asText ? ' REPLACE (list::VARCHAR AS list)' : ''} FROM ${target})`), source).toBe(0);
    const order = await conn.runAndReadAll(
      `SELECT count(*) FROM (SELECT id AS a, row_number() OVER () AS n FROM ${target}) JOIN (SELECT id AS b, row_number() OVER () AS n FROM ${source}) USING (n) WHERE a IS DISTINCT FROM b`,
    );
    expect(Number(order.getRows()[0][0]), source).toBe(0);
  });

  it('codes text of few values in DuckDB and looks up the rest, byte for byte', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    // 100,000 rows: few values in the first rows (one long), later ones never seen there, NULLs,
    // and a NOCASE column whose 'NA' and 'na' must stay apart
    await conn.run(`CREATE TABLE few (id BIGINT, region VARCHAR, nc VARCHAR COLLATE NOCASE)`);
    await conn.run(`INSERT INTO few SELECT range,
        CASE WHEN range % 1000 = 999 THEN NULL WHEN range > 50000 AND range % 7 = 0 THEN 'a late value, longer than 12 bytes'
          WHEN range > 60000 AND range % 11 = 0 THEN 'late' ELSE ['NA', 'EU', 'a string longer than twelve bytes'][range % 3 + 1] END,
        ['NA', 'na', 'Na'][range % 3 + 1] FROM range(100000)`);
    await roundTrip(conn, 'few', 'few_back');
    const digest = async (t: string) =>
      (await conn.runAndReadAll(`SELECT count(*), count(region), md5(string_agg(coalesce(region, '<null>') || '|' || md5(nc), ',' ORDER BY id)) FROM ${t}`)).getRows()[0].map(String);
    expect(await digest('few_back')).toEqual(await digest('few'));
    conn.closeSync();
    instance.closeSync();
  });

  it('refuses result buffers that do not fit their row count or dictionary', () => {
    const text = (codes: number[]) => ({
      rowCount: codes.length,
      columns: [{ name: 's', kind: 'string' as const, bytes: new TextEncoder().encode('ab'), offsets: Int32Array.of(0, 1, 2), codes: Int32Array.from(codes), distinct: true, valid: null }],
    });
    expect(() => checkTable(text([0, 1, 1, 0]))).not.toThrow();
    expect(() => checkTable(text([0, 2]))).toThrow('column s: bad codes');
    expect(() => checkTable(text([-1, 0]))).toThrow('column s: bad codes');
    expect(() => checkTable(text([2 ** 31 - 1]))).toThrow('column s: bad codes');
    expect(() => checkTable({ rowCount: 3, columns: [{ name: 'x', kind: 'number', values: new Float64Array(2), valid: null }] })).toThrow('column x: bad values');
  });

  it('reuses handed-back buffers: cleared unless the reader overwrites every row', () => {
    const pool = new BufferPool();
    const { takeArray } = { takeArray: pool.takeArray.bind(pool) };
    const giveBack = pool.giveBack.bind(pool);
    const a = takeArray(Float64Array, 100_000, false);
    a.fill(7);
    giveBack([a.buffer as ArrayBuffer]);
    const b = takeArray(Float64Array, 90_000, false);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(90_000);
    expect(b.every((x) => x === 0)).toBe(true);
    giveBack([b.buffer as ArrayBuffer, b.buffer as ArrayBuffer]);
    const c = takeArray(Int32Array, 200_000, true);
    expect(c.buffer).toBe(a.buffer); // the same size class; no clearing asked for
    expect(takeArray(Int32Array, 200_000, true).buffer).not.toBe(a.buffer); // handed back once, taken once
    expect(takeArray(Uint8Array, 10, false).buffer.byteLength).toBe(10); // small arrays are exact
    giveBack([c.buffer as ArrayBuffer]);
    pool.close(); // closing the state drops the buffers
    expect(takeArray(Int32Array, 200_000, true).buffer).not.toBe(a.buffer);
  });

  it('dictionary-encodes text by its bytes', () => {
    const dict = new TextDictionary();
    const enc = new TextEncoder();
    const values = ['NA', 'EU', 'NA', '', 'a string longer than twelve bytes', 'a string longer than twelve bytes', 'twelve bytes', null, 'EU'];
    // DuckDB's string_t: a length word, then 12 bytes inline (zero-padded) or a 4-byte prefix and a pointer
    const words = new Int32Array(values.length * 4);
    const validity = new Uint32Array([0]);
    values.forEach((s, r) => {
      if (s === null) return;
      validity[0] |= 1 << r;
      const b = enc.encode(s);
      words[r * 4] = b.length;
      new Uint8Array(words.buffer, r * 16 + 4, 12).set(b.subarray(0, b.length <= 12 ? 12 : 4));
    });
    const codes = new Int32Array(values.length + 1).fill(-1);
    dict.codeVector(words, values.length, codes, 1, validity, (r) => enc.encode(values[r]!));
    expect([...codes]).toEqual([-1, 0, 1, 0, 2, 3, 3, 4, -1, 1]);
    const { bytes, offsets, distinct } = dict.finish();
    expect(distinct).toBe(true);
    const dec = new TextDecoder();
    expect([...offsets.slice(0, -1)].map((o, k) => dec.decode(bytes.subarray(o, offsets[k + 1])))).toEqual(['NA', 'EU', '', 'a string longer than twelve bytes', 'twelve bytes']);
  });

  it('keeps text dictionaries exact past table growth, and stops looking up mostly-new values', () => {
    const enc = new TextEncoder();
    const rows = 2048;
    const vector = (make: (i: number) => string, from: number) => {
      const words = new Int32Array(rows * 4);
      for (let r = 0; r < rows; r++) {
        const b = enc.encode(make(from + r));
        words[r * 4] = b.length;
        new Uint8Array(words.buffer, r * 16 + 4, 12).set(b);
      }
      return words;
    };
    // 5,000 distinct short values, each seen 20 times: the tables grow several times
    const few = new TextDictionary();
    const codes = new Int32Array(100_000);
    for (let at = 0; at < codes.length; at += rows) {
      const n = Math.min(rows, codes.length - at);
      few.codeVector(
        vector((i) => `v${i % 5000}`, at),
        n,
        codes,
        at,
        null,
        () => new Uint8Array(),
      );
    }
    const dec = new TextDecoder();
    const small = few.finish();
    expect(small.distinct).toBe(true);
    expect(small.offsets.length - 1).toBe(5000);
    const textAt = (k: number) => dec.decode(small.bytes.subarray(small.offsets[k], small.offsets[k + 1]));
    for (const i of [0, 4999, 5000, 77_777, 99_999]) expect(textAt(codes[i])).toBe(`v${i % 5000}`);
    // every value new: after a fair sample it appends, and entries no longer claim to be distinct
    const ids = new TextDictionary();
    const idCodes = new Int32Array(200_000);
    for (let at = 0; at < idCodes.length; at += rows) {
      const n = Math.min(rows, idCodes.length - at);
      ids.codeVector(
        vector((i) => `id${i}`, at),
        n,
        idCodes,
        at,
        null,
        () => new Uint8Array(),
      );
    }
    const big = ids.finish();
    expect(big.distinct).toBe(false);
    expect(dec.decode(big.bytes.subarray(big.offsets[idCodes[150_000]], big.offsets[idCodes[150_000] + 1]))).toBe('id150000');
  });
});
