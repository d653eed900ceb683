import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadNotebook } from '../notebooks.js';
import { parseCliParams } from '../params/index.js';
import { loadProject, projectPath } from '../project.js';
import { notebookOfRun, rerunParams } from '../exec/rerun.js';
import { runNotebook } from '../exec/run.js';
import { damagedWarning, findRun } from '../runs/runs.js';
import { EXIT, printRunSummary } from './run.js';
import { progressPrinter, yellow } from './progress.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('rerun')
    .description("run a notebook again with an earlier run's resolved params (exactly), overriding only those given")
    .argument('<run-id>', 'run id (or a unique prefix)')
    .option('-p, --param <name=value>', 'override a param (repeatable)', collect, [])
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .option('--no-cache', 'run every cell')
    .option('--json', 'print run.json to stdout instead of progress')
    .action(async (runId: string, opts: { param: string[]; runsDir?: string; cache: boolean; json?: boolean }) => {
      const project = loadProject(process.cwd());
      const runsDir = opts.runsDir ? resolve(opts.runsDir) : projectPath(project, project.config.runs_dir);
      const { manifest: earlier } = findRun(runsDir, runId, (d) => process.stderr.write(`${yellow(damagedWarning(d))}\n`));
      const nb = loadNotebook(notebookOfRun(project, earlier));
      const { params, dropped } = rerunParams(nb, earlier, parseCliParams(opts.param), new Date());
      const warn = (s: string) => !opts.json && process.stderr.write(yellow(`${s}\n`));
      if (nb.sha256 !== earlier.notebook.sha256) warn(`note: ${nb.displayPath} changed since run ${earlier.id}; rerunning the notebook as it is now`);
      if (dropped.length) warn(`note: params no longer declared, left out: ${dropped.join(', ')}`);
      const progress = opts.json ? undefined : progressPrinter();
      const result = await runNotebook(nb, {
        params,
        runsDir,
        cache: opts.cache ? 'use' : 'refresh',
        trigger: { kind: 'rerun', schedule: null, scheduled_for: null },
        onEvent: progress?.onEvent,
      });
      progress?.done();
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...result.manifest, rerun_of: earlier.id, dir: result.dir, report: result.reportPath }, null, 2)}\n`);
      else {
        process.stdout.write(`rerun of ${earlier.id}\n`);
        printRunSummary(result);
      }
      process.exitCode = EXIT[result.manifest.status];
    });
}
