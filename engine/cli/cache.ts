import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clearCache, CACHE_DIR } from '../cache/index.js';
import { loadNotebook } from '../notebooks.js';
import { loadProject, projectPath } from '../project.js';

export function register(program: Command): void {
  const cache = program.command('cache').description('the cell cache (under the runs folder)');
  cache
    .command('clear')
    .description("delete cached cell results: all of them, or one notebook's")
    .argument('[notebook]', 'only this notebook (its file or its id)')
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .action((notebook: string | undefined, opts: { runsDir?: string }) => {
      const project = loadProject(process.cwd());
      const runsDir = opts.runsDir ? resolve(opts.runsDir) : projectPath(project, project.config.runs_dir);
      const id = notebook === undefined ? undefined : existsSync(notebook) ? loadNotebook(notebook).id : notebook;
      const { entries, bytes } = clearCache(runsDir, id);
      process.stdout.write(`removed ${entries} cached cell result${entries === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB) from ${join(runsDir, CACHE_DIR, id ?? '')}\n`);
    });
}
