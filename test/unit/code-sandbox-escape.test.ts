// Issue 13: code cells run in a V8 isolate (isolated-vm). Every escape attempt below tries to reach
// the host's `process` (through inspect.custom, throwing valueOf/toString/toPrimitive, a replaced
// JSON.stringify, prototypes, Proxies, getters, Error.prepareStackTrace, thrown non-Errors and
// constructor chains) and, if it got there, would write a marker file and return the environment.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runNotebook } from '../../engine/index.js';
import { EngineState } from '../../engine/util/state.js';
import { CODE_ISOLATES } from '../../cells/code/isolate-pool.js';
import { runInSandbox, SandboxError } from '../../cells/code/sandbox.js';
import { fromExport } from '../../cells/code/host-columns.js';

const SECRET = `quire-escape-secret-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'quire-escape-'));
const MARK = join(dir, 'escaped.txt');

/** Used by every attempt: what it would do with a `process` it got hold of. */
const LEAK = `const MARK = ${JSON.stringify(MARK)};
const leak = (p) => {
  try { p.getBuiltinModule('fs').writeFileSync(MARK, 'escaped'); } catch {}
  try { p.mainModule.require('fs').writeFileSync(MARK, 'escaped'); } catch {}
  try { return JSON.stringify(p.env); } catch { return 'no env'; }
};
const viaInspect = { [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) { leak(inspect.constructor('return process')()); return 'x'; } };
`;

/** id → [code, what the cell must end as: 'succeeded' or an error code]. */
const ATTEMPTS: Record<string, [string, string]> = {
  inspect_custom_thrown: ['throw viaInspect', 'E_CODE_ERROR'],
  inspect_custom_returned: ['return [viaInspect]', 'E_CODE_RESULT'],
  fake_table_value_of: [
    `const t = aq.table({ a: [1] });
     const fake = Object.create(Object.getPrototypeOf(t));
     fake.numRows = () => ({ valueOf() { throw viaInspect; } });
     fake.columnNames = () => { throw viaInspect; };
     return fake`,
    'E_CODE_RESULT',
  ],
  json_stringify_replaced: [`JSON.stringify = () => '{not json'; return { a: 1 }`, 'E_CODE_RESULT'],
  json_stringify_throws: [`JSON.stringify = () => { throw viaInspect; }; return 'text'`, 'E_CODE_RESULT'],
  value_of_to_string: [`return { n: { valueOf() { throw viaInspect; }, toString() { throw viaInspect; } } }`, 'E_CODE_RESULT'],
  to_primitive_thrown: [`throw { [Symbol.toPrimitive]() { throw viaInspect; }, toString() { throw viaInspect; } }`, 'E_CODE_ERROR'],
  prototype_pollution: [
    `Object.prototype.polluted = 'yes';
     Array.prototype.push = function () { throw viaInspect; };
     Object.defineProperty(Object.prototype, 'kind', { get() { throw viaInspect; }, configurable: true });
     return [{ a: 1 }]`,
    'E_CODE_RESULT', // Arquero inside needs Array.prototype.push: the cell broke its own realm, not the host's
  ],
  proxy_returned: [`return new Proxy({}, { get() { throw viaInspect; }, ownKeys() { throw viaInspect; }, getPrototypeOf() { throw viaInspect; } })`, 'E_CODE_RESULT'],
  proxy_thrown: [`throw new Proxy(new Error('x'), { get() { throw viaInspect; }, getPrototypeOf() { throw viaInspect; } })`, 'E_CODE_ERROR'],
  getters_on_error: [
    `const e = new Error('x');
     for (const k of ['name', 'message', 'stack']) Object.defineProperty(e, k, { get() { throw viaInspect; } });
     throw e`,
    'E_CODE_ERROR',
  ],
  prepare_stack_trace: [
    `Error.prepareStackTrace = (e, frames) => {
       for (const f of frames) { try { leak(f.getThis().process); } catch {} try { leak(f.getFunction().constructor('return process')()); } catch {} }
       throw viaInspect;
     };
     throw new Error('x')`,
    'E_CODE_ERROR',
  ],
  thrown_number: ['throw 42', 'E_CODE_ERROR'],
  thrown_null: ['throw null', 'E_CODE_ERROR'],
  thrown_undefined: ['throw undefined', 'E_CODE_ERROR'],
  thrown_symbol: [`throw Symbol('s')`, 'E_CODE_ERROR'],
  thrown_function: ['throw () => leak(process)', 'E_CODE_ERROR'],
  constructor_chain: [`return leak(aq.constructor.constructor('return process')())`, 'E_CODE_ERROR'],
  constructor_chain_everything: [
    `return [aq, op, params, stats, stats.welch, aq.table({ a: [1] }), globalThis, console].map((o) => o.constructor.constructor('return typeof process + typeof require')()).join()`,
    'succeeded',
  ],
  stats_constructor: [`return leak(stats.holm.constructor('return process')())`, 'E_CODE_ERROR'],
  stats_hostile_arguments: [`return stats.welch({ n: { valueOf() { throw viaInspect; } }, mean: 1, variance: 1 }, new Proxy([1, 2], { get() { throw viaInspect; } }))`, 'E_CODE_ERROR'],
  globals: [`return [typeof require, typeof process, typeof WebAssembly, typeof FinalizationRegistry, typeof setTimeout, typeof fetch].join()`, 'succeeded'],
  range_error_of_code: ['return new Array(-1)', 'E_CODE_ERROR'], // the code's own RangeError, not a memory failure
  array_buffers_past_limit: ['const keep = []; for (let i = 0; i < 30; i++) keep.push(new Uint8Array(100 * 2 ** 20)); return keep.length', 'E_CODE_MEMORY'],
  array_buffer_3gb: ['return new ArrayBuffer(3 * 2 ** 30).byteLength', 'E_CODE_MEMORY'],
  heap_past_limit: ['const keep = []; for (;;) keep.push({ a: [1, 2, 3], s: String(keep.length) })', 'E_CODE_MEMORY'],
  still_works: [`return aq.table({ a: [1, 2, 3] }).derive({ b: (d) => d.a * 2 })`, 'succeeded'],
};

function writeProject(): string {
  writeFileSync(join(dir, 'quire.yaml'), 'database: ":memory:"\n');
  const cells = Object.entries(ATTEMPTS).map(([id, [code]]) => ({
    id,
    type: 'code',
    on_error: 'continue',
    timeout_ms: 20_000,
    memory_mb: 64,
    code: `${LEAK}${code}`,
  }));
  const file = join(dir, 'escape.yaml');
  writeFileSync(file, stringify({ title: 'Escape attempts', cells }));
  return file;
}

/** Every file under `root`, as text. */
function allText(root: string): string {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('code-cell sandbox escape attempts', () => {
  const state = new EngineState();
  afterAll(() => state.close());

  it('reach neither process, the file system nor the environment, and never crash the host', async () => {
    process.env.QUIRE_ESCAPE_SECRET = SECRET;
    const { manifest, dir: runDir } = await runNotebook(writeProject(), { cache: 'off', state });
    const byId = Object.fromEntries(manifest.cells.map((c) => [c.id, c]));
    const outcome = (id: string) => (byId[id].status === 'succeeded' ? 'succeeded' : byId[id].error?.code);
    expect(Object.fromEntries(Object.keys(ATTEMPTS).map((id) => [id, outcome(id)]))).toEqual(Object.fromEntries(Object.entries(ATTEMPTS).map(([id, [, want]]) => [id, want])));
    expect(existsSync(MARK)).toBe(false);
    expect(allText(runDir)).not.toContain(SECRET);
    expect(allText(runDir)).not.toContain('escaped');
    // nothing of the cells reached this process
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof Array.prototype.push).toBe('function');
    expect([1].map((x) => x + 1)).toEqual([2]);
    expect(typeof process.exit).toBe('function');
    // what cells saw and said
    const out = JSON.parse(readFileSync(join(runDir, 'outputs.json'), 'utf8')).outputs;
    expect(out.constructor_chain_everything.value).toBe(Array(8).fill('undefinedundefined').join());
    expect(out.globals.value).toBe(Array(6).fill('undefined').join());
    expect(byId.constructor_chain.error?.message).toMatch(/process is not defined/);
    expect(byId.stats_constructor.error?.message).toMatch(/process is not defined/);
    expect(byId.stats_hostile_arguments.error?.message).toMatch(/stats\.welch: control\.n must be a finite number/);
    expect(byId.json_stringify_replaced.error?.message).toMatch(/JSON/);
    expect(byId.thrown_number.error?.message).toMatch(/42 \(thrown as a value, not an Error\)/);
    expect(byId.array_buffer_3gb.error?.message).toMatch(/out of memory \(limit 64 MB\)/);
    expect(byId.prototype_pollution.error?.message).toMatch(/^cell prototype_pollution returned something that is not a table or JSON/);
    expect(out.still_works.rows).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
  }, 120_000);

  it('keeps isolates in the EngineState, and disposes them when it closes', async () => {
    const own = new EngineState();
    writeFileSync(join(dir, 'small.yaml'), stringify({ title: 'Small', cells: [{ id: 'c', type: 'code', code: 'return aq.table({ a: [1] })' }] }));
    const { manifest } = await runNotebook(join(dir, 'small.yaml'), { cache: 'off', state: own });
    expect(manifest.status).toBe('succeeded');
    const pool = own.get(CODE_ISOLATES);
    expect(pool.size).toBe(1); // idle, for the next run
    await own.close();
    expect(pool.size).toBe(0);
  }, 60_000);

  it('stops an endless loop when the run is aborted, and disposes its isolate', async () => {
    const own = new EngineState();
    const controller = new AbortController();
    // aborted once the inputs are handed over, whether or not the loop has started yet
    const inputs = Promise.resolve([]).then((none) => {
      setImmediate(() => controller.abort());
      return none;
    });
    const err = await runInSandbox({ cellId: 'spin', code: 'for (;;) {}', params: {}, inputs, timeoutMs: 600_000, memoryMb: 64, signal: controller.signal, state: own }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).reason).toBe('aborted');
    expect(own.get(CODE_ISOLATES).size).toBe(0);
    await own.close();
  }, 60_000);
});

describe('values a code cell returns', () => {
  it('are copied out of shared memory, so the isolate cannot change them after the check', () => {
    const shared = new Float64Array(new SharedArrayBuffer(16));
    shared.set([1, 2]);
    const table = fromExport({ type: 'table', rowCount: 2, indices: null, logs: '', columns: [{ name: 'x', kind: 'number', values: shared, valid: null }] }, []);
    const values = (table.columns[0] as { values: Float64Array }).values;
    expect(values.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    shared[0] = 99;
    expect([...values]).toEqual([1, 2]);
  });

  it('refuse an invalid Date and a BigInt past 2^53 by column, and keep BigInts within it exact', async () => {
    const cells = [
      { id: 'bad_date', type: 'code', on_error: 'continue', code: `return [{ d: new Date('2024-01-02') }, { d: new Date('not a date') }]` },
      { id: 'bad_date_value', type: 'code', on_error: 'continue', code: `return { when: new Date(NaN) }` },
      { id: 'big', type: 'code', on_error: 'continue', code: `return [{ n: 1n }, { n: 2n ** 53n + 1n }]` },
      { id: 'small_big', type: 'code', on_error: 'continue', code: `return [{ n: 1n }, { n: 2n ** 53n - 1n }]` },
    ];
    writeFileSync(join(dir, 'quire.yaml'), 'database: ":memory:"\n');
    writeFileSync(join(dir, 'values.yaml'), stringify({ title: 'Values', cells }));
    const { manifest, dir: runDir } = await runNotebook(join(dir, 'values.yaml'), { cache: 'off' });
    const byId = Object.fromEntries(manifest.cells.map((c) => [c.id, c]));
    expect(byId.bad_date.error?.code).toBe('E_CODE_RESULT');
    expect(byId.bad_date.error?.message).toMatch(/column 'd', row 2 is an invalid Date/);
    expect(byId.bad_date_value.error?.message).toMatch(/invalid Date/);
    expect(byId.big.error?.code).toBe('E_CODE_RESULT');
    expect(byId.big.error?.message).toMatch(/column 'n', row 2: the BigInt 9007199254740993 is past 2\^53/);
    expect(byId.small_big.status).toBe('succeeded');
    const out = JSON.parse(readFileSync(join(runDir, 'outputs.json'), 'utf8')).outputs;
    expect(out.small_big.rows.map((r: unknown[]) => String(r[0]))).toEqual(['1', '9007199254740991']);
  }, 60_000);
});
