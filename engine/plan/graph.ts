import { Graph, alg } from '@dagrejs/graphlib';
import { UserError, type QuireError } from '../util/errors.js';
import type { YamlSource, YamlPath } from '../source/source.js';
import { didYouMean } from '../util/suggest.js';

export interface GraphCell {
  id: string;
  path: YamlPath;
  dependsOn: string[];
  /** Names found in the cell (SQL tables, template variables...); those equal to cell ids become edges. */
  references: string[];
  /** False for a cell whose SQL runs on a server (Postgres...): a name there is the server's table, never a source. */
  readsSources?: boolean;
}

export interface CellEdge {
  from: string;
  to: string;
  /** explicit: from depends_on; inferred: found in the cell itself. */
  kind: 'explicit' | 'inferred';
}

export interface Dag {
  /** Cell ids in declaration order. */
  ids: string[];
  edges: CellEdge[];
  /** Upstream ids of each cell. */
  upstream: Map<string, string[]>;
  /** Cells grouped by depth: every cell of a level may run concurrently once earlier levels are done. */
  levels: string[][];
  /** The sources (`sources:` files) each cell reads, by cell id: the DAG's inputs. Only cells reading one are listed. */
  sources: Record<string, string[]>;
}

/**
 * Builds the DAG from explicit and inferred dependencies. Unknown `depends_on` ids, self
 * dependencies and cycles are located errors; all of them are returned, not only the first.
 */
export function buildDag(cells: GraphCell[], source: YamlSource, sourceNames: readonly string[] = []): { dag: Dag; errors: QuireError[] } {
  const errors: QuireError[] = [];
  const ids = cells.map((c) => c.id);
  const known = new Set(ids);
  const g = new Graph({ directed: true });
  for (const id of ids) g.setNode(id);
  const edges: CellEdge[] = [];
  const sources: Record<string, string[]> = {};
  const addEdge = (from: string, to: string, kind: CellEdge['kind']) => {
    if (g.hasEdge(from, to)) return;
    g.setEdge(from, to);
    edges.push({ from, to, kind });
  };
  for (const cell of cells) {
    cell.dependsOn.forEach((dep, i) => {
      const at = source.locate([...cell.path, 'depends_on', i]);
      if (dep === cell.id) {
        errors.push(new UserError('E_SELF_DEPENDENCY', `cell ${cell.id} depends on itself`, { location: at, hint: 'remove it from depends_on' }));
      } else if (!known.has(dep)) {
        const dym = didYouMean(dep, ids);
        errors.push(
          new UserError('E_UNKNOWN_CELL', `cell ${cell.id} depends on unknown cell '${dep}'${dym ? ` — ${dym}` : ''}`, {
            location: at,
            hint: `cells in this notebook: ${ids.join(', ')}`,
          }),
        );
      } else addEdge(dep, cell.id, 'explicit');
    });
    // A cell reading a table of its own name reads the database table it shadows, not itself.
    for (const ref of cell.references) if (ref !== cell.id && known.has(ref)) addEdge(ref, cell.id, 'inferred');
    const inputs = cell.readsSources === false ? [] : [...new Set(cell.references.filter((ref) => !known.has(ref) && sourceNames.includes(ref)))];
    if (inputs.length) sources[cell.id] = inputs;
  }
  const byId = new Map(cells.map((c) => [c.id, c]));
  for (const cycle of orderedCycles(g, ids)) {
    const first = byId.get(cycle[0])!;
    errors.push(
      new UserError('E_CYCLE', `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}`, {
        location: source.locate(first.path),
        hint: 'a cell cannot depend, directly or through others, on a cell that depends on it; remove one of these references',
      }),
    );
  }
  const upstream = new Map(ids.map((id) => [id, (g.predecessors(id) ?? []) as string[]]));
  return { dag: { ids, edges, upstream, levels: errors.length ? [] : levelsOf(ids, upstream), sources }, errors };
}

/** Each cycle as a path in edge order, starting at its earliest-declared cell. */
function orderedCycles(g: Graph, ids: string[]): string[][] {
  const order = new Map(ids.map((id, i) => [id, i]));
  return alg.findCycles(g).map((component) => {
    const members = new Set(component as string[]);
    const start = [...members].sort((a, b) => order.get(a)! - order.get(b)!)[0];
    const path = [start];
    const seen = new Set([start]);
    // Walk successors within the component, preferring the way back to start.
    for (let cur = start; ; ) {
      const next = ((g.successors(cur) ?? []) as string[]).filter((n) => members.has(n)).sort((a, b) => order.get(a)! - order.get(b)!);
      if (next.includes(start) && (path.length === members.size || next.every((n) => seen.has(n)))) return path;
      const step = next.find((n) => !seen.has(n));
      if (!step) return path;
      path.push(step);
      seen.add(step);
      cur = step;
    }
  });
}

function levelsOf(ids: string[], upstream: Map<string, string[]>): string[][] {
  const depth = new Map<string, number>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...upstream.get(id)!.map(visit)) + 1;
    depth.set(id, d);
    return d;
  };
  const levels: string[][] = [];
  for (const id of ids) {
    const level = visit(id);
    levels[level] ??= [];
    levels[level].push(id);
  }
  return levels;
}

/** Every cell downstream of `id` (not including it). */
export function downstreamOf(dag: Dag, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const e of dag.edges) {
      if (e.from === cur && !out.has(e.to)) {
        out.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return out;
}
