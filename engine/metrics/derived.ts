import type { MetricSpec } from './specs.js';

/** Metrics a derived metric's expression names (none for other aggregations). */
export function derivedRefs(m: MetricSpec): string[] {
  return m.aggregation === 'derived' ? (m.expr?.columns ?? []) : [];
}

/** Cycles among derived metrics, each as names in reference order, starting at its smallest name. */
export function derivedCycles(metrics: ReadonlyMap<string, MetricSpec>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'open') {
      const cycle = stack.slice(stack.indexOf(name));
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      const key = rotated.join('>');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(rotated);
      }
      return;
    }
    const m = metrics.get(name);
    if (!m) return;
    state.set(name, 'open');
    stack.push(name);
    for (const ref of derivedRefs(m)) visit(ref);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...metrics.keys()].sort()) visit(name);
  return cycles;
}

/**
 * The metrics needed to compute `names`: each derived metric after the metrics it uses
 * (a topological order; the catalog has no cycles).
 */
export function metricClosure(metrics: ReadonlyMap<string, MetricSpec>, names: readonly string[]): MetricSpec[] {
  const out: MetricSpec[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    const m = metrics.get(name);
    if (!m) return;
    for (const ref of derivedRefs(m)) visit(ref);
    out.push(m);
  };
  names.forEach(visit);
  return out;
}
