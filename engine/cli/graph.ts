import { Option, type Command } from 'commander';
import { validateNotebook } from '../validate.js';
import { formatDag, type GraphFormat } from '../plan/graph-format.js';
import { notebookSources } from '../notebook/sources.js';

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the notebook DAG')
    .argument('<notebook>', 'notebook file')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot']).default('text'))
    .action(async (file: string, opts: { format: GraphFormat }) => {
      const nb = await validateNotebook(file);
      const nodes = nb.cells.map((c) => ({ id: c.spec.id, type: c.spec.type, title: c.spec.title }));
      const files = Object.fromEntries([...notebookSources(nb)].map(([name, s]) => [name, s.spec.file]));
      process.stdout.write(formatDag(nb.dag, nodes, opts.format, files));
    });
}
