import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ensureDemoData } from '../demo/demo-data.js';
import { findProjectRoot, loadProject, projectPath } from '../project.js';
import { runNotebook } from '../exec/run.js';
import { printRunSummary, EXIT } from './run.js';
import { progressPrinter } from './progress.js';
import { packageRoot } from '../util/package-root.js';

/** The runs folder of the project at `cwd` (its quire.yaml's runs_dir, else `cwd/runs`); undefined inside the package itself. */
function runsDirOf(cwd: string, repoRoot: string): string | undefined {
  const here = findProjectRoot(cwd);
  if (resolve(here.root) === resolve(repoRoot)) return undefined;
  if (!here.configPath) return join(here.root, 'runs');
  const project = loadProject(here.root);
  return projectPath(project, project.config.runs_dir);
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('build the demo data if missing, then run notebooks/monthly-review.yaml')
    .action(async () => {
      const repoRoot = packageRoot();
      const project = loadProject(repoRoot);
      const database = projectPath(project, project.config.database);
      const built = await ensureDemoData(database, (msg: string) => process.stderr.write(`${msg}\n`));
      if (built) process.stderr.write(`demo data written to ${database}\n`);
      // The notebook and its data are the package's; the run belongs to the folder the user is in.
      const runsDir = runsDirOf(process.cwd(), repoRoot);
      if (runsDir) process.stderr.write(`running the demo notebook of ${repoRoot}; its run goes to ${runsDir}\n`);
      const progress = progressPrinter();
      const result = await runNotebook(join(repoRoot, 'notebooks', 'monthly-review.yaml'), {
        runsDir,
        trigger: { kind: 'cli', schedule: null, scheduled_for: null },
        onEvent: progress.onEvent,
      });
      progress.done();
      printRunSummary(result);
      process.exitCode = EXIT[result.manifest.status];
    });
}
