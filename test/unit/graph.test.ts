import { describe, expect, it } from 'vitest';
import { buildDag, downstreamOf, type GraphCell } from '../../engine/plan/graph.js';
import { YamlSource } from '../../engine/source/source.js';

/** A notebook's cells as buildDag sees them: ids, depends_on, and the names found in each cell. */
function graph(cells: { id: string; depends_on?: string[]; refs?: string[] }[]) {
  const text = `cells:\n${cells.map((c) => `  - id: ${c.id}\n    type: query\n${c.depends_on ? `    depends_on: [${c.depends_on.join(', ')}]\n` : ''}`).join('')}`;
  const { source, errors } = YamlSource.parse('nb.yaml', text);
  expect(errors).toEqual([]);
  const input: GraphCell[] = cells.map((c, i) => ({ id: c.id, path: ['cells', i], dependsOn: c.depends_on ?? [], references: c.refs ?? [] }));
  return buildDag(input, source);
}

describe('buildDag', () => {
  it('joins explicit and inferred edges, each once, and levels cells by depth in declaration order', () => {
    const { dag, errors } = graph([
      { id: 'orders', refs: ['orders'] }, // reads the database table it shadows: no edge to itself
      { id: 'customers' },
      { id: 'joined', refs: ['orders', 'customers', 'not_a_cell'] },
      { id: 'report', depends_on: ['joined'], refs: ['joined', 'orders'] },
      { id: 'alone', depends_on: ['customers'] },
    ]);
    expect(errors).toEqual([]);
    expect(dag.ids).toEqual(['orders', 'customers', 'joined', 'report', 'alone']);
    expect(dag.edges).toEqual([
      { from: 'orders', to: 'joined', kind: 'inferred' },
      { from: 'customers', to: 'joined', kind: 'inferred' },
      { from: 'joined', to: 'report', kind: 'explicit' }, // named both ways: explicit wins, one edge
      { from: 'orders', to: 'report', kind: 'inferred' },
      { from: 'customers', to: 'alone', kind: 'explicit' },
    ]);
    expect(dag.upstream.get('report')).toEqual(['joined', 'orders']);
    expect(dag.upstream.get('orders')).toEqual([]);
    expect(dag.levels).toEqual([['orders', 'customers'], ['joined', 'alone'], ['report']]);
    expect([...downstreamOf(dag, 'orders')].sort()).toEqual(['joined', 'report']);
    expect([...downstreamOf(dag, 'report')]).toEqual([]);
  });

  it('an unknown depends_on is located at its entry, with "did you mean" and the cells there are', () => {
    const { errors } = graph([{ id: 'orders' }, { id: 'totals', depends_on: ['orders', 'ordres'] }, { id: 'x', depends_on: ['zzzzzz'] }]);
    expect(errors.map((e) => [e.code, e.message, e.location?.line, e.location?.col])).toEqual([
      ['E_UNKNOWN_CELL', "cell totals depends on unknown cell 'ordres' — did you mean 'orders'?", 6, 26],
      ['E_UNKNOWN_CELL', "cell x depends on unknown cell 'zzzzzz'", 9, 18],
    ]);
    expect(errors[0]!.hint).toBe('cells in this notebook: orders, totals, x');
    expect(errors[0]!.location?.snippet).toBe('    depends_on: [orders, ordres]');
  });

  it('a cell depending on itself is an error at that entry', () => {
    const { dag, errors } = graph([{ id: 'a', depends_on: ['a'] }]);
    expect(errors.map((e) => [e.code, e.message, e.location?.line])).toEqual([['E_SELF_DEPENDENCY', 'cell a depends on itself', 4]]);
    expect(dag.edges).toEqual([]);
  });

  it('every cycle is reported once, as a path from its earliest-declared cell, located there; no levels', () => {
    const { dag, errors } = graph([{ id: 'ok' }, { id: 'b', refs: ['c'] }, { id: 'a', depends_on: ['b'] }, { id: 'c', refs: ['a', 'ok'] }, { id: 'x', refs: ['y'] }, { id: 'y', depends_on: ['x'] }]);
    expect(errors.map((e) => e.code)).toEqual(['E_CYCLE', 'E_CYCLE']);
    const messages = errors.map((e) => [e.message, e.location?.line]).sort();
    expect(messages).toEqual([
      ['dependency cycle: b -> a -> c -> b', 4],
      ['dependency cycle: x -> y -> x', 11],
    ]);
    expect(errors[0]!.hint).toMatch(/remove one of these references/);
    expect(dag.levels).toEqual([]);
  });
});
