import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadNotebook } from '../notebooks.js';
import { parseCliParams } from '../params/index.js';
import { projectPath } from '../project.js';
import { planRun } from '../exec/plan-run.js';
import { bold, dim, green, yellow } from './progress.js';
import { countOf } from '../report/html/numbers.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const text = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

export function register(program: Command): void {
  program
    .command('plan')
    .description('show, without running: the resolved params, the run order, and which cells the cache serves (and why the others run)')
    .argument('<notebook>', 'notebook file')
    .option('-p, --param <name=value>', 'set a param (repeatable)', collect, [])
    .option('--no-cache', 'plan as `quire run --no-cache` would')
    .option('--runs-dir <dir>', 'runs folder holding the cache (default: runs_dir of quire.yaml)')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, opts: { param: string[]; cache: boolean; runsDir?: string; json?: boolean }) => {
      const nb = loadNotebook(file);
      const runsDir = opts.runsDir ? resolve(opts.runsDir) : projectPath(nb.project, nb.project.config.runs_dir);
      const plan = await planRun(nb, { params: parseCliParams(opts.param), fromCli: true, runsDir, noCache: !opts.cache });
      const { cells, levels } = plan;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      const out: string[] = [bold(nb.displayPath)];
      const declared = Object.keys(nb.top.params ?? {});
      out.push('params:');
      for (const [k, v] of Object.entries(plan.params)) out.push(`  ${declared.includes(k) ? k : dim(k)} = ${text(v)}`);
      out.push('run order (cells of one level run concurrently):');
      levels.forEach((level, i) => {
        out.push(`  ${i + 1}. ${level.join(', ')}`);
      });
      out.push('cells:');
      const width = Math.max(...cells.map((c) => c.id.length));
      for (const c of cells) out.push(`  ${c.action === 'cache' ? green('cache') : yellow('run  ')}  ${c.id.padEnd(width)}  ${dim(c.reason)}`);
      const hits = cells.filter((c) => c.action === 'cache').length;
      out.push(`${hits} of ${countOf(cells.length, 'cell')} from the cache, ${cells.length - hits} to run`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
