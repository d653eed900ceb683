import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cachedNotebooks, clearCache, CACHE_DIR } from '../cache/index.js';
import { insideOrThrow } from '../util/inside.js';
import { requireKnownNotebook } from './notebook-ids.js';
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
      if (notebook !== undefined && id !== undefined && !existsSync(notebook)) {
        insideOrThrow(join(runsDir, CACHE_DIR), join(runsDir, CACHE_DIR, id), 'the cache folder'); // a climbing id is refused as such
        requireKnownNotebook(notebook, id, { what: 'cached results', ids: cachedNotebooks(runsDir), project, hint: '`quire cache clear` without a notebook to clear them all' });
      }
      const { entries, bytes } = clearCache(runsDir, id);
      if (id !== undefined && entries === 0) return void process.stdout.write(`no cached cell results of notebook ${id} to remove\n`);
      process.stdout.write(`removed ${entries} cached cell result${entries === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB) from ${join(runsDir, CACHE_DIR, id ?? '')}\n`);
    });
}
