import type { Command } from 'commander';
import { join } from 'node:path';
import { ensureDemoData } from '../demo/demo-data.js';
import { loadProject, projectPath } from '../project.js';
import { runNotebook } from '../exec/run.js';
import { printRunSummary, EXIT } from './run.js';
import { progressPrinter } from './progress.js';
import { packageRoot } from '../util/package-root.js';

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
      const progress = progressPrinter();
      const result = await runNotebook(join(repoRoot, 'notebooks', 'monthly-review.yaml'), {
        trigger: { kind: 'cli', schedule: null, scheduled_for: null },
        onEvent: progress.onEvent,
      });
      progress.done();
      printRunSummary(result);
      process.exitCode = EXIT[result.manifest.status];
    });
}
