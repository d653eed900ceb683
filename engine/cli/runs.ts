import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNotebook } from '../notebooks.js';
import { loadProject, projectPath } from '../project.js';
import { damagedWarning, findRun, listRuns, notebooksWithRuns, type DamagedRun } from '../runs/runs.js';
import { requireKnownNotebook } from './notebook-ids.js';
import { green, red, yellow, dim, warningLines } from './progress.js';
import { countOf } from '../report/html/numbers.js';

function runsDirOf(opt?: string): string {
  if (opt) return resolve(opt);
  const project = loadProject(process.cwd());
  return projectPath(project, project.config.runs_dir);
}

const warnDamaged = (d: DamagedRun) => process.stderr.write(`${yellow(damagedWarning(d))}\n`);

const colourOf = (status: string) => (status === 'succeeded' ? green : status === 'partial' ? yellow : status === 'running' ? dim : red);

export function register(program: Command): void {
  const runs = program.command('runs').description('list and inspect past runs');
  runs
    .command('list')
    .description('runs, newest first')
    .argument('[notebook]', 'only runs of this notebook (its file or its id)')
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .option('-n, --limit <n>', 'at most n runs', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print as JSON')
    .option('--folders', 'with a queue in quire.yaml: read the run folders instead of the run index')
    .action(async (notebook: string | undefined, opts: { runsDir?: string; limit: number; json?: boolean; folders?: boolean }) => {
      const id = notebook === undefined ? undefined : existsSync(notebook) ? loadNotebook(notebook).id : notebook;
      const project = opts.runsDir || opts.folders ? null : loadProject(process.cwd());
      const named = notebook !== undefined && id !== undefined && !existsSync(notebook) ? { name: notebook, id } : null;
      if (project?.config.queue) return (await import('./runs-indexed.js')).listIndexed(project, id, opts, named);
      const runsDir = runsDirOf(opts.runsDir);
      if (named) requireKnownNotebook(named.name, named.id, { what: 'runs', ids: notebooksWithRuns(runsDir), project: opts.runsDir ? null : (project ?? loadProject(process.cwd())) });
      const entries = listRuns(runsDir, id, warnDamaged).slice(0, opts.limit);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            entries.map((e) => ({ ...e.manifest, dir: e.dir })),
            null,
            2,
          )}\n`,
        );
        return;
      }
      if (!entries.length) {
        process.stdout.write('no runs yet\n');
        return;
      }
      for (const { manifest: m } of entries) {
        const params = Object.entries(m.params)
          .filter(([k]) => !/_(start|end)$/.test(k))
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
          .join(' ');
        process.stdout.write(`${m.id}  ${colourOf(m.status)(m.status.padEnd(9))}  ${m.notebook.id.padEnd(20)}  ${m.started_at}  ${dim(params)}\n`);
      }
    });
  runs
    .command('show')
    .description('one run: status, params, cells, outputs')
    .argument('<run-id>', 'run id (or a unique prefix)')
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .option('--json', 'print run.json')
    .action((runId: string, opts: { runsDir?: string; json?: boolean }) => {
      const { manifest: m, dir } = findRun(runsDirOf(opts.runsDir), runId, warnDamaged);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...m, dir }, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      out.push(`${m.title}`, `run      ${m.id}  ${colourOf(m.status)(m.status)}`, `notebook ${m.notebook.path} (${m.notebook.id}, sha256 ${m.notebook.sha256.slice(0, 12)})`);
      out.push(`started  ${m.started_at}`, `finished ${m.finished_at ?? '-'}`, `trigger  ${m.trigger.kind}${m.trigger.schedule ? ` (${m.trigger.schedule})` : ''}`);
      out.push(`params   ${JSON.stringify(m.params)}`);
      if (m.error) out.push(`error    ${m.error}`);
      out.push('cells:');
      for (const c of m.cells) {
        const detail =
          c.status === 'failed'
            ? `${c.error?.message}${c.error?.location ? ` (${c.error.location})` : ''}`
            : c.status === 'skipped'
              ? String(c.skipped_reason)
              : `${c.duration_ms} ms${c.rows === null ? '' : `, ${countOf(c.rows, 'row')}`}`;
        out.push(`  ${colourOf(c.status)(c.status.padEnd(9))} ${c.id.padEnd(24)} ${detail}`, ...warningLines(c.warnings).map((l) => `  ${l}`));
      }
      out.push(`folder   ${dir}`);
      for (const [fmt, file] of Object.entries(m.exports)) out.push(`${fmt.padEnd(8)} ${join(dir, file)}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
