import { describe, expect, it } from 'vitest';
import { cellKeys, decide, type PlanCell, type PlanInputs, type StoreView } from '../../engine/cache/plan.js';
import type { KeyParts } from '../../engine/cache/key.js';

const query = (id: string, sql: string, upstream: string[] = [], reads: PlanCell['reads'] = { params: [] }): PlanCell => ({ id, type: 'query', spec: { id, type: 'query', sql }, upstream, reads });

function inputs(cells: PlanCell[], over: Partial<PlanInputs> = {}): PlanInputs {
  return {
    cells,
    params: { values: { region: 'all', month: '2025-06' }, types: { region: 'VARCHAR', month: 'VARCHAR' } },
    quire: '0.1.0',
    database: 'db-fingerprint-1',
    project: 'project-fingerprint-1',
    files: () => [],
    ...over,
  };
}

const keyOf = (input: PlanInputs, id: string) => cellKeys(input).get(id)!.key;

/** A store holding exactly the given keys, and the newest parts of each cell. */
function store(stored: Map<string, { key: string; parts: KeyParts }>): StoreView {
  return {
    has: (id, key) => stored.get(id)?.key === key,
    latest: (id) => (stored.has(id) ? { parts: stored.get(id)!.parts, created: '2026-01-01T00:00:00Z' } : null),
  };
}

describe('cache planning: keys', () => {
  const orders = query('orders', 'SELECT * FROM db.orders WHERE region = $region', [], { params: ['region'] });
  const total = query('total', 'SELECT sum(amount) FROM orders', ['orders']);

  it('a key changes with what the result depends on, and with nothing else', () => {
    const base = inputs([orders, total]);
    const k = keyOf(base, 'orders');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf(inputs([orders, total]), 'orders')).toBe(k); // deterministic
    // cosmetic keys of the spec do not count
    expect(keyOf(inputs([{ ...orders, spec: { ...orders.spec, title: 'Orders', on_error: 'continue', depends_on: [] } }]), 'orders')).toBe(k);
    // a param the cell does not read does not count; one it reads does
    expect(keyOf(inputs([orders], { params: { values: { region: 'all', month: '2025-07' }, types: base.params.types } }), 'orders')).toBe(k);
    expect(keyOf(inputs([orders], { params: { values: { region: 'EU', month: '2025-06' }, types: base.params.types } }), 'orders')).not.toBe(k);
    expect(keyOf(inputs([orders], { params: { values: { region: 'all', month: '2025-06' }, types: { region: 'DATE', month: 'VARCHAR' } } }), 'orders')).not.toBe(k);
    // the SQL, the engine version, the database and declared files count
    expect(keyOf(inputs([{ ...orders, spec: { ...orders.spec, sql: 'SELECT 1' } }]), 'orders')).not.toBe(k);
    expect(keyOf(inputs([orders], { quire: '0.2.0' }), 'orders')).not.toBe(k);
    expect(keyOf(inputs([orders], { database: 'db-fingerprint-2' }), 'orders')).not.toBe(k);
    expect(keyOf(inputs([orders], { files: () => ['10:1700000000'] }), 'orders')).not.toBe(k);
    // a cell that declares its reads ignores the project's spec files
    expect(keyOf(inputs([orders], { project: 'project-fingerprint-2' }), 'orders')).toBe(k);
  });

  it('a cell that declares no reads depends on every param and on the project; one without the database ignores it', () => {
    const loose: PlanCell = { ...query('loose', 'SELECT 1'), reads: undefined };
    const k = keyOf(inputs([loose]), 'loose');
    expect(keyOf(inputs([loose], { project: 'project-fingerprint-2' }), 'loose')).not.toBe(k);
    expect(keyOf(inputs([loose], { params: { values: { region: 'all', month: '2025-07' }, types: { region: 'VARCHAR', month: 'VARCHAR' } } }), 'loose')).not.toBe(k);
    const pure = query('pure', 'SELECT 1', [], { params: [], database: false });
    const p = keyOf(inputs([pure]), 'pure');
    expect(keyOf(inputs([pure], { database: 'db-fingerprint-2', project: 'other' }), 'pure')).toBe(p);
    expect(cellKeys(inputs([pure])).get('pure')!.parts!.data).toBe('');
  });

  it('a downstream key follows its upstream key', () => {
    const k = cellKeys(inputs([orders, total]));
    expect(k.get('total')!.parts!.upstream).toEqual({ orders: k.get('orders')!.key });
    const changed = cellKeys(inputs([orders, total], { params: { values: { region: 'EU', month: '2025-06' }, types: { region: 'VARCHAR', month: 'VARCHAR' } } }));
    expect(changed.get('total')!.key).not.toBe(k.get('total')!.key);
  });

  it('volatile cells and cells reading remote files are never cached, nor is anything downstream of them', () => {
    const now = query('now', 'SELECT now()', [], { volatile: true });
    const after = query('after', 'SELECT * FROM now', ['now']);
    const remote = query('remote', "SELECT * FROM 's3://b/x.parquet'", [], { params: [], files: ['s3://b/x.parquet'] });
    const keys = cellKeys(inputs([now, after, remote], { files: (c) => (c.id === 'remote' ? null : []) }));
    expect([...keys.values()].map((k) => [k.id, k.key, k.uncacheable])).toEqual([
      ['now', null, 'never cached: it writes to the database or reads the clock or randomness'],
      ['after', null, 'never cached: upstream cell now is never cached'],
      ['remote', null, 'never cached: it reads a remote file'],
    ]);
  });
});

describe('cache planning: decisions and their reasons', () => {
  const orders = query('orders', 'SELECT * FROM db.orders WHERE region = $region', [], { params: ['region'] });
  const total = query('total', 'SELECT sum(amount) FROM orders', ['orders']);
  const now = query('now', 'SELECT now()', [], { volatile: true });
  const first = cellKeys(inputs([orders, total, now]));
  const stored = new Map(['orders', 'total'].map((id) => [id, { key: first.get(id)!.key!, parts: first.get(id)!.parts! }]));

  it('unchanged cells come from the cache; a never-cached one runs and says why', () => {
    expect(decide(first, store(stored))).toEqual([
      { id: 'orders', action: 'cache', key: first.get('orders')!.key, reason: `cached (key ${first.get('orders')!.key!.slice(0, 12)})` },
      { id: 'total', action: 'cache', key: first.get('total')!.key, reason: `cached (key ${first.get('total')!.key!.slice(0, 12)})` },
      { id: 'now', action: 'run', key: null, reason: 'never cached: it writes to the database or reads the clock or randomness' },
    ]);
  });

  it('--no-cache runs every cell, keys kept', () => {
    expect(decide(first, store(stored), { noCache: true }).map((d) => [d.id, d.action, d.key !== null, d.reason])).toEqual([
      ['orders', 'run', true, '--no-cache'],
      ['total', 'run', true, '--no-cache'],
      ['now', 'run', false, 'never cached: it writes to the database or reads the clock or randomness'],
    ]);
  });

  it('a changed cell runs, saying what changed against the newest stored entry; a new cell is not cached yet', () => {
    const eu = cellKeys(inputs([orders, total, query('fresh', 'SELECT 2')], { params: { values: { region: 'EU', month: '2025-06' }, types: { region: 'VARCHAR', month: 'VARCHAR' } } }));
    expect(decide(eu, store(stored)).map((d) => [d.id, d.action, d.reason])).toEqual([
      ['orders', 'run', 'param region changed (all → EU)'],
      ['total', 'run', 'upstream cell orders changed'],
      ['fresh', 'run', 'not in the cache yet'],
    ]);
    const edited = cellKeys(inputs([{ ...orders, spec: { ...orders.spec, sql: 'SELECT 2' } }, total], { quire: '0.2.0', database: 'db-fingerprint-2' }));
    expect(decide(edited, store(stored)).map((d) => d.reason)).toEqual([
      'quire changed (0.1.0 → 0.2.0); the cell itself changed; the data it reads changed',
      'quire changed (0.1.0 → 0.2.0); upstream cell orders changed; the data it reads changed',
    ]);
  });
});
