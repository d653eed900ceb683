import type { Dag } from './graph.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';

export interface GraphNodeInfo {
  id: string;
  type: string;
  title?: string | null;
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const mermaidLabel = (s: string) => s.replace(/["<>]/g, '');

/** The DAG as text (levels that run concurrently), Mermaid or Graphviz dot. */
export function formatDag(dag: Dag, nodes: GraphNodeInfo[], format: GraphFormat): string {
  const info = new Map(nodes.map((n) => [n.id, n]));
  const label = (id: string) => `${id} (${info.get(id)?.type ?? '?'})`;
  if (format === 'mermaid') {
    const lines = ['flowchart TD'];
    for (const id of dag.ids) lines.push(`  ${id}["${mermaidLabel(label(id))}"]`);
    for (const e of dag.edges) lines.push(`  ${e.from} ${e.kind === 'explicit' ? '==>' : '-->'} ${e.to}`);
    return `${lines.join('\n')}\n`;
  }
  if (format === 'dot') {
    const lines = ['digraph notebook {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica"];'];
    for (const id of dag.ids) lines.push(`  ${dotString(id)} [label=${dotString(label(id))}];`);
    for (const e of dag.edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${e.kind === 'explicit' ? ' [style=bold]' : ''};`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  const lines: string[] = [];
  dag.levels.forEach((level, i) => {
    lines.push(`level ${i + 1}${level.length > 1 ? ' (concurrent)' : ''}:`);
    for (const id of level) {
      const ups = dag.upstream.get(id) ?? [];
      lines.push(`  ${label(id)}${ups.length ? `  <- ${ups.join(', ')}` : ''}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
