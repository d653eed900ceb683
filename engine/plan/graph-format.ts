import type { Dag } from './graph.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';

export interface GraphNodeInfo {
  id: string;
  type: string;
  title?: string | null;
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const mermaidLabel = (s: string) => s.replace(/["<>]/g, '');

/** Each source a cell reads, once, with the cells reading it. */
function sourceEdges(dag: Dag): { name: string; to: string }[] {
  return Object.entries(dag.sources ?? {}).flatMap(([to, names]) => names.map((name) => ({ name, to })));
}

/**
 * The DAG as text (levels that run concurrently), Mermaid or Graphviz dot. Sources (files read
 * as tables) are its inputs: `sourceFiles` names their files.
 */
export function formatDag(dag: Dag, nodes: GraphNodeInfo[], format: GraphFormat, sourceFiles: Record<string, string> = {}): string {
  const info = new Map(nodes.map((n) => [n.id, n]));
  const label = (id: string) => `${id} (${info.get(id)?.type ?? '?'})`;
  const sourceLabel = (name: string) => `${name} (source: ${sourceFiles[name] ?? 'file'})`;
  const inputs = sourceEdges(dag);
  const sourceNames = [...new Set(inputs.map((s) => s.name))];
  if (format === 'mermaid') {
    const lines = ['flowchart TD'];
    for (const name of sourceNames) lines.push(`  ${name}[("${mermaidLabel(sourceLabel(name))}")]`);
    for (const id of dag.ids) lines.push(`  ${id}["${mermaidLabel(label(id))}"]`);
    for (const s of inputs) lines.push(`  ${s.name} -.-> ${s.to}`);
    for (const e of dag.edges) lines.push(`  ${e.from} ${e.kind === 'explicit' ? '==>' : '-->'} ${e.to}`);
    return `${lines.join('\n')}\n`;
  }
  if (format === 'dot') {
    const lines = ['digraph notebook {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica"];'];
    for (const name of sourceNames) lines.push(`  ${dotString(name)} [shape=cylinder, label=${dotString(sourceLabel(name))}];`);
    for (const id of dag.ids) lines.push(`  ${dotString(id)} [label=${dotString(label(id))}];`);
    for (const s of inputs) lines.push(`  ${dotString(s.name)} -> ${dotString(s.to)} [style=dashed];`);
    for (const e of dag.edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${e.kind === 'explicit' ? ' [style=bold]' : ''};`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  const lines: string[] = [];
  if (sourceNames.length) lines.push(`inputs: ${sourceNames.map(sourceLabel).join(', ')}`);
  dag.levels.forEach((level, i) => {
    lines.push(`level ${i + 1}${level.length > 1 ? ' (concurrent)' : ''}:`);
    for (const id of level) {
      const ups = [...(dag.sources?.[id] ?? []), ...(dag.upstream.get(id) ?? [])];
      lines.push(`  ${label(id)}${ups.length ? `  <- ${ups.join(', ')}` : ''}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
